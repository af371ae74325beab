"""``dpagen validate``: every problem in every file of a workspace, in one run."""

from __future__ import annotations

from dataclasses import dataclass

from dpagen.document.assemble import assemble
from dpagen.errors import Problem, ProblemsFound
from dpagen.inputs.load import Inputs, has_errors, load_inputs
from dpagen.inputs.notices import notice_problems
from dpagen.releases.frozen import frozen_problems
from dpagen.results import count
from dpagen.workspace import Workspace


def check_assembly(inputs: Inputs, client: str) -> list[Problem]:
    """Assemble ``client`` in each of its languages and return what failed."""
    problems: list[Problem] = []
    for lang in inputs.agreements[client].languages:
        try:
            assemble(inputs, client, lang)
        except ProblemsFound as exc:
            problems += exc.problems
    return problems


def validate_workspace(
    ws: Workspace, clients: list[str] | None = None
) -> tuple[Inputs, list[Problem]]:
    """Load and check the workspace and the given (default: all) clients.

    Returns the loaded inputs and every problem found, warnings included, sorted by file and line.
    """
    inputs, problems = load_inputs(ws, clients)
    problems += frozen_problems(ws, inputs.library, inputs.agreements)
    problems += notice_problems(ws, clients)
    if not has_errors(problems):
        for client in inputs.agreements:
            problems += check_assembly(inputs, client)
    elif not any(p.severity == "error" and not _in_agreements(ws, p) for p in problems):
        for client, agreement in inputs.agreements.items():
            if agreement.ok:
                problems += check_assembly(inputs, client)
    return inputs, sorted(set(problems), key=Problem.sort_key)


def _in_agreements(ws: Workspace, problem: Problem) -> bool:
    return ws.agreements in problem.path.parents


@dataclass(frozen=True)
class Findings:
    """What ``validate`` or ``check`` found, and what was looked at (``checked``)."""

    problems: list[Problem]
    checked: str  # e.g. "3 agreements, 25 clauses, 1 edition checked"

    @property
    def errors(self) -> int:
        """How many of the problems are errors rather than warnings."""
        return sum(1 for problem in self.problems if problem.severity == "error")

    @property
    def warnings(self) -> int:
        """How many of the problems are warnings."""
        return len(self.problems) - self.errors

    def summary(self) -> str:
        """The closing line: the counts when there are errors, else what was checked."""
        warnings = count(self.warnings, "warning")
        if self.errors:
            return f"{count(self.errors, 'error')}, {warnings}."
        return f"ok: {self.checked}" + (f" ({warnings})" if self.warnings else "") + "."


def validate_findings(ws: Workspace, clients: list[str] | None = None) -> Findings:
    """``dpagen validate``: :func:`validate_workspace` with a summary of what it checked."""
    inputs, problems = validate_workspace(ws, clients)
    library = inputs.library
    checked = (
        f"{count(len(inputs.agreements), 'agreement')}, {len(library.clauses)} clauses, "
        f"{count(len(library.editions), 'edition')} checked"
    )
    return Findings(problems, checked)
