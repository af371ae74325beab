"""Reports across all agreements: the Art. 30(2) record of processing and the retention schedule.

Both are built from the same files as the agreements, so the contracts and the records cannot
drift apart. Tables are written as CSV (UTF-8 with a byte-order mark, for spreadsheets) or XLSX.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from .errors import ProblemsFound
from .inputs import Inputs, has_errors
from .labels import EEA, Labels, country_name
from .validate import validate_workspace
from .workspace import Workspace

Table = tuple[list[str], list[list[str]]]


def _text(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def _texts(values: Any, lang: str) -> str:
    return "; ".join(_text(value, lang) for value in values or [])


def _valid_inputs(ws: Workspace) -> Inputs:
    inputs, problems = validate_workspace(ws)
    if has_errors(problems):
        raise ProblemsFound(problems, hint="Reports are made from valid agreements only")
    return inputs


def records_table(ws: Workspace, lang: str = "sv") -> Table:
    """One row per processing activity of every client: the processor's record (Art. 30(2))."""
    inputs = _valid_inputs(ws)
    label = Labels(lang)
    header = [
        "client",
        "controller",
        "org_no",
        "address",
        "contact",
        "dpo",
        "activity",
        "purposes",
        "data_subjects",
        "personal_data",
        "transfers",
        "security_measures",
        "certifications",
    ]
    rows = []
    for client, agreement in inputs.agreements.items():
        party = agreement.data["client"]
        address = party["address"]
        contact = party["contacts"]["admin"]
        dpo = party.get("dpo") or {}
        instructions, security, subprocessors = (
            agreement.annexes[kind].data if kind in agreement.annexes else {}
            for kind in ("instructions", "security", "subprocessors")
        )
        transfers = "; ".join(
            f"{entry['name']} ({country_name(entry['location'], lang)}): "
            f"{_text(entry.get('transfer_mechanism'), lang)}"
            for entry in subprocessors.get("subprocessors") or []
            if entry["location"] not in EEA
        )
        headings = label.group("security.headings")
        measures = "; ".join(
            headings[key] for key in headings if key in (security.get("measures") or {})
        )
        certificates = "; ".join(
            f"{c['scheme']} ({c['valid_until'].isoformat()})"
            for c in security.get("certifications") or []
        )
        for activity in instructions.get("activities") or []:
            rows.append(
                [
                    client,
                    party["name"],
                    party["org_no"],
                    f"{address['street']}, {address['postal_code']} {address['city']}",
                    f"{contact['name']}, {contact['email']}",
                    f"{dpo.get('name', '')} {dpo.get('email', '')}".strip(),
                    _text(activity.get("name"), lang),
                    _texts(activity.get("purposes"), lang),
                    _texts(activity.get("data_subjects"), lang),
                    _texts(activity.get("personal_data"), lang),
                    transfers,
                    measures,
                    certificates,
                ]
            )
    return header, rows


def retention_table(ws: Workspace, lang: str = "sv") -> Table:
    """One row per retention and purge rule across all clients."""
    inputs = _valid_inputs(ws)
    header = [
        "client",
        "controller",
        "data",
        "period",
        "trigger",
        "action",
        "responsible",
        "legal_basis",
        "annex_version",
        "effective_date",
    ]
    rows = []
    for client, agreement in inputs.agreements.items():
        doc = agreement.annexes.get("instructions")
        if doc is None:
            continue
        for rule in doc.data.get("retention") or []:
            rows.append(
                [
                    client,
                    agreement.data["client"]["name"],
                    _text(rule.get("data"), lang),
                    _text(rule.get("period"), lang),
                    _text(rule.get("trigger"), lang),
                    _text(rule.get("action"), lang),
                    _text(rule.get("responsible"), lang),
                    _text(rule.get("disposal_decision"), lang),
                    str(doc.data["version"]),
                    doc.data["effective_date"].isoformat(),
                ]
            )
    return header, rows


def table_bytes(table: Table, fmt: str, title: str) -> bytes:
    """The table as CSV or XLSX; the same table always gives the same bytes."""
    header, rows = table
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from .render.docx import normalize_zip

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    fixed = dt.datetime(2000, 1, 1)
    book.properties.created = book.properties.modified = fixed
    book.properties.creator = "dpagen"
    output = io.BytesIO()
    book.save(output)
    return normalize_zip(output.getvalue())
