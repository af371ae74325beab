"""Two versions of a document laid side by side: paragraphs and table rows aligned, words marked.

The result is format-neutral; the Word and HTML redline writers turn it into tracked changes or
``<ins>``/``<del>`` marks. Clause numbers are not text here, so renumbering is never a change.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from dpagen.document.model import Document, Table, plain
from dpagen.document.outline import Block, Para, TableBlock, outline
from dpagen.inputs.identity import same_keys

Segment = tuple[str, str]  # ("=", text) kept, ("-", text) deleted, ("+", text) inserted
_TOKEN = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class MarkedPara:
    """A paragraph; ``mark`` is "+" or "-" when it was inserted or deleted as a whole."""

    style: str
    number: str
    segments: tuple[Segment, ...]
    mark: str = ""


@dataclass(frozen=True)
class MarkedRow:
    """A table row; each cell is a list of paragraphs."""

    cells: tuple[tuple[MarkedPara, ...], ...]
    mark: str = ""


@dataclass(frozen=True)
class MarkedTable:
    """A table of the new version (header, widths, kind) with marked rows."""

    table: Table
    kind: str
    rows: tuple[MarkedRow, ...]


Marked = MarkedPara | MarkedTable


def word_segments(old: str, new: str) -> tuple[Segment, ...]:
    """``new`` against ``old`` as kept, deleted and inserted runs of words."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("-", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", "".join(b[j1:j2])))
    return tuple(out)


def _whole(style: str, number: str, text: str, mark: str) -> MarkedPara:
    return MarkedPara(style, number, ((mark, text),), mark)


def _lines(style: str, a: list[str], b: list[str]) -> tuple[MarkedPara, ...]:
    if bool(a) != bool(b):
        # an empty cell still holds one empty paragraph, so the first text filled in (or the
        # last taken out) changes that paragraph's words instead of inserting or deleting it
        lines, kind = (b, "+") if b else (a, "-")
        first = MarkedPara(style, "", ((kind, lines[0]),))
        return (first, *(_whole(style, "", text, kind) for text in lines[1:]))
    out: list[MarkedPara] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out += [MarkedPara(style, "", (("=", text),)) for text in b[j1:j2]]
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        out += [MarkedPara(style, "", word_segments(a[i1 + k], b[j1 + k])) for k in range(pairs)]
        out += [_whole(style, "", text, "-") for text in a[i1 + pairs : i2]]
        out += [_whole(style, "", text, "+") for text in b[j1 + pairs : j2]]
    return tuple(out)


def _cell_style(table: Table, column: int) -> str:
    return "label" if not table.header and column == 0 else "cell"


def _row(table: Table, row: tuple[tuple[str, ...], ...], mark: str) -> MarkedRow:
    return MarkedRow(
        tuple(
            tuple(_whole(_cell_style(table, c), "", line, mark) for line in lines)
            for c, lines in enumerate(row)
        ),
        mark,
    )


def _changed_row(
    table: Table, old: tuple[tuple[str, ...], ...], new: tuple[tuple[str, ...], ...]
) -> list[MarkedRow]:
    """One row with its cells' changes marked; a row whose columns changed is replaced."""
    if len(old) != len(new):
        return [_row(table, old, "-"), _row(table, new, "+")]
    cells = tuple(
        _lines(_cell_style(table, c), list(x), list(y))
        for c, (x, y) in enumerate(zip(old, new, strict=True))
    )
    return [MarkedRow(cells)]


def _table(old: TableBlock | None, new: TableBlock | None) -> MarkedTable:
    block = new or old
    assert block is not None
    table = block.table
    rows_a = list(old.table.rows) if old else []
    rows_b = list(new.table.rows) if new else []
    rows: list[MarkedRow] = []
    # rows with identities (annex list items) match by identity: a row of another item is
    # never taken for a changed version of this one
    keyed = bool(old and new and old.table.row_keys and new.table.row_keys)
    matcher: difflib.SequenceMatcher[Any]
    if keyed and old and new:
        keys_b = list(new.table.row_keys)
        keys_a = same_keys(list(old.table.row_keys), keys_b)
        matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    else:
        matcher = difflib.SequenceMatcher(None, rows_a, rows_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for x, y in zip(rows_a[i1:i2], rows_b[j1:j2], strict=True):
                rows += [_row(table, y, "=")] if x == y else _changed_row(table, x, y)
            continue
        pairs = 0 if keyed else min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            rows += _changed_row(table, rows_a[i1 + k], rows_b[j1 + k])
        rows += [_row(table, row, "-") for row in rows_a[i1 + pairs : i2]]
        rows += [_row(table, row, "+") for row in rows_b[j1 + pairs : j2]]
    return MarkedTable(table, block.style, tuple(rows))


def _key(block: Block) -> tuple[str, ...]:
    # an annex list item's blocks match by what they stand for, so an unchanged activity or
    # sub-processor is paired with itself wherever others were inserted or removed
    if isinstance(block, Para):
        if block.identity:
            return ("item", block.style, block.identity)
        return ("p", block.style, plain(block.runs))
    return ("t", block.style, block.identity, *block.table.header)


def _is_identity(key: tuple[str, ...]) -> bool:
    return key[0] == "item" or (key[0] == "t" and bool(key[2]))


def _para(old: Para | None, new: Para | None) -> MarkedPara:
    if old is None:
        assert new is not None
        return _whole(new.style, new.number, plain(new.runs), "+")
    if new is None:
        return _whole(old.style, old.number, plain(old.runs), "-")
    return MarkedPara(new.style, new.number, word_segments(plain(old.runs), plain(new.runs)))


def _pair(old: Block | None, new: Block | None) -> Marked:
    if isinstance(new, TableBlock) or isinstance(old, TableBlock):
        return _table(
            old if isinstance(old, TableBlock) else None,
            new if isinstance(new, TableBlock) else None,
        )
    return _para(old, new)  # type: ignore[arg-type]


def compare(old: Document, new: Document) -> list[Marked]:
    """Every block of ``new`` with what changed since ``old`` marked, deletions in place."""
    a, b = outline(old), outline(new)
    result: list[Marked] = []
    keys_a, keys_b = [_key(x) for x in a], [_key(x) for x in b]
    # an item that gained or lost an id between the versions keeps its place in the pairing
    identities_b = [key[2] for key in keys_b if _is_identity(key)]
    identities_a = [key[2] for key in keys_a if _is_identity(key)]
    renamed = dict(zip(identities_a, same_keys(identities_a, identities_b), strict=True))
    keys_a = [(*k[:2], renamed[k[2]], *k[3:]) if _is_identity(k) else k for k in keys_a]
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            result += [_pair(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
            continue
        old_blocks, new_blocks = list(a[i1:i2]), list(b[j1:j2])
        while old_blocks and new_blocks and type(old_blocks[0]) is type(new_blocks[0]):
            result.append(_pair(old_blocks.pop(0), new_blocks.pop(0)))
        result += [_pair(x, None) for x in old_blocks]
        result += [_pair(None, y) for y in new_blocks]
    return result
