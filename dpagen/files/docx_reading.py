"""Reading DOCX files, including ones that come back from outside, and their body text.

A DOCX is a zip archive; one sent back by a client could unpack to gigabytes. ``open_docx``
refuses an archive whose parts would unpack to more than ``MAX_UNPACKED`` bytes before
python-docx reads any of it (python-docx parses XML without resolving entities).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_UNPACKED = 256 * 1024 * 1024


class TooLarge(ValueError):
    """The archive would unpack to more than ``MAX_UNPACKED`` bytes."""


def open_docx(data: bytes) -> Any:
    """A python-docx document from ``data``, refused when it would unpack too large.

    Raises:
        TooLarge: the parts add up to more than ``MAX_UNPACKED`` bytes.
        zipfile.BadZipFile, ValueError, KeyError: not a readable DOCX.
    """
    from docx import Document as open_document

    # zipfile reads no more than each part's declared size, so the declared sizes bound it
    size = sum(info.file_size for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    if size > MAX_UNPACKED:
        raise TooLarge(f"the DOCX would unpack to {size // (1024 * 1024)} MiB")
    return open_document(io.BytesIO(data))


def _text(paragraph: Any) -> str:
    """A paragraph's text with tracked insertions included and deletions left out."""
    return "".join(node.text or "" for node in paragraph.iter(f"{_W}t"))


def docx_lines(data: bytes) -> list[str]:
    """Non-empty paragraphs and table rows (cells joined by " | ", lines by " / ")."""
    from docx.table import Table

    document = open_docx(data)
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
