"""A redline page: the change summary, then the new version with insertions and deletions marked.

Insertions are underlined and deletions struck through, so the page also reads in black and
white. It uses the workspace's ``agreement.css`` for fonts and page layout.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from dpagen.changes.alignment import MarkedPara, MarkedTable, compare
from dpagen.document.labels import Labels
from dpagen.document.model import Document

_TAGS = {"=": "span", "+": "ins", "-": "del"}
_HEADINGS = {
    "title": "h2",
    "heading": "h2",
    "clause_heading": "h3",
    "annex_title": "h2",
    "annex_section": "h3",
}
STYLE = """
ins { text-decoration: underline; text-decoration-thickness: 1pt; background: #e3f3e6; }
del { text-decoration: line-through; color: #7a1f1f; background: #fbe4e4; }
tr.inserted td { border-left: 2pt solid #2f7d3b; }
tr.deleted td { border-left: 2pt dashed #7a1f1f; }
p.legend { font-size: 9.5pt; color: #444; }
ul.summary li { margin-bottom: 1mm; }
"""


def _segments(para: MarkedPara) -> str:
    return "".join(f"<{_TAGS[kind]}>{escape(text)}</{_TAGS[kind]}>" for kind, text in para.segments)


def _para(para: MarkedPara) -> str:
    tag = _HEADINGS.get(para.style, "p")
    number = f'<span class="number">{escape(para.number)}</span> ' if para.number else ""
    return f'<{tag} class="{para.style}">{number}{_segments(para)}</{tag}>'


def _table(marked: MarkedTable) -> str:
    total = sum(marked.table.widths)
    parts = [f'<table class="{marked.kind}"><colgroup>']
    parts += [f'<col style="width: {100 * w / total:.1f}%">' for w in marked.table.widths]
    parts.append("</colgroup>")
    if marked.table.header:
        parts.append(
            "<thead><tr>"
            + "".join(f"<th>{escape(h)}</th>" for h in marked.table.header)
            + "</tr></thead>"
        )
    parts.append("<tbody>")
    for row in marked.rows:
        css = {"+": ' class="inserted"', "-": ' class="deleted"'}.get(row.mark, "")
        cells = "".join(
            "<td>" + "".join(f"<p>{_segments(p)}</p>" for p in cell) + "</td>" for cell in row.cells
        )
        parts.append(f"<tr{css}>{cells}</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def render_redline_html(
    old: Document,
    new: Document,
    summary: list[str],
    old_label: str,
    new_label: str,
    templates: Path,
) -> bytes:
    """The redline page as HTML (UTF-8)."""
    del templates  # the page links agreement.css, served from the templates folder
    label = Labels(new.lang)
    title = label("redline.title", title=new.title.lower() if new.lang == "sv" else new.title)
    body = [
        f'<div class="running-header">{escape(title)} · {escape(new.agreement_id)}</div>',
        f'<div class="running-footer">{escape(new.page_word)} <span class="page"></span> '
        f'{escape(new.of_word)} <span class="pages"></span></div>',
        f"<h1>{escape(title)}</h1>",
        f"<p>{escape(label('redline.compared', old=old_label, new=new_label))}</p>",
        f"<h2>{escape(label('redline.summary'))}</h2>",
        '<ul class="summary">' + "".join(f"<li>{escape(line)}</li>" for line in summary) + "</ul>"
        if summary
        else f"<p>{escape(label('redline.none'))}</p>",
        f'<h2 style="page-break-before: always">{escape(label("redline.marked"))}</h2>',
        f'<p class="legend">{escape(label("redline.legend"))}</p>',
    ]
    for block in compare(old, new):
        body.append(_table(block) if isinstance(block, MarkedTable) else _para(block))
    page = (
        f'<!DOCTYPE html><html lang="{new.lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} – {escape(new.agreement_id)}</title>"
        f'<meta name="dcterms.created" content="{new.iso_date}">'
        '<link rel="stylesheet" href="agreement.css">'
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )
    return page.encode("utf-8")
