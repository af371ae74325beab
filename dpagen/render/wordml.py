"""WordprocessingML for the document body: paragraphs with styles, runs and tables.

Text is XML-escaped here and characters XML cannot hold are dropped, so a client's data can
never break the document. Styles and clause numbering live in ``templates/agreement.docx``.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from dpagen.document.model import Run, Runs, Table
from dpagen.document.outline import Block, Para

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


def run(text: str, *, bold: bool = False, italic: bool = False) -> str:
    """One ``w:r`` element."""
    properties = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


def paragraph(style: str, runs: Runs) -> str:
    """One ``w:p`` element in the named style."""
    body = "".join(run(r.text, bold=r.bold, italic=r.italic) for r in runs)
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr>{body}</w:p>'


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
                f"{paragraph('DpaTableHeader', _runs(text))}</w:tc>"
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


def row_cells(data: Table, row: tuple[tuple[str, ...], ...]) -> list[str]:
    """The cell contents (paragraph XML) of one row, unchanged."""
    return [
        "".join(paragraph(cell_style(data, column), _runs(line)) for line in lines)
        for column, lines in enumerate(row)
    ]


def table(data: Table, kind: str) -> str:
    """One ``w:tbl`` element; data tables have a grid and a repeated header row."""
    rows = [table_row(data, row_cells(data, row)) for row in data.rows]
    return table_start(data, kind) + "".join(rows) + "</w:tbl>"


def _runs(text: str) -> Runs:
    return (Run(text),)


def body(blocks: list[Block]) -> str:
    """The XML of all ``blocks``, ready to replace the template's ``{{p body }}`` paragraph."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Para):
            parts.append(paragraph(PARAGRAPH_STYLES[block.style], block.runs))
        else:
            parts.append(table(block.table, block.style))
            parts.append('<w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>')
    return "".join(parts)
