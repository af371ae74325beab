"""The text of a DOCX body in reading order: one line per paragraph, one per table row."""

from __future__ import annotations

import io
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _text(paragraph: Any) -> str:
    """A paragraph's text with tracked insertions included and deletions left out."""
    return "".join(node.text or "" for node in paragraph.iter(f"{_W}t"))


def docx_lines(data: bytes) -> list[str]:
    """Non-empty paragraphs and table rows (cells joined by " | ", lines by " / ")."""
    from docx import Document as open_docx
    from docx.table import Table

    document = open_docx(io.BytesIO(data))
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = _text(child)
            if text:
                lines.append(text)
        elif tag == "tbl":
            for row in Table(child, document).rows:
                cells = []
                for cell in row.cells:
                    texts = [_text(p._p) for p in cell.paragraphs]
                    cells.append(" / ".join(t for t in texts if t))
                lines.append(" | ".join(cells))
    return lines
