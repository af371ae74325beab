"""``dpagen status``: where each client stands — latest release, edition, what is coming.

What is coming includes the sub-processor notices still waiting on the client (from the records
``dpagen subprocessors notify`` writes): an objection window that is open, and, under a specific
authorisation, an approval asked for that the client's sub-processor annex does not yet show.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dpagen.errors import Problem, ProblemsFound
from dpagen.inputs.load import AgreementInput, load_inputs
from dpagen.inputs.notices import NoticeRecord, load_notices
from dpagen.releases.history import client_locks
from dpagen.releases.issue import working_record
from dpagen.workspace import Workspace


@dataclass(frozen=True)
class ClientStatus:
    """One row of ``dpagen status``."""

    client: str
    latest_release: int | None
    latest_date: dt.date | None
    edition: str
    unreleased_changes: bool | None  # None: the working copy does not validate
    newer_edition: str | None
    deviations: int
    future_annexes: list[str]
    errors: list[str] = field(default_factory=list)  # this client's broken files, formatted
    open_notices: list[OpenNotice] = field(default_factory=list)

    def cells(self) -> tuple[str, ...]:
        """The row as text, in the order of :data:`HEADER`."""
        release = f"{self.latest_release} ({self.latest_date})" if self.latest_release else "–"
        unreleased = {True: "yes", False: "no", None: "invalid"}[self.unreleased_changes]
        return (
            self.client,
            release,
            self.edition,
            unreleased,
            self.newer_edition or "–",
            str(self.deviations),
            ", ".join(self.future_annexes) or "–",
            "; ".join(notice.text() for notice in self.open_notices) or "–",
        )


@dataclass(frozen=True)
class OpenNotice:
    """A notice that still waits on the client: its objections, or its written approval."""

    sent: dt.date
    record: str  # the record's file name in agreements/CLIENT/notices/
    subprocessor: str  # the register id of the entry the notice proposes
    waiting_for: str  # "objections" (general authorisation) or "approval" (specific)
    deadline: dt.date | None  # the last day to object, or the day a reply was asked for
    overdue: bool  # an approval asked for by a day that has passed

    def text(self) -> str:
        """The notice as the status cell shows it."""
        deadline = self.deadline.isoformat() if self.deadline else "–"
        if self.waiting_for == "objections":
            return f"{self.subprocessor}: objections until {deadline}"
        due = "was due" if self.overdue else "by"
        return f"{self.subprocessor}: approval awaited (reply {due} {deadline})"


HEADER = (
    "CLIENT",
    "RELEASE",
    "EDITION",
    "UNRELEASED",
    "NEWER",
    "DEVIATIONS",
    "FUTURE",
    "NOTICES",
)


def open_notices(
    records: list[NoticeRecord], agreement: AgreementInput | None, today: dt.date
) -> list[OpenNotice]:
    """The notices sent by ``today`` that still wait on the client on that day.

    A general authorisation's notice waits while its objection window is open; a request under a
    specific authorisation until the client's sub-processor annex lists the new entry.
    """
    annex = agreement.annexes.get("subprocessors") if agreement else None
    listed = {entry.get("ref") for entry in annex.sequence("subprocessors")} if annex else set()
    found = []
    for record in records:
        if record.sent > today or record.new is None:
            continue
        if record.awaits_approval:
            if record.new.id in listed:
                continue
            waiting_for = "approval"
        elif record.deadline is not None and today <= record.deadline:
            waiting_for = "objections"
        else:
            continue
        overdue = (
            waiting_for == "approval" and record.deadline is not None and record.deadline < today
        )
        found.append(
            OpenNotice(
                record.sent, record.file, record.new.id, waiting_for, record.deadline, overdue
            )
        )
    return found


def portfolio_status(ws: Workspace, *, as_of: dt.date | None = None) -> list[ClientStatus]:
    """A status row for every client."""
    today = as_of or dt.date.today()
    inputs, problems = load_inputs(ws)
    broken = [p for p in problems if p.severity == "error"]
    rows = []
    for client in ws.clients():
        folder = ws.client_dir(client, must_exist=False)
        errors = [p for p in broken if folder in p.path.parents or p.path == folder]
        try:
            locks = client_locks(ws, client)
        except ProblemsFound as exc:  # an edited lock: shown with the client, not fatal
            locks, errors = [], errors + exc.problems
        records, broken_records = load_notices(ws, client)  # shown the same way
        errors += broken_records
        agreement = inputs.agreements.get(client)
        shown = [p.format(ws.root) for p in sorted(errors, key=Problem.sort_key)]
        waiting = open_notices(records, agreement, today)
        if agreement is None:
            rows.append(ClientStatus(client, None, None, "?", None, None, 0, [], shown, waiting))
            continue
        latest = locks[-1] if locks else None
        edition = agreement.edition
        valid = agreement.ok and not errors
        changed: bool | None = None
        if valid and edition is not None:
            current = working_record(inputs, client)
            changed = latest is None or current.client_content() != latest.record.client_content()
        newer = None
        if edition is not None:
            later = [e for e in inputs.library.editions.values() if e.date > edition.date]
            newer = max(later, key=lambda e: e.date).id if later else None
        rows.append(
            ClientStatus(
                client=client,
                latest_release=latest.number if latest else None,
                latest_date=latest.record.date if latest else None,
                edition=edition.id if edition else "?",
                unreleased_changes=changed,
                newer_edition=newer,
                deviations=len(agreement.deviations),
                future_annexes=sorted(
                    f"{kind} v{doc.data['version']} ({doc.data['effective_date'].isoformat()})"
                    for kind, doc in agreement.annexes.items()
                    if isinstance(doc.data.get("effective_date"), dt.date)
                    and doc.data["effective_date"] > today
                ),
                errors=shown,
                open_notices=waiting,
            )
        )
    return rows
