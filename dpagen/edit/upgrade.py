"""``dpagen upgrade``: move a client's working copy to another edition of the standard terms."""

from __future__ import annotations

from dataclasses import dataclass, field

from dpagen.checks.validate import validate_workspace
from dpagen.errors import Problem, ProblemsFound, UsageError
from dpagen.files.yaml_edit import edit_yaml
from dpagen.inputs.load import AgreementInput, Inputs, load_inputs
from dpagen.workspace import Workspace


@dataclass(frozen=True)
class Upgrade:
    """What ``upgrade_edition`` changed and what is left to do."""

    old: str
    new: str
    changes: list[str]  # "breach 1 → 2", "insurance (new)", "records (removed)"
    problems: list[Problem]
    # clause id → the standard text's change, per language, for a clause whose new version does
    # not reach the client because its negotiated text (a deviation) replaces the clause
    replaced: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # of those, the clauses whose deviation changes only some paragraphs of the standard text
    partly: frozenset[str] = frozenset()

    @property
    def errors(self) -> bool:
        """True when the working copy does not validate on the new edition."""
        return any(problem.severity == "error" for problem in self.problems)

    def lines(self, client: str) -> list[str]:
        """What changed, as text; a change a deviation keeps out is shown with its wording."""
        lines = [f"{client}: edition {self.old} → {self.new}"]
        for change in self.changes or ["no clause changes version"]:
            clause_id = change.split(" ", 1)[0]
            if clause_id not in self.replaced:
                lines.append(f"  {change}")
                continue
            if clause_id in self.partly:
                lines.append(
                    f"  {change}: reaches {client} except its negotiated paragraphs, which are "
                    "applied to the new text by their numbers; check that they still fit. The "
                    "standard text changes:"
                )
            else:
                lines.append(
                    f"  {change}: does not reach {client}, whose negotiated text replaces the "
                    "clause; the standard text changes:"
                )
            lines += [f"      {line}" for line in self.replaced[clause_id]]
        return lines


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
    sector = agreement.sector
    before = dict(library.agreement_clauses(old, sector)) if old else {}
    after = dict(library.agreement_clauses(new, sector))
    changes = []
    for clause_id, version in after.items():
        if clause_id not in before:
            changes.append(f"{clause_id} (new)")
        elif before[clause_id] != version:
            changes.append(f"{clause_id} {before[clause_id]} → {version}")
    changes += [f"{clause_id} (removed)" for clause_id in before if clause_id not in after]

    def change(data: dict[str, object]) -> None:
        data["agreement"]["edition"] = edition_id  # type: ignore[index]

    replaced = {
        clause_id: _standard_change(inputs, agreement, clause_id, before[clause_id], version)
        for clause_id, version in after.items()
        if clause_id in agreement.deviations and before.get(clause_id, version) != version
    }
    edit_yaml(agreement.doc.path, change)
    _, problems = validate_workspace(ws, [client])
    partly = frozenset(
        clause_id
        for clause_id in replaced
        if "paragraphs" in agreement.data["deviations"][agreement.deviations[clause_id]]
    )
    return Upgrade(old.id if old else "?", edition_id, changes, problems, replaced, partly)


def _standard_change(
    inputs: Inputs, agreement: AgreementInput, clause_id: str, old: int, new: int
) -> tuple[str, ...]:
    """The changed paragraphs of a clause's standard text, per language, words marked."""
    from dpagen.changes.diff import words

    library = inputs.library
    clause = library.clauses[clause_id]
    variant = agreement.variants.get(clause_id)
    lines: list[str] = []
    for lang in agreement.languages:
        before, after = (library.source(clause.text_path(v, variant, lang)) for v in (old, new))
        for paragraph in words(before, after).split("\n\n"):
            # a marker may open in one paragraph and close in the next (an added paragraph)
            if any(mark in paragraph for mark in ("[-", "{+", "-]", "+}")):
                lines.append(f"{lang}: {paragraph.strip()}")
    return tuple(lines)
