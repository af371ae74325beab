"""``dpagen subprocessors notify``: a letter and a draft annex for every affected client.

For each client that :mod:`dpagen.portfolio.subprocessor_impact` finds, and in each of the
client's languages, this writes a notice (general authorisation) or a request for approval
(specific authorisation) as PDF and DOCX, with the dates that follow from that client's terms and
everything the sub-processor clause promises such a letter states about the new sub-processor:
name, organisation number or equivalent and address; the processing it will carry out, with the
categories of personal data and data subjects from the client's annex 1; where the data will be
processed and accessed from; and the transfer mechanism for a third country. It also writes the
draft of the updated sub-processor annex, both as the YAML file to put in place once the change
may take effect and rendered as a draft document, and records each notice sent in the client's
folder (:mod:`dpagen.inputs.notices`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpagen.checks.legal import check_agreement
from dpagen.document import transfers
from dpagen.document.assemble import assemble
from dpagen.document.dates import long_date
from dpagen.document.labels import EEA, Labels, country_name, in_language
from dpagen.document.model import Annex, Document, DocumentKind, Section, Table
from dpagen.errors import Problem, ProblemsFound
from dpagen.files.atomic import write_atomic
from dpagen.files.yaml_edit import edited_yaml, mapping
from dpagen.inputs.load import Inputs, has_errors
from dpagen.inputs.notices import NamedEntry, NoticeRecord, Recipient
from dpagen.inputs.register import resolve_annex
from dpagen.inputs.schema import validate_loaded
from dpagen.inputs.yaml_positions import parse_yaml
from dpagen.output.paths import output_root
from dpagen.portfolio.subprocessor_impact import (
    Affected,
    Impact,
    SubprocessorChange,
    change_impact,
    concerned_activities,
)
from dpagen.releases.issue import annex_document
from dpagen.results import count
from dpagen.workspace import Workspace

Row = tuple[str, tuple[str, ...]]  # a label and the lines of its value


@dataclass
class NoticeReport:
    """What ``notify`` wrote: letters and drafts, and the record of each notice sent."""

    impact: Impact
    folder: Path
    files: list[Path] = field(default_factory=list)
    records: list[Path] = field(default_factory=list)  # agreements/CLIENT/notices/*.yaml
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """The closing line: clients notified, files written and notices recorded."""
        clients = count(len(self.impact.affected), "client")
        files = count(len(self.files), "file")
        return (
            f"{clients} notified, {files} written, {count(len(self.records), 'notice')} recorded."
        )


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
    if impact.affected:
        report.warnings += _missing_details(impact)
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
        record = notice_record(impact, affected)
        record_path = ws.notices_folder(affected.client) / record.file
        write_atomic(record_path, record.to_yaml().encode("utf-8"))
        report.records.append(record_path)
        if progress:
            progress(done, len(impact.affected))
    return report


def notice_record(impact: Impact, affected: Affected) -> NoticeRecord:
    """The record of the notice ``notify`` sends one affected client.

    Its file is named by the date and the change, so notifying the same change on the same day
    again writes the same record.
    """
    change, entries = impact.change, impact.inputs.register.entries
    recipient = impact.inputs.agreements[affected.client].data["client"]["contacts"][
        "data_protection"
    ]
    return NoticeRecord(
        client=affected.client,
        file=f"{impact.date.isoformat()}-{change.slug}.yaml",
        sent=impact.date,
        kind=change.kind,
        new=NamedEntry(change.new, entries[change.new]["name"]) if change.new else None,
        old=NamedEntry(change.old, entries[change.old]["name"]) if change.old else None,
        authorisation=affected.authorisation,
        deadline=affected.deadline,
        earliest_effective=affected.earliest,
        recipient=Recipient(recipient["name"], recipient["email"]),
    )


def _missing_details(impact: Impact) -> list[Problem]:
    """What the letters state as not stated because the register lacks it."""
    register, new = impact.inputs.register, impact.change.new
    if new is None or register.entries[new].get("org_no") or register.doc is None:
        return []
    return [
        register.doc.problem(
            ("subprocessors", new),
            f"'{new}' has no org_no: the letters give its organisation number as not stated",
            "the sub-processor clause promises the organisation number or its equivalent in "
            "every notice; add 'org_no:' (for a company registered abroad, its registration "
            "number there) and notify again",
            key=True,
            severity="warning",
        )
    ]


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
        instructions = next((a for a in doc.annexes if a.id == "instructions"), None)
        annex_label = instructions.label if instructions else label("annexes.instructions")
        who, where = _details(inputs, change.new, lang, new=True)
        activities = concerned_activities(inputs.agreements[affected.client])
        rows = who + _categories(activities, lang, annex_label) + where
        lead = label("notice.categories_lead", annex=annex_label)
        sections.append(Section(label("notice.new_details"), _table(rows), lead=lead))
    if change.old:
        who, where = _details(inputs, change.old, lang, new=False)
        sections.append(Section(label("notice.old_details"), _table(who + where)))
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


def _details(inputs: Inputs, entry_id: str, lang: str, *, new: bool) -> tuple[list[Row], list[Row]]:
    """Label/value rows describing a register entry: who and what it does; where and how.

    For the new sub-processor every item the sub-processor clause promises is there, one the
    register lacks as not stated; the processing concerned goes between the two lists.
    """
    label = Labels(lang)
    entry = inputs.register.entries[entry_id]
    who: list[Row] = [(label("subprocessors.name"), (entry["name"],))]
    if entry.get("org_no") or new:
        who.append((label("notice.org_no"), (entry.get("org_no") or label("notice.not_stated"),)))
    who.append((label("subprocessors.address"), (entry["address"],)))
    if entry.get("contact"):
        who.append((label("subprocessors.contact"), (entry["contact"],)))
    person = transfers.contact_person(entry, transfers.texts_in(lang), ())
    if person or new:
        who.append((label("subprocessors.contact_person"), (person or label("notice.not_stated"),)))
    services = ", ".join(in_language(inputs.register.services[t], lang) for t in entry["services"])
    who.append((label("notice.services"), (services,)))
    processing = "notice.processing" if new else "subprocessors.service"
    who.append((label(processing), (in_language(entry["service"], lang),)))
    country = country_name(entry["location"], lang)
    where: list[Row] = []
    if new:
        # the register knows one place per sub-processor: where it processes the data is
        # where it has access to them from
        where.append((label("notice.location"), (country,)))
        where.append((label("notice.access"), (country,)))
    else:
        where.append((label("subprocessors.location"), (country,)))
    row_label = label("notice.transfer" if new else "subprocessors.transfer")
    text = transfers.texts_in(lang)
    if entry["location"] in EEA and not entry.get("transfer") and new:
        where.append((row_label, (label("notice.no_transfer"),)))
    else:
        where += transfers.transfer_rows(entry, lang, label, text, (), row_label)
    if new or "further_subprocessors" in entry:
        lines = transfers.further_lines(entry, lang, label, text, ())
        where.append((label("subprocessors.further"), lines))
    return who, where


def _categories(activities: list[dict[str, Any]], lang: str, annex: str) -> list[Row]:
    """The processing activities concerned, and their categories of data and data subjects."""
    label = Labels(lang)

    def collected(values: list[Any], extra: tuple[str, ...] = ()) -> tuple[str, ...]:
        texts = (in_language(value, lang).strip() for value in values)
        found = tuple(dict.fromkeys(text for text in texts if text)) + extra
        return found or (label("notice.not_stated"),)

    def every(key: str) -> list[Any]:
        return [value for activity in activities for value in activity.get(key) or []]

    sensitive = [
        value
        for activity in activities
        if isinstance(activity.get("sensitive_data"), dict)
        for value in activity["sensitive_data"].get("categories") or []
    ]
    identity_numbers = any(activity.get("personal_identity_numbers") for activity in activities)
    return [
        (label("notice.activities", annex=annex), collected([a["name"] for a in activities])),
        (
            label("instructions.personal_data"),
            collected(
                every("personal_data"),
                (label("instructions.personal_identity_numbers"),) if identity_numbers else (),
            ),
        ),
        (
            label("instructions.sensitive_data"),
            collected(sensitive) if sensitive else (label("none"),),
        ),
        (label("instructions.data_subjects"), collected(every("data_subjects"))),
    ]


def _table(rows: list[Row]) -> Table:
    return Table((), tuple(((name,), lines) for name, lines in rows), (32, 68))
