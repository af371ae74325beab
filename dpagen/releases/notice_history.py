"""The sub-processor notices in ``dpagen history``: dated lines among a client's releases.

Each record ``dpagen subprocessors notify`` wrote under ``agreements/CLIENT/notices/`` becomes
one line on the day the notice went out; on a given day (``--at``) the notices whose change could
not yet take effect are pending.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from dpagen.document.dates import long_date
from dpagen.errors import ProblemsFound
from dpagen.inputs.notices import NoticeRecord, load_notices
from dpagen.workspace import Workspace


@dataclass(frozen=True)
class NoticeSummary:
    """One notice as a line of ``dpagen history``."""

    notice: str  # the record's file name in agreements/CLIENT/notices/
    date: dt.date  # the day it was sent
    what: str  # "notice" (general authorisation, or a removal) or "request" (for approval)
    authorisation: str
    deadline: dt.date | None
    earliest_effective: dt.date
    text: str  # e.g. "Telekontakt AB replaces Samtalsmolnet Sverige AB; objections by ..."

    def line(self) -> str:
        """The notice as one line of text, in the columns of the release lines."""
        return f"{'':>4}  {self.date.isoformat()}  {self.what:<13}  {self.text}"


def _summary(record: NoticeRecord) -> NoticeSummary:
    new = record.new.name if record.new else ""
    old = record.old.name if record.old else ""
    earliest = long_date(record.earliest_effective, "en")
    if record.kind == "remove":
        text = f"{old} no longer engaged from {earliest}"
    else:
        change = f"{new} replaces {old}" if record.kind == "replace" else f"new sub-processor {new}"
        deadline = long_date(record.deadline, "en") if record.deadline else "–"
        asked = "reply requested by" if record.awaits_approval else "objections by"
        text = f"{change}; {asked} {deadline}; effective {earliest} at the earliest"
    return NoticeSummary(
        notice=record.file,
        date=record.sent,
        what="request" if record.awaits_approval else "notice",
        authorisation=record.authorisation,
        deadline=record.deadline,
        earliest_effective=record.earliest_effective,
        text=text,
    )


def notice_summaries(ws: Workspace, client: str) -> list[NoticeSummary]:
    """Every notice sent to ``client``, oldest first.

    Raises:
        ProblemsFound: a notice record is broken.
    """
    records, problems = load_notices(ws, client)
    if problems:
        raise ProblemsFound(problems)
    return [_summary(record) for record in records]


def pending_notices(ws: Workspace, client: str, on: dt.date) -> list[NoticeSummary]:
    """The notices sent by ``on`` whose change could not take effect by then."""
    return [n for n in notice_summaries(ws, client) if n.date <= on < n.earliest_effective]


class _Dated(Protocol):
    @property
    def date(self) -> dt.date: ...


Release = TypeVar("Release", bound=_Dated)


def with_notices(
    releases: Sequence[Release], notices: Sequence[NoticeSummary]
) -> list[Release | NoticeSummary]:
    """Releases and notices in the order of their dates; a day's releases before its notices."""
    entries: list[Release | NoticeSummary] = [*releases, *notices]
    return sorted(entries, key=lambda entry: (entry.date, isinstance(entry, NoticeSummary)))
