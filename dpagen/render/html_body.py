"""HTML for the agreement's body, written from the same outline as the text and DOCX renderings.

Every value is escaped here, and words with a hyphen are kept on one line (see
:func:`keep_hyphenated`). What a reader copies or searches for is marked so that the layout never
hyphenates or breaks it (see :mod:`dpagen.render.layout_rules`): e-mail addresses, phone and
organisation numbers, dates, and the names of the parties and sub-processors. The markup carries
the classes that ``templates/agreement.css`` styles, including the table of contents and the
parts kept on one page; the page frame around it (head, running header and footer) is
``templates/agreement.html``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from dpagen.document.model import Runs, Table
from dpagen.document.outline import Block, Para, TableBlock, contents
from dpagen.render.layout_rules import LINE_ROOM, Protected, kept_whole, names, room

_HYPHENATED = re.compile(r"\S*\w-\w\S*")
_TOKEN = re.compile(r"\S+")
LONG_WORD = 60  # characters; no real word is longer, a pasted hash or URL may be
_PIECE = 30
# inline, so that it holds whatever the workspace's stylesheet says
_LONG_STYLE = "hyphens: manual; overflow-wrap: normal"


def keep_hyphenated(text: str) -> Markup:
    """Escape ``text`` and keep words with a hyphen (E-handel, 556677-8899) on one line.

    A line break after a hyphen makes PDF text extraction join the parts, so "E-handel" would
    no longer be found by a search. A "word" longer than ``LONG_WORD`` characters instead gets
    a break opportunity every ``_PIECE`` characters: WeasyPrint's hyphenation and
    ``overflow-wrap: anywhere`` take time quadratic in a word's length, minutes for a few
    thousand characters.
    """
    return Markup(
        _TOKEN.sub(lambda m: _word(m.group(0)), text) if len(text) > LONG_WORD else _word(text)
    )


def _word(token: str) -> str:
    if len(token) <= LONG_WORD or token.isspace():
        escaped = str(escape(token))
        return _HYPHENATED.sub(lambda m: f'<span class="nobr">{m.group(0)}</span>', escaped)
    pieces = (str(escape(token[i : i + _PIECE])) for i in range(0, len(token), _PIECE))
    return f'<span style="{_LONG_STYLE}">{"<wbr>".join(pieces)}</span>'


class _Marker:
    """Escapes texts of the body and marks what must never be hyphenated or broken.

    Numbers and dates do not break at all, and the words of names are not hyphenated. An e-mail
    address stays on one line where one holds it (``room`` characters); a longer one may break
    after "@" or ".", never with a hyphen.

    Spaces are kept from breaking by the layout, not by no-break spaces: a font has one glyph
    for both, and text extraction would then read every space of the PDF as a no-break space.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.protected = Protected(names)

    def __call__(self, text: str, room: int = LINE_ROOM) -> str:
        return "".join(_kept(piece, kind, room) for piece, kind in self.protected.split(text))


def _kept(text: str, kind: str, room: int) -> str:
    if kind == "email" and len(text) > room:
        pieces = re.split(r"(?<=[@.])", text)
        inner = "<wbr>".join(f'<span class="nobr">{escape(piece)}</span>' for piece in pieces)
        return f'<span class="email">{inner}</span>'
    if kind == "email":
        return f'<span class="email nobr">{escape(text)}</span>'
    if kind == "name":
        css = "name nobr" if "-" in text else "name"  # "E-handel" stays on one line, as elsewhere
        return f'<span class="{css}">{escape(text)}</span>'
    if kind:
        return f'<span class="unbroken">{escape(text)}</span>'
    return str(keep_hyphenated(text))


def runs_html(runs: Runs, mark: _Marker) -> str:
    """Inline HTML of ``runs`` with their emphasis."""
    parts = []
    for run in runs:
        text = mark(run.text)
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        parts.append(text)
    return "".join(parts)


