"""Reading DOCX files, including ones that come back from outside, and their body text.

A DOCX is a zip archive; one sent back by a client could unpack to gigabytes. ``open_docx``
refuses an archive whose parts would unpack to more than ``MAX_UNPACKED`` bytes before
python-docx reads any of it (python-docx parses XML without resolving entities).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
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
    """A paragraph's text with tracked insertions included and deletions left out.

    A tab typed between a number and the text ("16.1<tab>...") is kept as a tab.
    """
    parts = []
    for node in paragraph.iter(f"{_W}t", f"{_W}tab"):
        if node.tag == f"{_W}t":
            parts.append(node.text or "")
        elif _typed_tab(node):
            parts.append("\t")
    return "".join(parts)


def _typed_tab(node: Any) -> bool:
    """A tab in the text, not a tab stop of the paragraph's properties nor a deleted one."""
    run = node.getparent()
    return bool(run.tag == f"{_W}r" and run.getparent().tag != f"{_W}del")


@dataclass(frozen=True)
class BodyLine:
    """One non-empty paragraph or table row of a DOCX body, in reading order.

    A paragraph has its style's id and name: editors may rename the id (LibreOffice writes
    "DPAClause" for "DpaClause", a Swedish Word "Rubrik1" for "Heading1") but keep the name.
    """

    text: str
    style: str = ""  # the style id, "" for a table row or a paragraph without a style
    style_name: str = ""
    cells: tuple[str, ...] = ()  # a table row's cells; empty for a paragraph
    header: bool = False  # the row repeated at the top of each page
    headed: bool = False  # a row of a table that has such a header row


def docx_body(data: bytes) -> list[BodyLine]:
    """The non-empty paragraphs and table rows of ``data``, each with its style or cells."""
    from docx.table import Table

    document = open_docx(data)
    names = _style_names(document)
    lines: list[BodyLine] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = _text(child)
            if text:
                style = _style_id(child)
                lines.append(BodyLine(text, style, names.get(style, "")))
        elif tag == "tbl":
            rows = Table(child, document).rows
            headed = any(_is_header(row) for row in rows)
            for row in rows:
                cells = tuple(
                    " / ".join(t for t in (_text(p._p) for p in cell.paragraphs) if t)
                    for cell in row.cells
                )
                lines.append(
                    BodyLine(" | ".join(cells), cells=cells, header=_is_header(row), headed=headed)
                )
    return lines


def docx_lines(data: bytes) -> list[str]:
    """Non-empty paragraphs and table rows (cells joined by " | ", lines by " / ")."""
    return [line.text for line in docx_body(data)]


def _style_names(document: Any) -> dict[str, str]:
    names = {}
    for style in document.styles.element.iterchildren(f"{_W}style"):
        name = style.find(f"{_W}name")
        if name is not None:
            names[style.get(f"{_W}styleId") or ""] = name.get(f"{_W}val") or ""
    return names


def _style_id(paragraph: Any) -> str:
    node = paragraph.find(f"{_W}pPr/{_W}pStyle")
    return (node.get(f"{_W}val") or "") if node is not None else ""


def _is_header(row: Any) -> bool:
    return row._tr.find(f"{_W}trPr/{_W}tblHeader") is not None
