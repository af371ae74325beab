"""``dpagen subprocessors notify``: a letter and a draft annex for every affected client.

For each client that :mod:`dpagen.subprocessor_impact` finds, and in each of the client's
languages, this writes a notice (general authorisation) or a request for approval (specific
authorisation) as PDF and DOCX, with the new sub-processor's details and the dates that follow
from that client's terms; and the draft of the updated sub-processor annex, both as the YAML file
to put in place once the change may take effect and rendered as a draft document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpagen.checks.legal import check_agreement
from dpagen.document.assemble import assemble
from dpagen.document.dates import long_date
from dpagen.document.labels import EEA, Labels, country_name, in_language
from dpagen.document.model import Annex, Document, DocumentKind, Section, Table
from dpagen.errors import Problem, ProblemsFound
from dpagen.files.atomic import write_atomic
from dpagen.files.yaml_edit import edited_yaml, mapping
from dpagen.inputs.load import Inputs, has_errors
from dpagen.inputs.register import resolve_annex
from dpagen.inputs.schema import validate_loaded
from dpagen.inputs.yaml_positions import parse_yaml
from dpagen.output.paths import output_root
from dpagen.portfolio.subprocessor_impact import (
    Affected,
    Impact,
    SubprocessorChange,
    change_impact,
)
from dpagen.releases.issue import annex_document
from dpagen.results import count
from dpagen.workspace import Workspace


@dataclass
class NoticeReport:
    """What ``notify`` wrote."""

    impact: Impact
    folder: Path
    files: list[Path] = field(default_factory=list)

    def summary(self) -> str:
        """The closing line: clients notified and files written."""
        clients = count(len(self.impact.affected), "client")
        return f"{clients} notified, {count(len(self.files), 'file')} written."


def notify(
    ws: Workspace,
    change: SubprocessorChange,
    date: dt.date | None = None,
    *,
    out: Path | None = None,
    formats: tuple[str, ...] = ("pdf", "docx"),
    progress: Callable[[int, int], None] | None = None,
) -> NoticeReport:
    """Write the notices or approval requests and the draft annexes for ``change``."""
    from dpagen.output.agreement_files import renderer_for

    impact = change_impact(ws, change, date)
    date = impact.date
    base = output_root(impact.inputs, out)
    report = NoticeReport(impact, base / "notices" / f"{date.isoformat()}-{change.slug}")
    drafts = {affected.client: _draft_annex(impact, affected) for affected in impact.affected}
    _refuse_drafts_that_fail_check(impact, drafts)
    for done, affected in enumerate(impact.affected, 1):
        folder = report.folder / affected.client
        annex_yaml, draft_inputs = drafts[affected.client]
        documents: list[tuple[str, Document]] = []
        for lang in impact.inputs.agreements[affected.client].languages:
            documents.append(("notice", _letter(impact, affected, lang)))
            documents.append(("subprocessors-draft", _annex_draft(draft_inputs, affected, lang)))
        for name, doc in documents:
            for fmt in formats:
                path = folder / f"{affected.client}-{name}.{doc.lang}.{fmt}"
                write_atomic(path, renderer_for(fmt)(doc, ws.templates))
                report.files.append(path)
        yaml_path = folder / "subprocessors.yaml"
        write_atomic(yaml_path, annex_yaml.encode("utf-8"))
        report.files.append(yaml_path)
        if progress:
            progress(done, len(impact.affected))
    return report


def _draft_annex(impact: Impact, affected: Affected) -> tuple[str, Inputs]:
    """The client's annex file with the change applied, and inputs that use it."""
    inputs = impact.inputs
    change = impact.change
    agreement = inputs.agreements[affected.client]
    current = agreement.annexes["subprocessors"]
    names = {key: entry["name"] for key, entry in inputs.register.entries.items()}

    def apply(data: Any) -> None:
        entries = data["subprocessors"]
        position = next(
            (i for i, entry in enumerate(entries) if entry.get("ref") == change.old), None
        )
        if position is not None:
            del entries[position]
        if change.new is not None:
            entry = mapping(ref=change.new, authorised_on=_copy(affected.earliest))
            if affected.authorisation == "specific":
                entry.yaml_add_eol_comment(
                    "set to the date of the written approval", "authorised_on"
                )
            entries.insert(len(entries) if position is None else position, entry)
        version = int(data["version"]) + 1
        effective = max(affected.earliest, current.data["effective_date"])
        data["version"] = version
        data["effective_date"] = _copy(effective)
        if data.get("changelog") is None:
            data["changelog"] = []
        summary = {
            lang: Labels(lang)(
                f"notice.changelog.{change.kind}",
                new=names.get(change.new or ""),
                old=names.get(change.old or ""),
            )
            for lang in ("sv", "en")
        }
        data["changelog"].append(
            mapping(
                version=version,
                date=_copy(effective),
                summary=mapping(**summary),
                **{"class": "subprocessors"},
            )
        )

    text = edited_yaml(current.path.read_text(encoding="utf-8"), apply)
    doc, problems = parse_yaml(text, current.path)
    problems = validate_loaded(doc, problems, "annex_subprocessors")
    if not has_errors(problems):
        problems += resolve_annex(doc, inputs.register, agreement.languages)
    if has_errors(problems):  # cannot happen for a valid annex and register entries
        raise ProblemsFound(problems, hint="the draft annex would not be valid")
    changed = dataclasses.replace(agreement, annexes={**agreement.annexes, "subprocessors": doc})
    draft_inputs = dataclasses.replace(inputs, agreements={affected.client: changed}, documents={})
    return text, draft_inputs