# paragraph style → HTML, with {number}, {text} and {id} already escaped
_PARAGRAPHS = {
    "draft_mark": '<div class="draft-mark">{text}</div>',
    "title": "<h1>{text}</h1>",
    "heading": '<h2 class="part"{id}>{text}</h2>',
    "clause_heading": '<h2><span class="number">{number}</span> {text}</h2>',
    "clause": '<div class="subclause"><span class="number">{number}</span>\n<p>{text}</p>',
    "clause_body": '<div class="subclause unnumbered">\n<p>{text}</p>',
    "item": '<li><span class="label">{number}</span> {text}</li>',
    "annex_title": "<h2>{text}</h2>",
    "annex_effective": '<p class="effective">{text}</p>',
    "annex_section": "<h3>{text}</h3>",
    "lead": '<p class="lead">{text}</p>',
}
_FACT_SEPARATOR = ": "  # the layout sets labels in a column of their own instead


def _fact(para: Para, mark: _Marker) -> str:
    split = next((i for i, run in enumerate(para.runs) if not run.bold), len(para.runs))
    label = "".join(run.text for run in para.runs[:split]).removesuffix(_FACT_SEPARATOR)
    return f"<div><dt>{mark(label)}</dt><dd>{runs_html(para.runs[split:], mark)}</dd></div>"


def _section(para: Para) -> str:
    css = para.begins
    if para.begins == "annex" and not para.page_break:
        css = "annex only"  # an annex issued on its own follows the parties on the first page
    anchor = f' id="{escape(para.anchor)}"' if para.anchor else ""
    return f'<section class="{escape(css)}"{anchor}>'


def _part(blocks: list[Block], index: int) -> str:
    """The start of an annex section: its title, lead text and table, maybe kept together."""
    return f'<div class="{"annex-part together" if kept_whole(blocks, index) else "annex-part"}">'


def _contents(blocks: list[Block], heading: str, mark: _Marker) -> str:
    """The table of contents: each part's title, linked, with its page number from the layout."""
    lines = [
        f'<li><a href="#{escape(entry.anchor)}"><span class="number">{escape(entry.number)}</span>'
        f'<span class="title">{mark(entry.title)}</span></a></li>'
        for entry in contents(blocks)
    ]
    if not lines:
        return ""
    return (
        f'<nav class="contents">\n<h2 class="contents">{mark(heading)}</h2>\n<ol>\n'
        + "\n".join(lines)
        + "\n</ol>\n</nav>"
    )


def _lines(lines: tuple[str, ...], mark: _Marker, chars: int, css: str = "") -> str:
    """Each line of a table cell (``chars`` characters wide) as a paragraph."""
    attribute = f' class="{css}"' if css else ""
    return "".join(f"<p{attribute}>{mark(line, chars)}</p>" for line in lines)


def _dressed(kind: str, lines: tuple[str, ...], mark: _Marker, chars: int) -> str:
    """The content of one cell of a parties or signature table, by what its row holds."""
    if kind == "contact":
        if not lines:
            return ""
        role, *details = lines
        return (
            f'<p class="contact"><span class="role">{mark(role, chars)}</span> '
            f"{mark(' '.join(details), chars)}</p>"
        )
    if kind == "line":
        return "<br>".join(mark(line, chars) for line in lines)
    return _lines(lines, mark, chars, "name" if kind == "name" else "")


def _colgroup(data: Table) -> str:
    return "<colgroup>" + "".join(f'<col style="width: {w}%">' for w in data.widths) + "</colgroup>"


def _header_row(data: Table, mark: _Marker) -> str:
    cells = zip(data.header, room(data), strict=True)
    return "<tr>" + "".join(f"<th>{mark(cell, chars)}</th>" for cell, chars in cells) + "</tr>"


