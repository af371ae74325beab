"""``dpagen status``: where each client stands — latest release, edition, what is coming."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dpagen.errors import Problem, ProblemsFound
from dpagen.inputs.load import load_inputs
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
        )


HEADER = ("CLIENT", "RELEASE", "EDITION", "UNRELEASED", "NEWER", "DEVIATIONS", "FUTURE")


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
        agreement = inputs.agreements.get(client)
        shown = [p.format(ws.root) for p in sorted(errors, key=Problem.sort_key)]
        if agreement is None:
            rows.append(ClientStatus(client, None, None, "?", None, None, 0, [], shown))
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
            )
        )
    return rows
