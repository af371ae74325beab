"""The output folder: ``--out`` when given, else the workspace's ``defaults.output``.

Every command that writes files (render, build, release, diff, notices, reports) asks here, so
``defaults.output`` in ``dpagen.yaml`` moves all of them at once.
"""

from __future__ import annotations

from pathlib import Path

from dpagen.errors import ProblemsFound
from dpagen.inputs.load import Inputs, output_problem
from dpagen.inputs.schema import validate_loaded
from dpagen.inputs.yaml_positions import load_yaml
from dpagen.workspace import Workspace

DEFAULT_OUTPUT = "out"


def output_root(inputs: Inputs, out: Path | None = None) -> Path:
    """``out``, or the folder ``defaults.output`` names in the loaded (valid) inputs."""
    if out is not None:
        return out
    return inputs.workspace.root / str(inputs.defaults.get("output") or DEFAULT_OUTPUT)


def workspace_output_root(ws: Workspace, out: Path | None = None) -> Path:
    """The same for a command that loads nothing else of the workspace (re-creating releases).

    Raises:
        ProblemsFound: ``dpagen.yaml`` cannot be read or names an output folder outside.
    """
    if out is not None:
        return out
    config, problems = load_yaml(ws.config_file, ws.root)
    problems = validate_loaded(config, problems, "workspace")
    refused = output_problem(config)
    if refused is not None:
        problems.append(refused)
    if any(p.severity == "error" for p in problems):
        raise ProblemsFound(problems)
    return ws.root / str(config.mapping("defaults").get("output") or DEFAULT_OUTPUT)
