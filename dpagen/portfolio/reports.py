"""Reports across all agreements: the Art. 30(2) record of processing and the retention schedule.

Both are built from the same files as the agreements, so the contracts and the records cannot
drift apart. Tables are written as CSV (UTF-8 with a byte-order mark, for spreadsheets) or XLSX;
the record also as a PDF to read and file, laid out by ``render/records_html.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from dpagen.checks.validate import validate_workspace
from dpagen.document import transfers
from dpagen.document.labels import EEA, Labels, country_name, in_language
from dpagen.errors import ProblemsFound, UsageError
from dpagen.files.atomic import write_atomic
from dpagen.inputs.load import Inputs, has_errors
from dpagen.output.paths import workspace_output_root
from dpagen.workspace import Workspace

Table = tuple[list[str], list[list[str]]]


def _texts(values: Any, lang: str) -> list[str]:
    return [in_language(value, lang) for value in values or []]


def _valid_inputs(ws: Workspace) -> Inputs:
    inputs, problems = validate_workspace(ws)
    if has_errors(problems):
        raise ProblemsFound(problems, hint="Reports are made from valid agreements only")
    return inputs


def records_table(ws: Workspace, lang: str = "sv") -> Table:
    """One row per processing activity of every client: the processor's record (Art. 30(2))."""
    header, rows = _records(_valid_inputs(ws), lang)
    return header, [["; ".join(cell) for cell in row] for row in rows]


def _records(inputs: Inputs, lang: str) -> tuple[list[str], list[list[list[str]]]]:
    """The record's columns and rows; each cell is a list of items (one purpose, one transfer)."""
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
        dpo_data = party.get("dpo") or {}
        dpo = f"{dpo_data.get('name', '')} {dpo_data.get('email', '')}".strip()
        instructions, security, subprocessors = (
            agreement.annexes[kind].data if kind in agreement.annexes else {}
            for kind in ("instructions", "security", "subprocessors")
        )
        transfers = [
            f"{entry['name']} ({country_name(entry['location'], lang)}): "
            + _transfer_basis(entry, lang)
            for entry in subprocessors.get("subprocessors") or []
            if entry["location"] not in EEA
        ]
        headings = label.group("security.headings")
        measures = [headings[key] for key in headings if key in (security.get("measures") or {})]
        certificates = [
            f"{c['scheme']} ({c['valid_until'].isoformat()})"
            for c in security.get("certifications") or []
        ]
        for activity in instructions.get("activities") or []:
            rows.append(
                [
                    [client],
                    [party["name"]],
                    [party["org_no"]],
                    [f"{address['street']}, {address['postal_code']} {address['city']}"],
                    [f"{contact['name']}, {contact['email']}"],
                    [dpo] if dpo else [],
                    [in_language(activity.get("name"), lang)],
                    _texts(activity.get("purposes"), lang),
                    _texts(activity.get("data_subjects"), lang),
                    _texts(activity.get("personal_data"), lang),
                    transfers,
                    measures,
                    certificates,
                ]
            )
    return header, rows


def records_pdf(ws: Workspace, lang: str = "sv", made: dt.date | None = None) -> tuple[bytes, int]:
    """The record as a PDF to read and file, and its number of processing activities.

    ``made`` (default: today) is printed as the date the record was made; the same inputs and
    date always give the same bytes.
    """
    from dpagen.render.pdf import html_to_pdf
    from dpagen.render.records_html import render_records_html

    inputs = _valid_inputs(ws)
    header, rows = _records(inputs, lang)
    day = made or dt.date.today()
    html = render_records_html(inputs.processor, header, rows, lang, day)
    return html_to_pdf(html, ws.templates, day.isoformat()), len(rows)


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
        "disposal_decision",
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
                    in_language(rule.get("data"), lang),
                    in_language(rule.get("period"), lang),
                    in_language(rule.get("trigger"), lang),
                    in_language(rule.get("action"), lang),
                    in_language(rule.get("responsible"), lang),
                    _disposal_decision(rule, doc.data.get("disposal_plan"), lang),
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

    from dpagen.render.docx import normalize_zip

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
    return normalize_zip(_fixed_modified(output.getvalue(), fixed))


def _fixed_modified(data: bytes, fixed: dt.datetime) -> bytes:
    """Set the workbook's modification time, which openpyxl stamps with the clock on saving."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*",
                    rb"\g<1>" + fixed.strftime("%Y-%m-%dT%H:%M:%SZ").encode(),
                    content,
                )
            target.writestr(info, content)
    return output.getvalue()


def write_report(
    ws: Workspace,
    kind: str,
    fmt: str,
    lang: str = "sv",
    *,
    out: Path | None = None,
    made: dt.date | None = None,
) -> tuple[Path, int]:
    """Write the ``records`` or ``retention`` report to ``out`` (default: the output folder).

    Returns the file written and its number of rows.

    Raises:
        UsageError: a date for a report format that carries none, or an unknown combination.
        ProblemsFound: an agreement does not validate.
    """
    if made is not None and fmt != "pdf":
        raise UsageError("--date goes with --format pdf", "the spreadsheet and CSV carry no date")
    data, rows = report_file(ws, kind, fmt, lang, made=made)
    target = out or workspace_output_root(ws) / f"{kind}.{fmt}"
    write_atomic(target, data)
    return target, rows


def report_file(
    ws: Workspace, kind: str, fmt: str, lang: str = "sv", *, made: dt.date | None = None
) -> tuple[bytes, int]:
    """The ``records`` or ``retention`` report as ``fmt`` bytes, and its number of rows.

    Both are made as XLSX or CSV; the record of processing also as PDF (dated ``made``).
    """
    if fmt == "pdf":
        if kind != "records":
            raise UsageError(f"the {kind} schedule is made as xlsx or csv, not pdf")
        return records_pdf(ws, lang, made)
    table = records_table(ws, lang) if kind == "records" else retention_table(ws, lang)
    return table_bytes(table, fmt, kind), len(table[1])


def _transfer_basis(entry: dict[str, Any], lang: str) -> str:
    """The basis of a transfer in full, as the annex states it."""
    transfer = entry.get("transfer")
    if not transfer:
        return in_language(entry.get("transfer_mechanism"), lang)
    text = transfers.texts_in(lang)
    return transfers.basis(transfer, Labels(lang), text, ())


def _disposal_decision(rule: dict[str, Any], plan: Any, lang: str) -> str:
    """The rule's disposal decision in full: the annex's plan with the rule's item of it."""
    item = in_language(rule.get("disposal_decision"), lang)
    if not plan or not item:
        return item
    return f"{in_language(plan, lang)}, {item}"