def _party_table(block: TableBlock, mark: _Marker) -> str:
    """Parties side by side: one cell per party holding every row of the outline's table."""
    data = block.table
    kinds = block.row_kinds or ("",) * len(data.rows)
    cells = [
        "".join(
            _dressed(kind, row[column], mark, chars)
            for kind, row in zip(kinds, data.rows, strict=True)
        )
        for column, chars in enumerate(room(data))
    ]
    return (
        f'<table class="{escape(block.style)}">{_colgroup(data)}\n{_header_row(data, mark)}\n'
        + "<tr>"
        + "".join(f"<td>{cell}</td>" for cell in cells)
        + "</tr>\n</table>"
    )


def _signature_table(block: TableBlock, mark: _Marker) -> str:
    data = block.table
    kinds = block.row_kinds or ("",) * len(data.rows)
    rows = []
    for kind, row in zip(kinds, data.rows, strict=True):
        attribute = ' class="line"' if kind == "line" else ""
        cells = "".join(
            f"<td{attribute}>{_dressed(kind, cell, mark, chars)}</td>"
            for cell, chars in zip(row, room(data), strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<table class="{escape(block.style)}">{_colgroup(data)}\n{_header_row(data, mark)}\n'
        + "\n".join(rows)
        + "\n</table>"
    )


def _data_table(block: TableBlock, mark: _Marker) -> str:
    data = block.table
    css = block.style if data.header else f"{block.style} pairs"
    parts = [f'<table class="{escape(css)}">', _colgroup(data)]
    if data.header:
        parts.append(f"<thead>{_header_row(data, mark)}</thead>")
    parts.append("<tbody>")
    chars = room(data)
    parts += [
        "<tr>"
        + "".join(
            f"<td>{_lines(cell, mark, width)}</td>" for cell, width in zip(row, chars, strict=True)
        )
        + "</tr>"
        for row in data.rows
    ]
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _table(block: TableBlock, mark: _Marker) -> str:
    if block.style == "parties":
        return _party_table(block, mark)
    if block.style == "signatures":
        return _signature_table(block, mark)
    return _data_table(block, mark)


def body(blocks: list[Block], contents_heading: str = "") -> Markup:
    """The HTML of all ``blocks``, for the layout template's ``{{ body }}``.

    With ``contents_heading`` a table of contents precedes the first clause.
    """
    mark = _Marker(names(blocks))
    parts: list[str] = []
    open_section = open_subclause = open_items = open_facts = open_part = False
    for index, block in enumerate(blocks):
        style = block.style if isinstance(block, Para) else ""
        if open_items and style != "item":
            parts.append("</ol>")
            open_items = False
        if open_subclause and style != "item":
            parts.append("</div>")
            open_subclause = False
        if open_facts and style != "fact":
            parts.append("</dl>")
            open_facts = False
        if open_part and style not in ("", "lead"):
            parts.append("</div>")
            open_part = False
        if isinstance(block, TableBlock):
            parts.append(_table(block, mark))
            if open_part:
                parts.append("</div>")
                open_part = False
            continue
        if block.begins == "clause" and contents_heading:
            parts.append(_contents(blocks, contents_heading, mark))
            contents_heading = ""
        if block.begins:
            if open_section:
                parts.append("</section>")
            parts.append(_section(block))
            open_section = True
        if style == "fact":
            if not open_facts:
                parts.append('<dl class="facts">')
                open_facts = True
            parts.append(_fact(block, mark))
            continue
        if style == "annex_section":
            parts.append(_part(blocks, index))
            open_part = True
        if style == "item" and not open_items:
            parts.append('<ol class="items">')
            open_items = True
        anchor = f' id="{escape(block.anchor)}"' if block.anchor and not block.begins else ""
        text = runs_html(block.runs, mark)
        parts.append(_PARAGRAPHS[style].format(number=escape(block.number), text=text, id=anchor))
        open_subclause = open_subclause or style in ("clause", "clause_body")
    for tag, still_open in (
        ("</ol>", open_items),
        ("</div>", open_subclause),
        ("</dl>", open_facts),
        ("</div>", open_part),
        ("</section>", open_section),
    ):
        if still_open:
            parts.append(tag)
    return Markup("\n".join(parts) + "\n")
