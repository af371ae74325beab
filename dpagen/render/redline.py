"""A DOCX of the new version with Word tracked changes against the old one.

:mod:`dpagen.compare` aligns the two versions; this module writes ``w:ins``/``w:del`` with one
author and date and sequential ids. Accepting all changes gives the new version's text,
rejecting all the old version's.
"""

from __future__ import annotations

from pathlib import Path

from dpagen.changes.alignment import MarkedPara, MarkedTable, compare
from dpagen.document.model import Document
from dpagen.render.wordml import PARAGRAPH_STYLES, table_row, table_start, xml_text

AUTHOR = "dpagen"
_CELL_STYLES = {"label": "DpaTableHeader", "cell": "DpaTableText"}


class _Marks:
    """Revision attributes with ids that are unique within the document."""

    def __init__(self, date: str) -> None:
        self.date = date
        self.next_id = 0

    def attrs(self) -> str:
        self.next_id += 1
        return f'w:id="{self.next_id}" w:author="{AUTHOR}" w:date="{self.date}"'

    def segment(self, kind: str, text: str) -> str:
        if kind == "=":
            return f'<w:r><w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'
        if kind == "+":
            return (
                f'<w:ins {self.attrs()}><w:r><w:t xml:space="preserve">{xml_text(text)}'
                "</w:t></w:r></w:ins>"
            )
        return (
            f'<w:del {self.attrs()}><w:r><w:delText xml:space="preserve">{xml_text(text)}'
            "</w:delText></w:r></w:del>"
        )

    def mark(self, kind: str) -> str:
        if kind == "+":
            return f"<w:ins {self.attrs()}/>"
        if kind == "-":
            return f"<w:del {self.attrs()}/>"
        return ""


def _paragraph(marks: _Marks, para: MarkedPara) -> str:
    style = _CELL_STYLES.get(para.style) or PARAGRAPH_STYLES[para.style]
    mark = marks.mark(para.mark)
    rpr = f"<w:rPr>{mark}</w:rPr>" if mark else ""
    content = "".join(marks.segment(kind, text) for kind, text in para.segments)
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{rpr}</w:pPr>{content}</w:p>'


def _table(marks: _Marks, marked: MarkedTable) -> str:
    rows = []
    for row in marked.rows:
        cells = ["".join(_paragraph(marks, p) for p in cell) for cell in row.cells]
        rows.append(table_row(marked.table, cells, marks.mark(row.mark)))
    return (
        table_start(marked.table, marked.kind)
        + "".join(rows)
        + "</w:tbl>"
        + '<w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>'
    )


def redline_body(old: Document, new: Document) -> str:
    """The body XML of ``new`` with tracked changes against ``old``."""
    marks = _Marks(f"{new.iso_date}T00:00:00Z")
    return "".join(
        _table(marks, block) if isinstance(block, MarkedTable) else _paragraph(marks, block)
        for block in compare(old, new)
    )


def render_redline_docx(old: Document, new: Document, templates: Path) -> bytes:
    """The DOCX of ``new`` with tracked changes against ``old``."""
    from dpagen.render.docx import render_docx

    return render_docx(new, templates, body_xml=redline_body(old, new))
