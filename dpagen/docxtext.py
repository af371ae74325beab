"""The text of a DOCX body in reading order: one line per paragraph, one per table row."""

from __future__ import annotations

import io


def docx_lines(data: bytes) -> list[str]:
    """Non-empty paragraphs and table rows (cells joined by " | ", lines by " / ")."""
    from docx import Document as open_docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = open_docx(io.BytesIO(data))
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text
            if text:
                lines.append(text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = [
                    " / ".join(p.text for p in cell.paragraphs if p.text) for cell in row.cells
                ]
                lines.append(" | ".join(cells))
    return lines
