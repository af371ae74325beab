"""The records of sub-processor notices and approval requests sent to a client.

``dpagen subprocessors notify`` writes one record per affected client into
``agreements/CLIENT/notices/`` (kept under version control with the agreement): when the notice
went out, the change, the client's authorisation, the last day to object or to reply, and the
earliest day the change may take effect. ``dpagen status`` and ``dpagen history`` read them back;
``dpagen validate`` checks them like every other workspace file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dpagen.errors import Problem
from dpagen.files.yaml_edit import dumped_yaml, mapping
from dpagen.inputs.schema import validate_loaded
from dpagen.inputs.yaml_positions import YamlFile, load_yaml
from dpagen.workspace import Workspace

# which register entries each kind of change names
_ENTRIES = {"add": ("new",), "replace": ("old", "new"), "remove": ("old",)}
_DEADLINES = {"general": "objection_by", "specific": "reply_by"}


@dataclass(frozen=True)
class NamedEntry:
    """A register entry as the notice named it."""

    id: str
    name: str


@dataclass(frozen=True)
class Recipient:
    """Who the notice was addressed to."""

    name: str
    email: str


@dataclass(frozen=True)
class NoticeRecord:
    """One notice or approval request sent to one client."""

    client: str
    file: str  # the record's file name in the client's notices folder
    sent: dt.date
    kind: str  # "add", "replace" or "remove"
    new: NamedEntry | None
    old: NamedEntry | None
    authorisation: str  # "general" or "specific"
    deadline: dt.date | None  # general: last day to object; specific: reply requested by
    earliest_effective: dt.date
    recipient: Recipient | None = None

    @property
    def awaits_approval(self) -> bool:
        """A request under a specific authorisation: nothing changes without written approval."""
        return self.authorisation == "specific" and self.kind != "remove"

    def to_yaml(self) -> str:
        """The record as the YAML text of its file."""
        deadline_key = _DEADLINES[self.authorisation] if self.kind != "remove" else None
        change = mapping(
            kind=self.kind,
            old=mapping(id=self.old.id, name=self.old.name) if self.old else None,
            new=mapping(id=self.new.id, name=self.new.name) if self.new else None,
        )
        data = mapping(
            sent=_copy(self.sent),
            change=change,
            authorisation=self.authorisation,
            **({deadline_key: _copy(self.deadline)} if deadline_key and self.deadline else {}),
            earliest_effective=_copy(self.earliest_effective),
            recipient=(
                mapping(name=self.recipient.name, email=self.recipient.email)
                if self.recipient
                else None
            ),
        )
        data.yaml_set_start_comment(
            "A sub-processor notice or approval request sent to this client, recorded by\n"
            "'dpagen subprocessors notify'. Keep it: it shows when the client was told and by\n"
            "when it may object or was asked to reply."
        )
        return dumped_yaml(data)


def _copy(day: dt.date) -> dt.date:
    # separate date objects: a shared one would be written as a YAML anchor and alias
    return dt.date.fromordinal(day.toordinal())


def load_notices(ws: Workspace, client: str) -> tuple[list[NoticeRecord], list[Problem]]:
    """The client's notice records, oldest first, and the problems of broken ones.

    A record with errors is left out; the others are still returned.
    """
    folder = ws.notices_folder(client)
    if not folder.is_dir():
        return [], []
    refused = ws.outside(folder)
    if refused is not None:
        return [], [refused]
    records: list[NoticeRecord] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")):
        record, found = _load_record(ws, client, path)
        problems += found
        if record is not None:
            records.append(record)
    return sorted(records, key=lambda record: (record.sent, record.file)), problems


def notice_problems(ws: Workspace, clients: list[str] | None = None) -> list[Problem]:
    """The problems of every notice record of the given (default: all) clients."""
    problems: list[Problem] = []
    for client in ws.clients() if clients is None else clients:
        problems += load_notices(ws, client)[1]
    return problems


def _load_record(
    ws: Workspace, client: str, path: Path
) -> tuple[NoticeRecord | None, list[Problem]]:
    doc, problems = load_yaml(path, ws.root)
    problems = validate_loaded(doc, problems, "notice")
    if not _errors(problems):
        problems += _consistency(doc)
    if _errors(problems):
        return None, problems
    data = doc.data
    change = data["change"]
    authorisation = data["authorisation"]
    recipient = data.get("recipient")
    return (
        NoticeRecord(
            client=client,
            file=path.name,
            sent=data["sent"],
            kind=change["kind"],
            new=_named(change.get("new")),
            old=_named(change.get("old")),
            authorisation=authorisation,
            deadline=data.get(_DEADLINES[authorisation]),
            earliest_effective=data["earliest_effective"],
            recipient=Recipient(recipient["name"], recipient["email"]) if recipient else None,
        ),
        problems,
    )


def _named(value: Any) -> NamedEntry | None:
    return NamedEntry(value["id"], value["name"]) if isinstance(value, dict) else None


def _errors(problems: list[Problem]) -> bool:
    return any(problem.severity == "error" for problem in problems)


def _consistency(doc: YamlFile) -> list[Problem]:
    """What the schema cannot say: the entries each change names, the deadline, the order."""
    data = doc.data
    problems: list[Problem] = []
    kind = data["change"]["kind"]
    wanted = _ENTRIES[kind]
    for side in ("old", "new"):
        if side in wanted and side not in data["change"]:
            problems.append(
                doc.problem(
                    ("change",),
                    f"change.{side} is missing: a '{kind}' notice names the entry "
                    f"{'added' if side == 'new' else 'no longer engaged'}",
                    f"add '{side}:' with the register entry's id and name",
                    key=True,
                )
            )
        elif side not in wanted and side in data["change"]:
            problems.append(
                doc.problem(
                    ("change", side),
                    f"change.{side}: a '{kind}' notice names no {side} entry",
                    "remove it, or make the change a 'replace'",
                    key=True,
                )
            )
    authorisation = data["authorisation"]
    deadline_key = None if kind == "remove" else _DEADLINES[authorisation]
    for key in _DEADLINES.values():
        if key in data and key != deadline_key:
            reason = (
                "a removal has no deadline"
                if deadline_key is None
                else f"a notice under a {authorisation} authorisation has '{deadline_key}' instead"
            )
            problems.append(doc.problem((key,), f"{key}: {reason}", "remove it", key=True))
    if deadline_key is not None and deadline_key not in data:
        problems.append(
            doc.problem(
                (),
                f"missing required key '{deadline_key}' in the file: a notice under a "
                f"{authorisation} authorisation states it",
                f"add '{deadline_key}:' with the date",
                key=True,
            )
        )
    for key in ("objection_by", "reply_by", "earliest_effective"):
        day = data.get(key)
        if isinstance(day, dt.date) and day < data["sent"]:
            problems.append(
                doc.problem(
                    (key,),
                    f"{key}: {day.isoformat()} is before the notice was sent "
                    f"({data['sent'].isoformat()})",
                    "check both dates",
                )
            )
    return problems
