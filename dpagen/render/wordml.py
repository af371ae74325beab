"""WordprocessingML for the document body: paragraphs with styles, runs and tables.

Text is XML-escaped here and characters XML cannot hold are dropped, so a client's data can
never break the document. Styles and clause numbering live in ``templates/agreement.docx``.
Headings keep with what follows, so does a lead text with its table, and a sub-processor's record
or a short table stays on one page; table rows never split. E-mail addresses, numbers and names
are neither spell-checked nor hyphenated. A table of contents (a ``TOC`` field) precedes the
first clause, filled in, so that it reads correctly before Word updates it.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from dpagen.document.model import Run, Runs, Table
from dpagen.document.outline import Block, Entry, Para, TableBlock, contents
from dpagen.render.layout_rules import Protected, kept_whole, names

TEXT_WIDTH = 9242  # twips between the margins of the A4 template
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

PARAGRAPH_STYLES = {
    "title": "Title",
    "fact": "DpaFact",
    "heading": "DpaHeading",
    "clause_heading": "Heading1",
    "clause": "DpaClause",
    "clause_body": "DpaClauseBody",
    "item": "DpaItem",
    "annex_title": "DpaAnnexTitle",
    "annex_effective": "DpaAnnexEffective",
    "annex_section": "DpaAnnexSection",
    "lead": "DpaLead",
    "draft_mark": "DpaLead",
}


def xml_text(text: str) -> str:
    """``text`` escaped for an XML text node."""
    return escape(_INVALID_XML.sub("", text))


def run(text: str, *, bold: bool = False, italic: bool = False, proof: bool = True) -> str:
    """One ``w:r`` element; ``proof=False`` keeps spelling and grammar checks off it."""
    properties = (
        ("<w:b/>" if bold else "")
        + ("<w:i/>" if italic else "")
        + ("" if proof else "<w:noProof/>")
    )
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


_UNCHECKED = ("email", "number", "name")  # what Word's proofing would only flag as misspelt


def paragraph(
    style: str,
    runs: Runs,
    *,
    keep_next: bool = False,
    page_break: bool = False,
    protected: Protected | None = None,
    bookmark: tuple[int, str] | None = None,
) -> str:
    """One ``w:p`` element in the named style.

    With ``protected``, its e-mail addresses, numbers and names are not proofed and the paragraph
    is not hyphenated; ``bookmark`` (id, name) marks its text for the table of contents.
    """
    pieces = [
        (r, piece, kind)
        for r in runs
        for piece, kind in (protected.split(r.text) if protected else [(r.text, "")])
    ]
    unchecked = any(kind in _UNCHECKED for _, _, kind in pieces)
    body = "".join(
        run(piece, bold=r.bold, italic=r.italic, proof=kind not in _UNCHECKED)
        for r, piece, kind in pieces
        if piece
    )
    if bookmark is not None:
        number, name = bookmark
        body = (
            f'<w:bookmarkStart w:id="{number}" w:name="{name}"/>{body}'
            f'<w:bookmarkEnd w:id="{number}"/>'
        )
    properties = (
        f'<w:pStyle w:val="{style}"/>'
        + ("<w:keepNext/>" if keep_next else "")
        + ("<w:pageBreakBefore/>" if page_break else "")
        + ("<w:suppressAutoHyphens/>" if unchecked else "")
    )
    return f"<w:p><w:pPr>{properties}</w:pPr>{body}</w:p>"


_BORDER = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="999999"/>'
_GRID = "".join(
    _BORDER.format(side=side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")
)


def column_widths(data: Table) -> list[int]:
    """Column widths in twips, in proportion to the table's relative widths."""
    total = sum(data.widths)
    return [TEXT_WIDTH * width // total for width in data.widths]


def table_start(data: Table, kind: str) -> str:
    """``w:tbl`` with its properties, grid and (for data tables) repeated header row."""
    widths = column_widths(data)
    borders = f"<w:tblBorders>{_GRID}</w:tblBorders>" if kind == "data" else ""
    parts = [
        "<w:tbl><w:tblPr>",
        f'<w:tblW w:w="{TEXT_WIDTH}" w:type="dxa"/>',
        borders,
        '<w:tblLayout w:type="fixed"/>',
        '<w:tblCellMar><w:left w:w="85" w:type="dxa"/>',
        '<w:right w:w="85" w:type="dxa"/></w:tblCellMar>',
        "</w:tblPr><w:tblGrid>",
        "".join(f'<w:gridCol w:w="{width}"/>' for width in widths),
        "</w:tblGrid>",
    ]
    if data.header:
        shade = '<w:shd w:val="clear" w:color="auto" w:fill="ECEFF3"/>' if kind == "data" else ""
        parts.append("<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>")
        for width, text in zip(widths, data.header, strict=True):
            parts.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>'
                # a header row never stands alone at the foot of a page
                f"{paragraph('DpaTableHeader', _runs(text), keep_next=True)}</w:tc>"
            )
        parts.append("</w:tr>")
    return "".join(parts)


def cell_style(data: Table, column: int) -> str:
    """Label cells (first column of a table without header) are bold."""
    return "DpaTableHeader" if not data.header and column == 0 else "DpaTableText"


