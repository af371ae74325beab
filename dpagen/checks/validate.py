"""``dpagen validate``: every problem in every file of a workspace, in one run."""

from __future__ import annotations

from dpagen.document.assemble import assemble
from dpagen.errors import Problem, ProblemsFound
from dpagen.inputs.load import Inputs, has_errors, load_inputs
from dpagen.releases.frozen import frozen_problems
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
    problems += frozen_problems(ws, inputs.library)
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
