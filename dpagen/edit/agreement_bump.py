"""``dpagen agreement bump``: raise the agreement's version and date, keeping the file's layout."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dpagen.checks.validate import validate_workspace
from dpagen.edit.annex_bump import Bump
from dpagen.errors import ProblemsFound, UsageError
from dpagen.files.yaml_edit import edit_yaml
from dpagen.inputs.load import has_errors
from dpagen.workspace import Workspace


def bump_agreement(ws: Workspace, client: str, *, date: dt.date) -> Bump:
    """Raise ``agreement.version`` of ``client`` by one and set ``agreement.date`` to ``date``.

    Raises:
        UsageError: ``date`` is before the current version's date.
        ProblemsFound: the client's files do not validate (nothing is changed).
    """
    inputs, problems = validate_workspace(ws, [client])
    if has_errors(problems):
        raise ProblemsFound(problems, hint="Fix these before changing the agreement")
    agreement = inputs.agreements[client]
    meta = agreement.data["agreement"]
    if date < meta["date"]:
        raise UsageError(
            f"--date {date.isoformat()} is before the current version's date "
            f"{meta['date'].isoformat()}"
        )
    version = int(meta["version"]) + 1

    def change(data: Any) -> None:
        data["agreement"]["version"] = version
        # a separate date object: a shared one would be written as a YAML anchor and alias
        data["agreement"]["date"] = dt.date.fromordinal(date.toordinal())

    edit_yaml(agreement.doc.path, change)
    return Bump(agreement.doc.path, version, date)
