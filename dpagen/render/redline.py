"""A DOCX of the new version with Word tracked changes against the old one.

Both versions are laid out as outlines (the same paragraphs and tables as normal rendering);
paragraphs and table rows are aligned, and what differs becomes ``w:ins``/``w:del`` with one
author and date and sequential ids. Clause numbers are Word numbering, so renumbering is never a
change. Accepting all changes gives the new version's text, rejecting all the old version's.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

from ..model import Document, Run, plain
from ..outline import Block, Para, TableBlock, outline
from .wordml import (
    PARAGRAPH_STYLES,
    cell_style,
    paragraph,
    row_cells,
    table_row,
    table_start,
    xml_text,
)

AUTHOR = "dpagen"
_TOKEN = re.compile(r"\s+|[^\s]+")


class _Marks:
    """Revision attributes with ids that are unique within the document."""

    def __init__(self, date: str) -> None:
        self.date = date
        self.next_id = 0

    def attrs(self) -> str:
        self.next_id += 1
        return f'w:id="{self.next_id}" w:author="{AUTHOR}" w:date="{self.date}"'

    def inserted(self, text: str) -> str:
        return (
            f'<w:ins {self.attrs()}><w:r><w:t xml:space="preserve">{xml_text(text)}</w:t>'
            "</w:r></w:ins>"
        )

    def deleted(self, text: str) -> str:
        return (
            f'<w:del {self.attrs()}><w:r><w:delText xml:space="preserve">{xml_text(text)}'
            "</w:delText></w:r></w:del>"
        )

    def mark(self, kind: str) -> str:
        return f"<w:{kind} {self.attrs()}/>"


def _plain_run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


def _words(marks: _Marks, old: str, new: str) -> str:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(_plain_run("".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(marks.deleted("".join(a[i1:i2])))
        if j2 > j1:
            out.append(marks.inserted("".join(b[j1:j2])))
    return "".join(out)


def _para(style: str, content: str, mark: str = "") -> str:
    rpr = f"<w:rPr>{mark}</w:rPr>" if mark else ""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{rpr}</w:pPr>{content}</w:p>'


def _whole(marks: _Marks, style: str, text: str, kind: str) -> str:
    """A paragraph that was inserted or deleted as a whole, its mark included."""
    content = marks.inserted(text) if kind == "ins" else marks.deleted(text)
    return _para(style, content, marks.mark(kind))


def _cells_whole(
    marks: _Marks, block: TableBlock, row: tuple[tuple[str, ...], ...], kind: str
) -> list[str]:
    return [
        "".join(_whole(marks, cell_style(block.table, c), line, kind) for line in lines)
        for c, lines in enumerate(row)
    ]


def _cells_changed(
    marks: _Marks,
    block: TableBlock,
    old: tuple[tuple[str, ...], ...],
    new: tuple[tuple[str, ...], ...],
) -> list[str]:
    cells = []
    for column, (a, b) in enumerate(zip(old, new, strict=True)):
        style = cell_style(block.table, column)
        cells.append("".join(_lines(marks, style, list(a), list(b))))
    return cells


def _lines(marks: _Marks, style: str, a: list[str], b: list[str]) -> list[str]:
    """Paragraphs of ``b`` against ``a``: equal, word-changed, inserted or deleted."""
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += [paragraph(style, (Run(text),)) for text in b[j1:j2]]
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            out.append(_para(style, _words(marks, a[i1 + k], b[j1 + k])))
        out += [_whole(marks, style, text, "del") for text in a[i1 + pairs : i2]]
        out += [_whole(marks, style, text, "ins") for text in b[j1 + pairs : j2]]
    return out


def _table(marks: _Marks, old: TableBlock | None, new: TableBlock | None) -> str:
    block = new or old
    assert block is not None
    rows_a = list(old.table.rows) if old else []
    rows_b = list(new.table.rows) if new else []
    parts = [table_start(block.table, block.style)]
    matcher = difflib.SequenceMatcher(None, rows_a, rows_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts += [table_row(block.table, row_cells(block.table, row)) for row in rows_b[j1:j2]]
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            parts.append(
                table_row(block.table, _cells_changed(marks, block, rows_a[i1 + k], rows_b[j1 + k]))
            )
        for row in rows_a[i1 + pairs : i2]:
            parts.append(
                table_row(block.table, _cells_whole(marks, block, row, "del"), marks.mark("del"))
            )
        for row in rows_b[j1 + pairs : j2]:
            parts.append(
                table_row(block.table, _cells_whole(marks, block, row, "ins"), marks.mark("ins"))
            )
    parts.append("</w:tbl>")
    parts.append('<w:p><w:pPr><w:spacing w:after="0"/></w:pPr></w:p>')
    return "".join(parts)


def _key(block: Block) -> tuple[str, ...]:
    if isinstance(block, Para):
        return ("p", block.style, plain(block.runs))
    return ("t", block.style, *block.table.header)


def redline_body(old: Document, new: Document) -> str:
    """The body XML of ``new`` with tracked changes against ``old``."""
    marks = _Marks(f"{new.iso_date}T00:00:00Z")
    a, b = outline(old), outline(new)
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(
        None, [_key(x) for x in a], [_key(x) for x in b], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for x, y in zip(a[i1:i2], b[j1:j2], strict=True):
                parts.append(_same(marks, x, y))
            continue
        old_blocks, new_blocks = list(a[i1:i2]), list(b[j1:j2])
        while old_blocks and new_blocks and type(old_blocks[0]) is type(new_blocks[0]):
            parts.append(_changed(marks, old_blocks.pop(0), new_blocks.pop(0)))
        parts += [_gone(marks, x) for x in old_blocks]
        parts += [_new(marks, y) for y in new_blocks]
    return "".join(parts)


def _same(marks: _Marks, old: Block, new: Block) -> str:
    if isinstance(new, TableBlock):
        assert isinstance(old, TableBlock)
        return _table(marks, old, new)
    return paragraph(PARAGRAPH_STYLES[new.style], new.runs)


def _changed(marks: _Marks, old: Block, new: Block) -> str:
    if isinstance(new, TableBlock):
        assert isinstance(old, TableBlock)
        return _table(marks, old, new)
    assert isinstance(old, Para)
    return _para(PARAGRAPH_STYLES[new.style], _words(marks, plain(old.runs), plain(new.runs)))


def _gone(marks: _Marks, old: Block) -> str:
    if isinstance(old, TableBlock):
        return _table(marks, old, None)
    return _whole(marks, PARAGRAPH_STYLES[old.style], plain(old.runs), "del")


def _new(marks: _Marks, new: Block) -> str:
    if isinstance(new, TableBlock):
        return _table(marks, None, new)
    return _whole(marks, PARAGRAPH_STYLES[new.style], plain(new.runs), "ins")


def render_redline_docx(old: Document, new: Document, templates: Path) -> bytes:
    """The DOCX of ``new`` with tracked changes against ``old``."""
    from .docx import render_docx

    return render_docx(new, templates, body_xml=redline_body(old, new))
