"""``dpagen status`` and ``dpagen upgrade``: where each client stands, and moving to an edition."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .errors import Problem, UsageError
from .history import client_locks
from .inputs import load_inputs
from .release import working_record
from .validate import validate_workspace
from .workspace import Workspace
from .yamledit import edit_yaml

_SAME = ("processor", "agreement", "annexes", "languages", "variants", "terms", "edition", "texts")


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


def portfolio_status(ws: Workspace, *, as_of: dt.date | None = None) -> list[ClientStatus]:
    """A status row for every client."""
    today = as_of or dt.date.today()
    inputs, problems = load_inputs(ws)
    broken = {p.path for p in problems if p.severity == "error"}
    rows = []
    for client, agreement in inputs.agreements.items():
        locks = client_locks(ws, client)
        latest = locks[-1] if locks else None
        edition = agreement.edition
        valid = agreement.ok and not any(ws.client_dir(client) in p.parents for p in broken)
        changed: bool | None = None
        if valid and edition is not None:
            current = working_record(inputs, client)
            changed = latest is None or any(current[k] != latest.record[k] for k in _SAME)
        newer = None
        if edition is not None:
            later = [e for e in inputs.library.editions.values() if e.date > edition.date]
            newer = max(later, key=lambda e: e.date).id if later else None
        rows.append(
            ClientStatus(
                client=client,
                latest_release=latest.number if latest else None,
                latest_date=latest.record["date"] if latest else None,
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
            )
        )
    return rows


@dataclass(frozen=True)
class Upgrade:
    """What ``upgrade_edition`` changed and what is left to do."""

    old: str
    new: str
    changes: list[str]  # "breach 1 → 2", "insurance (new)", "records (removed)"
    problems: list[Problem]


def upgrade_edition(ws: Workspace, client: str, edition_id: str) -> Upgrade:
    """Move ``client``'s working copy to ``edition_id`` and report what that means.

    Raises:
        UsageError: the edition does not exist, or the agreement is on it already.
    """
    inputs, _ = load_inputs(ws, [client])
    agreement = inputs.agreements[client]
    library = inputs.library
    if edition_id not in library.editions:
        raise UsageError(
            f"unknown edition '{edition_id}'", f"editions: {', '.join(library.editions)}"
        )
    old = agreement.edition
    if old is not None and old.id == edition_id:
        raise UsageError(f"{client} is on edition {edition_id} already")
    new = library.editions[edition_id]
    before = dict(old.clauses) if old else {}
    after = dict(new.clauses)
    changes = []
    for clause_id, version in after.items():
        if clause_id not in before:
            changes.append(f"{clause_id} (new)")
        elif before[clause_id] != version:
            changes.append(f"{clause_id} {before[clause_id]} → {version}")
    changes += [f"{clause_id} (removed)" for clause_id in before if clause_id not in after]

    def change(data: dict[str, object]) -> None:
        data["agreement"]["edition"] = edition_id  # type: ignore[index]

    edit_yaml(agreement.doc.path, change)
    _, problems = validate_workspace(ws, [client])
    return Upgrade(old.id if old else "?", edition_id, changes, problems)
