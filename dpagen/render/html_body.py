"""HTML for the agreement's body, written from the same outline as the text and DOCX renderings.

Every value is escaped here, and words with a hyphen are kept on one line (see
:func:`keep_hyphenated`). The markup carries the classes that ``templates/agreement.css`` styles;
the page frame around it (head, running header and footer) is ``templates/agreement.html``.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from dpagen.document.model import Runs, Table
from dpagen.document.outline import Block, Para, TableBlock

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


def runs_html(runs: Runs) -> str:
    """Inline HTML of ``runs`` with their emphasis."""
    parts = []
    for run in runs:
        text = str(keep_hyphenated(run.text))
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        parts.append(text)
    return "".join(parts)


# paragraph style → HTML, with {number} and {text} already escaped
_PARAGRAPHS = {
    "draft_mark": '<div class="draft-mark">{text}</div>',
    "title": "<h1>{text}</h1>",
    "heading": '<h2 class="part">{text}</h2>',
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


def _fact(para: Para) -> str:
    split = next((i for i, run in enumerate(para.runs) if not run.bold), len(para.runs))
    label = "".join(run.text for run in para.runs[:split]).removesuffix(_FACT_SEPARATOR)
    return f"<div><dt>{keep_hyphenated(label)}</dt><dd>{runs_html(para.runs[split:])}</dd></div>"


def _section(para: Para) -> str:
    css = para.begins
    if para.begins == "annex" and not para.page_break:
        css = "annex only"  # an annex issued on its own follows the parties on the first page
    anchor = f' id="{escape(para.anchor)}"' if para.anchor else ""
    return f'<section class="{escape(css)}"{anchor}>'


def _lines(lines: tuple[str, ...], css: str = "") -> str:
    attribute = f' class="{css}"' if css else ""
    return "".join(f"<p{attribute}>{keep_hyphenated(line)}</p>" for line in lines)


def _dressed(kind: str, lines: tuple[str, ...]) -> str:
    """The content of one cell of a parties or signature table, by what its row holds."""
    if kind == "contact":
        if not lines:
            return ""
        role, *details = lines
        return (
            f'<p class="contact"><span class="role">{keep_hyphenated(role)}</span> '
            f"{keep_hyphenated(' '.join(details))}</p>"
        )
    if kind == "line":
        return "<br>".join(str(keep_hyphenated(line)) for line in lines)
    return _lines(lines, "name" if kind == "name" else "")


def _colgroup(data: Table) -> str:
    return "<colgroup>" + "".join(f'<col style="width: {w}%">' for w in data.widths) + "</colgroup>"


def _header_row(data: Table) -> str:
    return "<tr>" + "".join(f"<th>{keep_hyphenated(cell)}</th>" for cell in data.header) + "</tr>"


def _party_table(block: TableBlock) -> str:
    """Parties side by side: one cell per party holding every row of the outline's table."""
    data = block.table
    kinds = block.row_kinds or ("",) * len(data.rows)
    cells = [
        "".join(_dressed(kind, row[column]) for kind, row in zip(kinds, data.rows, strict=True))
        for column in range(len(data.widths))
    ]
    return (
        f'<table class="{escape(block.style)}">{_colgroup(data)}\n{_header_row(data)}\n'
        + "<tr>"
        + "".join(f"<td>{cell}</td>" for cell in cells)
        + "</tr>\n</table>"
    )


def _signature_table(block: TableBlock) -> str:
    data = block.table
    kinds = block.row_kinds or ("",) * len(data.rows)
    rows = []
    for kind, row in zip(kinds, data.rows, strict=True):
        attribute = ' class="line"' if kind == "line" else ""
        cells = "".join(f"<td{attribute}>{_dressed(kind, cell)}</td>" for cell in row)
        rows.append(f"<tr>{cells}</tr>")
    return (
        f'<table class="{escape(block.style)}">{_colgroup(data)}\n{_header_row(data)}\n'
        + "\n".join(rows)
        + "\n</table>"
    )


def _data_table(block: TableBlock) -> str:
    data = block.table
    css = block.style if data.header else f"{block.style} pairs"
    parts = [f'<table class="{escape(css)}">', _colgroup(data)]
    if data.header:
        parts.append(f"<thead>{_header_row(data)}</thead>")
    parts.append("<tbody>")
    parts += [
        "<tr>" + "".join(f"<td>{_lines(cell)}</td>" for cell in row) + "</tr>" for row in data.rows
    ]
    parts.append("</tbody></table>")
    return "\n".join(parts)


def _table(block: TableBlock) -> str:
    if block.style == "parties":
        return _party_table(block)
    if block.style == "signatures":
        return _signature_table(block)
    return _data_table(block)


def body(blocks: list[Block]) -> Markup:
    """The HTML of all ``blocks``, for the layout template's ``{{ body }}``."""
    parts: list[str] = []
    open_section = open_subclause = open_items = open_facts = False
    for block in blocks:
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
        if isinstance(block, TableBlock):
            parts.append(_table(block))
            continue
        if block.begins:
            if open_section:
                parts.append("</section>")
            parts.append(_section(block))
            open_section = True
        if style == "fact":
            if not open_facts:
                parts.append('<dl class="facts">')
                open_facts = True
            parts.append(_fact(block))
            continue
        if style == "item" and not open_items:
            parts.append('<ol class="items">')
            open_items = True
        text = runs_html(block.runs)
        parts.append(_PARAGRAPHS[style].format(number=escape(block.number), text=text))
        open_subclause = open_subclause or style in ("clause", "clause_body")
    for tag, still_open in (
        ("</ol>", open_items),
        ("</div>", open_subclause),
        ("</dl>", open_facts),
        ("</section>", open_section),
    ):
        if still_open:
            parts.append(tag)
    return Markup("\n".join(parts) + "\n")
