"""Which clients a change of sub-processor affects, and by when each may be told and may object.

A change adds a register entry, replaces one with another, or removes one. A client is affected
by an addition when it uses a service the new sub-processor provides (a service tag of any of its
sub-processors), and by a replacement or removal when its annex refers to the old entry. Dates
follow each client's own terms:

- general authorisation: the client may object within ``subprocessor_objection_days`` of the
  notice; the change takes effect no earlier than ``subprocessor_notice_days`` after the notice
  and not before the objection period has run out;
- specific authorisation: the request goes out ``subprocessor_request_days`` before the start;
  the reply is asked for by the day before, and nothing changes without written approval;
- a removal needs no approval and takes effect on the notice date.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from dpagen.checks.validate import validate_workspace
from dpagen.errors import ProblemsFound, UsageError
from dpagen.inputs.load import AgreementInput, Inputs, has_errors
from dpagen.inputs.register import REGISTER_FILE, services_used
from dpagen.workspace import Workspace

KINDS = ("add", "replace", "remove")


@dataclass(frozen=True)
class SubprocessorChange:
    """A change to the sub-processors: ``new`` and ``old`` are register ids."""

    kind: str
    new: str | None = None
    old: str | None = None

    @classmethod
    def from_options(
        cls, add: str | None, replace: tuple[str, str] | None, remove: str | None
    ) -> SubprocessorChange:
        """The one change named by ``--add ID``, ``--replace OLD NEW`` or ``--remove ID``.

        Raises:
            UsageError: none or more than one of them is given.
        """
        given = [
            name
            for name, value in (("--add", add), ("--replace", replace), ("--remove", remove))
            if value
        ]
        if len(given) != 1:
            raise UsageError(
                "name exactly one change: --add ID, --replace OLD NEW or --remove ID",
                f"given: {', '.join(given)}" if given else "",
            )
        if add:
            return cls("add", new=add)
        if replace:
            return cls("replace", new=replace[1], old=replace[0])
        return cls("remove", old=remove)

    @property
    def slug(self) -> str:
        """A short name for files and folders: ``add-textverket``, ``replace-a-with-b``."""
        if self.kind == "replace":
            return f"replace-{self.old}-with-{self.new}"
        return f"{self.kind}-{self.new or self.old}"


@dataclass(frozen=True)
class Affected:
    """One affected client and the dates that apply to it."""

    client: str
    controller: str
    authorisation: str  # "general" or "specific"
    notice_days: int | None  # general: notice period; specific: days the request goes out before
    objection_days: int | None  # general only
    deadline: dt.date | None  # general: last day to object; specific: reply requested by
    earliest: dt.date  # the first day the change may take effect
    reason: str  # why the client is affected, e.g. "uses telephony (samtalsmolnet)"

    def cells(self) -> tuple[str, ...]:
        """The row as text, in the order of :data:`HEADER`."""
        return (
            self.client,
            self.authorisation,
            f"{self.notice_days} days" if self.notice_days is not None else "-",
            f"{self.objection_days} days" if self.objection_days is not None else "-",
            self.deadline.isoformat() if self.deadline else "-",
            self.earliest.isoformat(),
            self.reason,
        )


HEADER = ("client", "authorisation", "notice", "objection", "deadline", "earliest", "why")


@dataclass(frozen=True)
class Impact:
    """The result of :func:`change_impact`."""

    inputs: Inputs
    change: SubprocessorChange
    date: dt.date
    affected: list[Affected]


def change_impact(ws: Workspace, change: SubprocessorChange, date: dt.date | None = None) -> Impact:
    """Every client affected by ``change`` if notices go out on ``date`` (default: today).

    Raises:
        ProblemsFound: the workspace does not validate.
        UsageError: an id is not in the register, or the change makes no sense.
    """
    date = date or dt.date.today()
    inputs, problems = validate_workspace(ws)
    if has_errors(problems):
        raise ProblemsFound(problems, hint="Fix these before assessing a change")
    _check_ids(inputs, change)
    affected = []
    for agreement in inputs.agreements.values():
        reason = _reason(inputs, agreement, change)
        if reason:
            affected.append(_dates(agreement, change, date, reason))
    return Impact(inputs, change, date, affected)


def _check_ids(inputs: Inputs, change: SubprocessorChange) -> None:
    entries = inputs.register.entries
    if not entries:
        raise UsageError(
            f"the workspace has no sub-processor register ({REGISTER_FILE})",
            "create it and refer to its entries from the clients' annexes",
        )
    for name in (change.new, change.old):
        if name is not None and name not in entries:
            close = difflib.get_close_matches(name, list(entries), n=1)
            raise UsageError(
                f"no sub-processor '{name}' in {REGISTER_FILE}",
                f"did you mean '{close[0]}'?"
                if close
                else "add it to the register first: identity, services, location, transfer "
                "mechanism",
            )
    if change.kind == "replace" and change.new == change.old:
        raise UsageError(f"'{change.old}' cannot replace itself")


def entries_of(agreement: AgreementInput) -> list[dict[str, Any]]:
    """The client's resolved sub-processor entries (empty when it has no such annex)."""
    annex = agreement.annexes.get("subprocessors")
    return annex.sequence("subprocessors") if annex is not None else []


def concerned_activities(agreement: AgreementInput) -> list[dict[str, Any]]:
    """The processing activities of the client's annex 1 that a change of sub-processor concerns.

    A client is affected through the services its sub-processors provide (:func:`_reason`), and
    an activity of annex 1 names no service, so no activity can be left out: every activity of
    an affected client is concerned, and a notice lists the data and data subjects of them all.
    """
    annex = agreement.annexes.get("instructions")
    return [a for a in annex.sequence("activities") if isinstance(a, dict)] if annex else []


def _reason(inputs: Inputs, agreement: AgreementInput, change: SubprocessorChange) -> str:
    entries = entries_of(agreement)
    refs = {entry.get("ref") for entry in entries}
    if change.kind in ("replace", "remove"):
        return f"refers to {change.old}" if change.old in refs else ""
    assert change.new is not None
    if change.new in refs:
        return ""  # already authorised
    offered = inputs.register.entries[change.new]["services"]
    shared = [tag for tag in offered if tag in services_used(entries)]
    if not shared:
        return ""
    users = sorted(
        str(entry.get("ref") or entry.get("name"))
        for entry in entries
        if set(entry.get("services") or []) & set(shared)
    )
    return f"uses {', '.join(shared)} ({', '.join(users)})"


def _dates(
    agreement: AgreementInput, change: SubprocessorChange, date: dt.date, reason: str
) -> Affected:
    controller = str(agreement.data["client"]["name"])
    general = agreement.variants.get("subprocessors") == "general"
    authorisation = "general" if general else "specific"
    if change.kind == "remove":
        return Affected(agreement.client, controller, authorisation, None, None, None, date, reason)
    day = dt.timedelta(days=1)
    if general:
        notice = int(agreement.terms.get("subprocessor_notice_days", 0))
        objection = int(agreement.terms.get("subprocessor_objection_days", 0))
        deadline = date + objection * day
        earliest = max(date + notice * day, deadline + day)
        return Affected(
            agreement.client,
            controller,
            authorisation,
            notice,
            objection,
            deadline,
            earliest,
            reason,
        )
    request = int(agreement.terms.get("subprocessor_request_days", 0))
    earliest = date + request * day
    reply_by = max(date, earliest - day)
    return Affected(
        agreement.client, controller, authorisation, request, None, reply_by, earliest, reason
    )