def _refuse_drafts_that_fail_check(impact: Impact, drafts: dict[str, tuple[str, Inputs]]) -> None:
    """Check every client's draft annex as ``dpagen check`` would, before anything is written.

    Raises:
        ProblemsFound: a client's agreement with the draft annex in place has check errors.
    """
    problems: list[Problem] = []
    for client, (_, draft_inputs) in drafts.items():
        problems += [
            problem
            for problem in check_agreement(draft_inputs, client, as_of=impact.date)
            if problem.severity == "error"
        ]
    if problems:
        raise ProblemsFound(
            problems,
            hint="Nothing was written: with the change in place these agreements would fail "
            "'dpagen check'; fix them first (positions in a sub-processor annex are those of its "
            "draft)",
        )


def _copy(day: dt.date) -> dt.date:
    # separate date objects: a shared one would be written as a YAML anchor and alias
    return dt.date.fromordinal(day.toordinal())


def _annex_draft(inputs: Inputs, affected: Affected, lang: str) -> Document:
    doc = assemble(inputs, affected.client, lang, draft=True)
    data = inputs.agreements[affected.client].annexes["subprocessors"].data
    label = Labels(lang)
    last = data["changelog"][-1]
    line = label(
        "change_line",
        version=last["version"],
        date=long_date(last["date"], lang),
        summary=in_language(last["summary"], lang),
    )
    return annex_document(doc, "subprocessors", (line,), data["effective_date"])


