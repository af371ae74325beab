"""``dpagen upgrade``: move a client's working copy to another edition of the standard terms."""

from __future__ import annotations

from dataclasses import dataclass

from dpagen.checks.validate import validate_workspace
from dpagen.errors import Problem, ProblemsFound, UsageError
from dpagen.files.yaml_edit import edit_yaml
from dpagen.inputs.load import load_inputs
from dpagen.workspace import Workspace


@dataclass(frozen=True)
class Upgrade:
    """What ``upgrade_edition`` changed and what is left to do."""

    old: str
    new: str
    changes: list[str]  # "breach 1 → 2", "insurance (new)", "records (removed)"
    problems: list[Problem]

    @property
    def errors(self) -> bool:
        """True when the working copy does not validate on the new edition."""
        return any(problem.severity == "error" for problem in self.problems)

    def lines(self, client: str) -> list[str]:
        """What changed, as text."""
        changes = self.changes or ["no clause changes version"]
        return [f"{client}: edition {self.old} → {self.new}", *(f"  {c}" for c in changes)]


def upgrade_edition(ws: Workspace, client: str, edition_id: str) -> Upgrade:
    """Move ``client``'s working copy to ``edition_id`` and report what that means.

    Raises:
        UsageError: the edition does not exist, or the agreement is on it already.
        ProblemsFound: the agreement file cannot be read, so its edition cannot be changed.
    """
    inputs, problems = load_inputs(ws, [client])
    agreement = inputs.agreements.get(client)
    agreement_file = ws.agreement_file(client)
    unreadable = [p for p in problems if p.path == agreement_file and p.severity == "error"]
    if agreement is None or not isinstance(agreement.data.get("agreement"), dict):
        raise ProblemsFound(
            unreadable or [Problem(agreement_file, 1, 1, "agreement.yaml has no agreement: block")],
            hint="Fix agreement.yaml, then run the upgrade again",
        )
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
