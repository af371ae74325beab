"""Plain-text rendering of the document model, for review, golden files and tests."""

from __future__ import annotations

import re

from dpagen.document.model import Document, plain
from dpagen.document.outline import Para, outline, row_text

_BREAKS = re.compile("[\t\r\n\x85\u2028\u2029]")  # a value's own breaks may not split a line


def render_text(doc: Document) -> bytes:
    """The agreement as UTF-8 text: one paragraph or table row per line, numbered."""
    lines: list[str] = []
    for block in outline(doc):
        if isinstance(block, Para):
            if block.style in ("heading", "clause_heading", "annex_title") and lines:
                lines.append("")
            text = plain(block.runs)
            lines.append(f"{block.number} {text}" if block.number else text)
        else:
            table = block.table
            if table.header:
                lines.append(" | ".join(table.header))
            lines += [row_text(row) for row in table.rows]
    return ("\n".join(_BREAKS.sub(" ", line) for line in lines) + "\n").encode("utf-8")
