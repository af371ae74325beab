"""The processor's record of processing (GDPR Art. 30(2)) as an HTML page, laid out as a PDF.

A title page with the processor's identity and contacts and the date the record was made, then
one section per controller, headed by its name: its identity and contacts, then one label/value
table per processing activity, headed by the activity. The labels are the columns of the
record's table, so the PDF, the spreadsheet and the CSV say the same. Every value is
HTML-escaped; the page links the workspace's ``agreement.css`` for fonts and page layout.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from itertools import groupby
from typing import Any

from dpagen.document.dates import long_date
from dpagen.document.labels import Labels
from dpagen.render.html_body import keep_hyphenated

STYLE = """
section.controller { page-break-before: always; }
section.controller h2 { margin-top: 0; }
table.record td { hyphens: manual; }
table.record td:first-child { font-weight: bold; background: #f5f6f8; }
"""
CONTACT_FIELDS = ("name", "role", "email", "phone")


def _values(items: list[str]) -> str:
    return "".join(f"<p>{keep_hyphenated(item)}</p>" for item in items if item) or "<p>–</p>"


def _table(pairs: list[tuple[str, list[str]]]) -> str:
    rows = "".join(
        f"<tr><td><p>{escape(label)}</p></td><td>{_values(items)}</td></tr>"
        for label, items in pairs
    )
    return (
        '<table class="data record"><colgroup><col style="width: 34%"><col style="width: 66%">'
        f"</colgroup><tbody>{rows}</tbody></table>"
    )


def _labelled(
    keys: list[str], cells: list[list[str]], columns: dict[str, str]
) -> list[tuple[str, list[str]]]:
    return [(columns.get(key, key), cell) for key, cell in zip(keys, cells, strict=True)]


def _contact(person: dict[str, Any]) -> str:
    return ", ".join(str(person[key]) for key in CONTACT_FIELDS if person.get(key))


def _processor_pairs(processor: dict[str, Any], label: Labels) -> list[tuple[str, list[str]]]:
    columns = label.group("records.columns")
    roles = label.group("contact_roles")
    address = processor["address"]
    pairs = [
        (label("records.processor"), [str(processor["name"])]),
        (columns["org_no"], [str(processor["org_no"])]),
        (columns["address"], [f"{address['street']}, {address['postal_code']} {address['city']}"]),
    ]
    for role, person in (processor.get("contacts") or {}).items():
        pairs.append((columns["contact"] if role == "admin" else roles[role], [_contact(person)]))
    if processor.get("dpo"):
        pairs.append((columns["dpo"], [_contact(processor["dpo"])]))
    return pairs


def render_records_html(
    processor: dict[str, Any],
    header: list[str],
    rows: list[list[list[str]]],
    lang: str,
    made: dt.date,
) -> bytes:
    """The record as HTML (UTF-8).

    ``header`` names the columns and each row holds one processing activity, each cell a list of
    items; the columns before ``activity`` describe the controller, the others the activity.
    """
    label = Labels(lang)
    columns = label.group("records.columns")
    title = label("records.title")
    name = str(processor["name"])
    split = header.index("activity")
    client_at, controller_at = header.index("client"), header.index("controller")
    body = [
        f'<div class="running-header">{escape(title)} · {escape(name)}</div>',
        f'<div class="running-footer">{escape(label("page"))} <span class="page"></span> '
        f'{escape(label("of"))} <span class="pages"></span></div>',
        f"<h1>{escape(title)}</h1>",
        _table(
            [
                *_processor_pairs(processor, label),
                (label("records.made"), [long_date(made, lang)]),
            ]
        ),
    ]
    for _client, group in groupby(rows, key=lambda row: row[client_at][0]):
        activities = list(group)
        first = activities[0]
        body.append(
            '<section class="controller">'
            f"<h2>{keep_hyphenated(' '.join(first[controller_at]))}</h2>"
            + _table(_labelled(header[:split], first[:split], columns))
        )
        for row in activities:
            body.append(
                f"<h3>{keep_hyphenated(' '.join(row[split]))}</h3>"
                + _table(_labelled(header[split:], row[split:], columns))
            )
        body.append("</section>")
    page = (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{escape(title)} – {escape(name)}</title>"
        f'<meta name="author" content="{escape(name)}">'
        f'<meta name="dcterms.created" content="{made.isoformat()}">'
        f'<meta name="dcterms.modified" content="{made.isoformat()}">'
        '<link rel="stylesheet" href="agreement.css">'
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>"
    )
    return page.encode("utf-8")
