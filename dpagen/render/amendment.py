"""An amendment for the client: what changes, from when, with the old and the new wording.

Only the changed paragraphs and table rows are shown, each under the clause or annex section it
belongs to, so the client can read a change without the whole agreement.
"""

from __future__ import annotations

from html import escape
from typing import Any

from dpagen.changes.alignment import Marked, MarkedPara, MarkedRow, MarkedTable, compare
from dpagen.document.labels import Labels
from dpagen.document.model import Document
from dpagen.render.redline_html import STYLE

_CONTEXT = ("clause_heading", "annex_title", "annex_section", "heading")


def _text(para: MarkedPara, side: str) -> str:
    return "".join(text for kind, text in para.segments if kind in ("=", side))


def _changed(para: MarkedPara) -> bool:
    return any(kind != "=" for kind, _ in para.segments)


def _wording(label: Labels, old: str, new: str, number: str = "") -> str:
    rows = (
        [f'<p class="legend">{escape(label("clause_ref").capitalize())} {escape(number)}</p>']
        if number
        else []
    )
    if old:
        rows.append(f"<p><strong>{escape(label('amendment.old'))}:</strong> {escape(old)}</p>")
    if new:
        rows.append(f"<p><strong>{escape(label('amendment.new'))}:</strong> {escape(new)}</p>")
    if not old:
        rows.insert(0, f'<p class="legend">{escape(label("amendment.added"))}</p>')
    if not new:
        rows.insert(0, f'<p class="legend">{escape(label("amendment.removed"))}</p>')
    return '<div class="change">' + "".join(rows) + "</div>"


def _row_text(row: MarkedRow, side: str) -> str:
    return " | ".join(" / ".join(_text(p, side) for p in cell) for cell in row.cells)


def _moved(blocks: list[Marked]) -> tuple[set[int], set[tuple[int, int]]]:
    """Blocks and table rows that only moved: taken out in one place, put back unchanged.

    The order of a list's items (the sub-processors, say) carries no obligation, so an item
    that moved is no change the client agrees to; the redlines still show it.
    """
    units: list[tuple[str, tuple[Any, ...], tuple[int, ...], tuple[tuple[int, int], ...]]] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if isinstance(block, MarkedPara) and block.style in _CONTEXT and block.mark:
            mark, end = block.mark, index + 1
            while end < len(blocks):
                follower = blocks[end]
                if not isinstance(follower, MarkedTable) or any(
                    r.mark != mark for r in follower.rows
                ):
                    break
                end += 1
            tables = blocks[index + 1 : end]
            content: tuple[Any, ...] = (
                _text(block, mark),
                tuple(
                    _row_text(row, mark)
                    for t in tables
                    if isinstance(t, MarkedTable)
                    for row in t.rows
                ),
            )
            units.append((mark, content, tuple(range(index, end)), ()))
            index = end
            continue
        if isinstance(block, MarkedTable):
            for number, row in enumerate(block.rows):
                if row.mark in ("+", "-"):
                    row_content = (block.table.header, _row_text(row, row.mark))
                    units.append((row.mark, row_content, (), ((index, number),)))
        index += 1
    waiting: dict[tuple[Any, ...], list[int]] = {}
    for position, (mark, content, _, _) in enumerate(units):
        if mark == "-":
            waiting.setdefault(content, []).append(position)
    blocks_moved: set[int] = set()
    rows_moved: set[tuple[int, int]] = set()
    for mark, content, block_indexes, row_indexes in units:
        if mark == "+" and waiting.get(content):
            removed = units[waiting[content].pop(0)]
            blocks_moved.update(block_indexes + removed[2])
            rows_moved.update(row_indexes + removed[3])
    return blocks_moved, rows_moved


def _heading(parts: list[str]) -> str:
    """The context parts joined, without a part the one before already ends with."""
    kept: list[str] = []
    for part in parts:
        if part and not (kept and kept[-1].endswith(part)):
            kept.append(part)
    return " – ".join(kept)


def render_amendment_html(old: Document, new: Document, effective: str) -> bytes:
    """The amendment page as HTML (UTF-8)."""
    label = Labels(new.lang)
    context: dict[str, str] = {}
    sections: list[tuple[str, list[str]]] = []

    def add(item: str) -> None:
        heading = _heading(list(context.values()))
        if not sections or sections[-1][0] != heading:
            sections.append((heading, []))
        sections[-1][1].append(item)

    whole_item = ""  # "+" or "-" while the rows of an item added or removed whole follow
    blocks = compare(old, new)
    moved_blocks, moved_rows = _moved(blocks)
    for position, block in enumerate(blocks):
        if position in moved_blocks:
            continue
        if isinstance(block, MarkedTable):
            for row_number, row in enumerate(block.rows):
                if (position, row_number) in moved_rows:
                    continue
                if row.mark == "=" or not (
                    row.mark or any(_changed(p) for cell in row.cells for p in cell)
                ):
                    continue
                before, after = _row_text(row, "-"), _row_text(row, "+")
                if row.mark and row.mark == whole_item:  # its heading says it came or went
                    add(f"<p>{escape(after if row.mark == '+' else before)}</p>")
                    continue
                add(
                    _wording(
                        label, "" if row.mark == "+" else before, "" if row.mark == "-" else after
                    )
                )
            continue
        # a heading that came or went whole (an added activity, a removed sub-processor) heads
        # its own changes, not the changes of the item before it
        whole = block.mark in ("+", "-")
        if block.style in _CONTEXT and (whole or not _changed(block)):
            level = {"clause_heading": 0, "heading": 0, "annex_title": 0, "annex_section": 1}
            keys = list(context)
            depth = level[block.style]
            for key in keys[depth:]:
                del context[key]
            number = f"{label('clause_ref')} {block.number.rstrip('.')} " if block.number else ""
            context[f"{depth}"] = (number + _text(block, block.mark or "+")).strip()
            whole_item = block.mark if whole else ""
            if whole:
                legend = label("amendment.added" if block.mark == "+" else "amendment.removed")
                add(f'<div class="change"><p class="legend">{escape(legend)}</p></div>')
            continue
        if _changed(block):
            number = block.number if "." in block.number.strip(".") else ""
            add(
                _wording(
                    label,
                    "" if block.mark == "+" else _text(block, "-"),
                    "" if block.mark == "-" else _text(block, "+"),
                    number,
                )
            )
    title = label("amendment.title")
    body = [
        f'<div class="running-header">{escape(title)} · {escape(new.agreement_id)}</div>',
        f'<div class="running-footer">{escape(new.page_word)} <span class="page"></span> '
        f'{escape(new.of_word)} <span class="pages"></span></div>',
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(label('amendment.intro', id=new.agreement_id, date=effective))}</p>",
    ]
    if not sections:
        body.append(f"<p>{escape(label('redline.none'))}</p>")
    for heading, items in sections:
        body.append(f"<h2>{escape(heading[:1].upper() + heading[1:] if heading else title)}</h2>")
        body += items
    page = (
        f'<!DOCTYPE html><html lang="{new.lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} – {escape(new.agreement_id)}</title>"
        f'<meta name="dcterms.created" content="{new.iso_date}">'
        '<link rel="stylesheet" href="agreement.css">'
        f"<style>{STYLE} div.change {{ margin: 0 0 4mm; }}</style></head>"
        f"<body>{''.join(body)}</body></html>"
    )
    return page.encode("utf-8")