def table_row(data: Table, cells: list[str], revision: str = "") -> str:
    """One ``w:tr`` from cell contents (paragraph XML); ``revision`` marks an inserted row."""
    parts = [f"<w:tr><w:trPr><w:cantSplit/>{revision}</w:trPr>"]
    for column, (width, content) in enumerate(zip(column_widths(data), cells, strict=True)):
        label = not data.header and column == 0
        shade = '<w:shd w:val="clear" w:color="auto" w:fill="F5F6F8"/>' if label else ""
        body = content or paragraph(cell_style(data, column), ())
        parts.append(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr>{body}</w:tc>'
        )
    parts.append("</w:tr>")
    return "".join(parts)


def row_cells(
    data: Table,
    row: tuple[tuple[str, ...], ...],
    *,
    keep_next: bool = False,
    protected: Protected | None = None,
) -> list[str]:
    """The cell contents (paragraph XML) of one row, unchanged.

    ``keep_next`` keeps the row on the page of the next one (Word keeps a table together so).
    """
    return [
        "".join(
            paragraph(
                cell_style(data, column), _runs(line), keep_next=keep_next, protected=protected
            )
            for line in lines
        )
        for column, lines in enumerate(row)
    ]


def table(
    data: Table, kind: str, *, whole: bool = False, protected: Protected | None = None
) -> str:
    """One ``w:tbl`` element; data tables have a grid and a repeated header row.

    A ``whole`` table is kept on one page.
    """
    last = len(data.rows) - 1
    rows = [
        table_row(data, row_cells(data, row, keep_next=whole and n < last, protected=protected))
        for n, row in enumerate(data.rows)
    ]
    return table_start(data, kind) + "".join(rows) + "</w:tbl>"


_TOC = ' TOC \\o "1-1" \\h \\z \\u '  # the level-1 headings, linked, as the PDF lists them


def table_of_contents(
    heading: str, entries: list[Entry], bookmarks: dict[str, tuple[int, str]]
) -> str:
    """The table of contents: a ``TOC`` field whose shown result already lists ``entries``.

    Each line links to its heading's bookmark. Only the layout knows the pages, so the lines
    have none until Word updates the field, which then writes its own lines with page numbers
    (in style "toc 1"); the list reads correctly before that. It is a content control of its
    own, as Word writes one, so reading the body skips it.
    """
    lines = []
    for n, entry in enumerate(entries):
        _, name = bookmarks[entry.anchor]
        number = run(entry.number) if entry.number else ""
        link = (
            f'<w:hyperlink w:anchor="{name}" w:history="1">{number}<w:r><w:tab/></w:r>'
            f"{run(entry.title)}</w:hyperlink>"
        )
        start = "" if n else _FIELD_START.format(instruction=xml_text(_TOC))
        end = _FIELD_END if n == len(entries) - 1 else ""
        lines.append(f'<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr>{start}{link}{end}</w:p>')
    return (
        "<w:sdt><w:sdtPr><w:docPartObj>"
        '<w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/>'
        "</w:docPartObj></w:sdtPr><w:sdtContent>"
        + paragraph("DpaContentsHeading", _runs(heading))
        + "".join(lines)
        + "</w:sdtContent></w:sdt>"
    )


_FIELD_START = (
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve">{instruction}</w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
)
_FIELD_END = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def _runs(text: str) -> Runs:
    return (Run(text),)


def _whole_tables(blocks: list[Block]) -> set[int]:
    """The indexes of the tables kept on one page: records and short tables."""
    whole = set()
    for index, block in enumerate(blocks):
        if isinstance(block, Para) and block.style == "annex_section" and kept_whole(blocks, index):
            following = index + 1
            while following < len(blocks) and blocks[following].style == "lead":
                following += 1
            whole.add(following)  # the section's table: kept whole, a section has one
    return whole


def body(blocks: list[Block], contents_heading: str = "") -> str:
    """The XML of all ``blocks``, ready to replace the template's ``{{p body }}`` paragraph.

    With ``contents_heading`` a table of contents precedes the first clause, on a page of its own.
    """
    protected = Protected(names(blocks))
    entries = contents(blocks) if contents_heading else []
    bookmarks = {entry.anchor: (n, f"_Toc{n:09d}") for n, entry in enumerate(entries, 1)}
    whole = _whole_tables(blocks)
    parts: list[str] = []
    for index, block in enumerate(blocks):
        if isinstance(block, TableBlock):
            parts.append(table(block.table, block.style, whole=index in whole, protected=protected))
            parts.append('<w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>')
            continue
        contents_before = bool(entries) and block.begins == "clause"
        if contents_before:
            parts.append(table_of_contents(contents_heading, entries, bookmarks))
            entries = []
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        parts.append(
            paragraph(
                PARAGRAPH_STYLES[block.style],
                block.runs,
                keep_next=block.style == "lead" and isinstance(following, TableBlock),
                page_break=contents_before,
                protected=protected,
                bookmark=bookmarks.get(block.anchor),
            )
        )
    return "".join(parts)
