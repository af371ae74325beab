"""An amendment for the client: what changes, from when, with the old and the new wording.

Only the changed paragraphs and table rows are shown, each under the clause or annex section it
belongs to, so the client can read a change without the whole agreement.
"""

from __future__ import annotations

from html import escape

from dpagen.changes.alignment import MarkedPara, MarkedTable, compare
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


def render_amendment_html(old: Document, new: Document, effective: str) -> bytes:
    """The amendment page as HTML (UTF-8)."""
    label = Labels(new.lang)
    context: dict[str, str] = {}
    sections: list[tuple[str, list[str]]] = []

    def add(item: str) -> None:
        heading = " – ".join(v for k, v in context.items() if v)
        if not sections or sections[-1][0] != heading:
            sections.append((heading, []))
        sections[-1][1].append(item)

    whole_item = ""  # "+" or "-" while the rows of an item added or removed whole follow
    for block in compare(old, new):
        if isinstance(block, MarkedTable):
            for row in block.rows:
                if row.mark == "=" or not (
                    row.mark or any(_changed(p) for cell in row.cells for p in cell)
                ):
                    continue
                before = " | ".join(" / ".join(_text(p, "-") for p in c) for c in row.cells)
                after = " | ".join(" / ".join(_text(p, "+") for p in c) for c in row.cells)
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