def _letter(impact: Impact, affected: Affected, lang: str) -> Document:
    """The notice or approval request for one client in one language."""
    inputs, change = impact.inputs, impact.change
    label = Labels(lang)
    doc = assemble(inputs, affected.client, lang)
    register = inputs.register
    request = affected.authorisation == "specific" and change.kind != "remove"
    kind_key = "request_title" if request else "title"
    title = label(f"notice.{kind_key}.{change.kind}")
    clause = next((c for c in doc.clauses if c.id == "subprocessors"), None)
    annex = next(a for a in doc.annexes if a.id == "subprocessors")
    processor = inputs.processor
    client = inputs.agreements[affected.client].data["client"]
    admin = processor["contacts"]["admin"]
    recipient = client["contacts"]["data_protection"]
    values = {
        "clause": f"{label('clause_ref')} {clause.number}" if clause else label("clause_ref"),
        "id": doc.agreement_id,
        "processor": processor["name"],
        "controller": client["name"],
        "new": register.entries[change.new]["name"] if change.new else "",
        "old": register.entries[change.old]["name"] if change.old else "",
        "services": _services(inputs, change, lang),
        "earliest": long_date(affected.earliest, lang),
        "deadline": long_date(affected.deadline, lang) if affected.deadline else "",
        "sent": long_date(impact.date, lang),
        "days": affected.objection_days,
        "annex": annex.label,
        "name": admin["name"],
        "email": admin["email"],
    }
    intro = "request_intro" if request else "intro"
    paragraphs = [label(f"notice.{intro}.{change.kind}", **values)]
    facts = [
        (label("notice.sent"), long_date(impact.date, lang)),
        (label("notice.agreement"), f"{doc.agreement_id} ({doc.date})"),
        (label("notice.to"), f"{recipient['name']}, {recipient['email']}"),
    ]
    if change.kind == "remove":
        paragraphs.append(label("notice.removal_note", **values))
    elif request:
        paragraphs += [
            label("notice.request_reply", **values),
            label("notice.how_to_reply", **values),
        ]
        facts.append((label("notice.reply_by"), values["deadline"]))
    else:
        paragraphs += [
            label("notice.objection", **values),
            label("notice.how_to_object", **values),
            label("notice.no_objection", **values),
        ]
        facts.append((label("notice.objection_by"), values["deadline"]))
    facts.append((label("notice.earliest"), values["earliest"]))
    paragraphs.append(f"{label('notice.closing')}, {admin['name']}, {processor['name']}")
    sections = []
    if change.new:
        sections.append(Section(label("notice.new_details"), _details(inputs, change.new, lang)))
    if change.old:
        sections.append(Section(label("notice.old_details"), _details(inputs, change.old, lang)))
    return dataclasses.replace(
        doc,
        kind=DocumentKind.ANNEX,
        title=title,
        facts=tuple(facts),
        clauses=(),
        annexes=(Annex("notice", 0, "", title, doc.version, "", tuple(sections)),),
        header=f"{title} · {doc.agreement_id}",
        iso_date=impact.date.isoformat(),
        draft_mark="",
        changes_heading=label("notice.request_heading" if request else "notice.heading"),
        changes=tuple(paragraphs),
    )


def _services(inputs: Inputs, change: SubprocessorChange, lang: str) -> str:
    entry = inputs.register.entries[change.new or change.old or ""]
    names = [in_language(inputs.register.services[tag], lang).lower() for tag in entry["services"]]
    return ", ".join(names)


def _details(inputs: Inputs, entry_id: str, lang: str) -> Table:
    """Label/value rows describing a register entry."""
    label = Labels(lang)
    entry = inputs.register.entries[entry_id]
    rows: list[tuple[str, str]] = [(label("subprocessors.name"), entry["name"])]
    if entry.get("org_no"):
        rows.append((label("notice.org_no"), entry["org_no"]))
    rows.append((label("subprocessors.address"), entry["address"]))
    if entry.get("contact"):
        rows.append((label("subprocessors.contact"), entry["contact"]))
    services = ", ".join(in_language(inputs.register.services[t], lang) for t in entry["services"])
    rows.append((label("notice.services"), services))
    rows.append((label("subprocessors.service"), in_language(entry["service"], lang)))
    rows.append((label("subprocessors.location"), country_name(entry["location"], lang)))
    mechanism = entry.get("transfer_mechanism")
    if mechanism:
        transfer = in_language(mechanism, lang)
    else:
        transfer = label("subprocessors.not_applicable") if entry["location"] in EEA else "–"
    rows.append((label("subprocessors.transfer"), transfer))
    return Table((), tuple(((name,), (value,)) for name, value in rows), (32, 68))
