"""``dpagen annex bump``: raise an annex's version and log the change, keeping the file's layout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dpagen.checks.validate import validate_workspace
from dpagen.errors import ProblemsFound, UsageError
from dpagen.files.yaml_edit import edit_yaml, mapping
from dpagen.inputs.clause_library import ANNEX_KINDS
from dpagen.inputs.load import has_errors
from dpagen.workspace import Workspace

CHANGE_CLASSES = ("scope", "subprocessors", "security", "contacts")


@dataclass(frozen=True)
class Bump:
    """What ``bump_annex`` or ``bump_agreement`` did: the file, the new version, its date."""

    path: Path
    version: int
    effective: dt.date


def bump_annex(
    ws: Workspace,
    client: str,
    annex: str,
    *,
    effective: dt.date,
    summary: str,
    change_class: str | None = None,
    approved_by: str | None = None,
    evidence: str | None = None,
    date: dt.date | None = None,
) -> Bump:
    """Raise the version of ``client``'s ``annex``, set its effective date and log the change.

    The summary is written for both languages; a bilingual summary can be edited in the file.

    Raises:
        UsageError: unknown annex or change class, or an effective date before the current one.
        ProblemsFound: the client's files do not validate (nothing is changed).
    """
    if annex not in ANNEX_KINDS:
        raise UsageError(f"unknown annex '{annex}'", f"annexes: {', '.join(ANNEX_KINDS)}")
    if change_class is not None and change_class not in CHANGE_CLASSES:
        raise UsageError(
            f"unknown change class '{change_class}'", f"classes: {', '.join(CHANGE_CLASSES)}"
        )
    if not summary.strip():
        raise UsageError("--summary must not be empty")
    inputs, problems = validate_workspace(ws, [client])
    if has_errors(problems):
        raise ProblemsFound(problems, hint="Fix these before changing the annex")
    doc = inputs.agreements[client].annexes.get(annex)
    if doc is None:
        raise UsageError(f"edition of {client} has no {annex} annex")
    current = doc.data["effective_date"]
    if effective < current:
        raise UsageError(
            f"--effective {effective.isoformat()} is before the current version's "
            f"effective date {current.isoformat()}"
        )
    version = int(doc.data["version"]) + 1

    def change(data: Any) -> None:
        data["version"] = version
        # separate date objects: a shared one would be written as a YAML anchor and alias
        data["effective_date"] = dt.date.fromordinal(effective.toordinal())
        if data.get("changelog") is None:
            data["changelog"] = []
        data["changelog"].append(
            mapping(
                version=version,
                date=date or effective,
                summary=summary.strip(),
                **{"class": change_class},
                approved_by=approved_by,
                evidence=evidence,
            )
        )

    edit_yaml(doc.path, change)
    return Bump(doc.path, version, effective)
