"""``dpagen history``: a client's releases, and what was in force on a given date.

The sub-processor notices sent to the client are listed among the releases
(:mod:`dpagen.releases.notice_history`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from dpagen.errors import ProblemsFound
from dpagen.releases.issue import lock_folder
from dpagen.releases.notice_history import (
    NoticeSummary,
    notice_summaries,
    pending_notices,
    with_notices,
)
from dpagen.releases.record import Lock, ReleaseKind, read_locks
from dpagen.workspace import Workspace


@dataclass(frozen=True)
class ReleaseSummary:
    """One line of ``dpagen history``."""

    release: int
    date: dt.date
    what: str  # "agreement" or the annex id
    agreement_version: int
    annexes: dict[str, int]  # annex → version in this release
    note: str

    def line(self) -> str:
        """The release as one line of text."""
        versions = ", ".join(f"{kind} v{version}" for kind, version in self.annexes.items())
        issued = f"agreement v{self.agreement_version}" + (f"; {versions}" if versions else "")
        return f"{self.release:>4}  {self.date.isoformat()}  {self.what:<13}  {issued}  {self.note}"


def history_lines(client: str, releases: list[ReleaseSummary | NoticeSummary]) -> list[str]:
    """``dpagen history`` as text: one line per release and notice, or how to issue the first."""
    if not releases:
        return [f"no releases of {client} yet; issue one with 'dpagen release {client}'"]
    return [release.line() for release in releases]


def client_locks(ws: Workspace, client: str) -> list[Lock]:
    """Every intact lock of ``client``, oldest first.

    Raises:
        ProblemsFound: a lock is unreadable or has been edited.
    """
    locks, problems = read_locks(lock_folder(ws, client))
    if problems:
        raise ProblemsFound(problems)
    return locks


def _summary(lock: Lock) -> ReleaseSummary:
    record = lock.record
    return ReleaseSummary(
        release=lock.number,
        date=record.date,
        what=record.issued_annex if record.kind is ReleaseKind.ANNEX else record.kind.value,
        agreement_version=record.agreement_version,
        annexes={kind: record.annex_version(kind) for kind in record.issued_annexes},
        note=record.note,
    )


def history(ws: Workspace, client: str) -> list[ReleaseSummary | NoticeSummary]:
    """The releases of ``client`` and the notices sent to it, oldest first."""
    ws.client_dir(client)
    releases = [_summary(lock) for lock in client_locks(ws, client)]
    return with_notices(releases, notice_summaries(ws, client))


@dataclass(frozen=True)
class InForce:
    """What applied to a client on one date."""

    date: dt.date
    agreement_release: int | None
    agreement_version: int | None
    annexes: dict[str, dict[str, Any]]  # annex → {version, effective, release}
    pending_notices: list[NoticeSummary] = field(default_factory=list)
    contacts_release: int | None = None  # the agreement or contact notice that set them
    contacts: dict[str, dict[str, Any]] = field(default_factory=dict)  # party → contact details

    def lines(self) -> list[str]:
        """What was in force, as text."""
        agreement = (
            f"release {self.agreement_release} (agreement version {self.agreement_version})"
            if self.agreement_release
            else "none issued"
        )
        return [
            f"in force on {self.date.isoformat()}:",
            f"  agreement: {agreement}",
            *(
                f"  {kind}: version {info['version']}, effective "
                f"{info['effective'].isoformat()} (release {info['release']})"
                for kind, info in self.annexes.items()
            ),
            *(
                f"  pending {n.what} of {n.date.isoformat()}: {n.text}"
                for n in self.pending_notices
            ),
            *self._contact_lines(),
        ]

    def _contact_lines(self) -> list[str]:
        if self.contacts_release is None:
            return []
        lines = [f"  contacts: release {self.contacts_release}"]
        for side, details in self.contacts.items():
            people = {**(details.get("contacts") or {}), "dpo": details.get("dpo")}
            for role, person in people.items():
                if person:
                    reach = ", ".join(str(person[k]) for k in ("email", "phone") if person.get(k))
                    lines.append(f"    {side} {role}: {person['name']}, {reach}")
        return lines


def in_force(ws: Workspace, client: str, on: dt.date) -> InForce:
    """The agreement release signed by ``on`` and each annex version effective on ``on``.

    Only releases issued by ``on`` count; a version issued again later keeps its first release.
    """
    ws.client_dir(client)
    agreement_release = agreement_version = contacts_release = None
    contacts: dict[str, dict[str, Any]] = {}
    annexes: dict[str, dict[str, Any]] = {}
    for lock in client_locks(ws, client):
        record = lock.record
        if record.date > on:  # not issued yet on that date
            continue
        if record.kind is ReleaseKind.AGREEMENT and record.agreement_date <= on:
            agreement_release, agreement_version = lock.number, record.agreement_version
        if record.kind is ReleaseKind.CONTACTS or lock.number == agreement_release:
            contacts_release, contacts = lock.number, record.contact_details()
        for kind in record.issued_annexes:
            effective, version = record.annex_effective_date(kind), record.annex_version(kind)
            if effective > on:
                continue
            best = annexes.get(kind)
            if best is None or (effective, version) > (best["effective"], best["version"]):
                annexes[kind] = {"version": version, "effective": effective, "release": lock.number}
    annexes = dict(sorted(annexes.items()))
    return InForce(
        on,
        agreement_release,
        agreement_version,
        annexes,
        pending_notices(ws, client, on),
        contacts_release,
        contacts,
    )
