"""No input, however broken, makes validation crash: every outcome is a list of problems."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dpagen.checks.validate import validate_workspace
from dpagen.output.agreement_files import render_agreement
from dpagen.workspace import Workspace
from tests.conftest import CLIENT

FILES = [
    "dpagen.yaml",
    "subprocessors.yaml",
    f"agreements/{CLIENT}/agreement.yaml",
    f"agreements/{CLIENT}/annexes/instructions.yaml",
    f"agreements/{CLIENT}/annexes/security.yaml",
    f"agreements/{CLIENT}/annexes/subprocessors.yaml",
    "clauses/library.yaml",
    "clauses/subprocessors/clause.yaml",
]
VALUES = [
    "",
    "~",
    "[]",
    "{}",
    "7",
    "-1",
    "x",
    "2026-02-30",
    "{sv: a}",
    "{de: a}",
    "[a, b]",
    "yes",
    "NO",
    '"{{ 7*7 }}"',
    "&a 1",
    "*a",
    "!!binary aGk=",
    "'",
    "[[[]]]",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    file=st.sampled_from(FILES),
    line=st.integers(min_value=0, max_value=200),
    action=st.sampled_from(["delete", "replace", "duplicate", "dedent"]),
    value=st.sampled_from(VALUES),
)
def test_mutated_inputs_never_crash(
    _pristine: Path, tmp_path_factory, file: str, line: int, action: str, value: str
) -> None:
    root = tmp_path_factory.mktemp("mutant") / "ws"
    shutil.copytree(_pristine, root)
    path = root / file
    lines = path.read_text(encoding="utf-8").splitlines()
    index = line % len(lines)
    if action == "delete":
        del lines[index]
    elif action == "duplicate":
        lines.insert(index, lines[index])
    elif action == "dedent":
        lines[index] = lines[index].lstrip()
    elif ":" in lines[index]:
        lines[index] = lines[index].split(":", 1)[0] + ": " + value
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = validate_workspace(Workspace(root))
    assert all(p.line >= 1 and p.column >= 1 and p.message for p in problems)


def test_output_files_are_readable_like_any_new_file(ws: Workspace, tmp_path: Path) -> None:
    written = render_agreement(ws, CLIENT, formats=("txt",), languages=("sv",), out=tmp_path)
    mode = stat.S_IMODE(written[0].stat().st_mode)
    probe = tmp_path / "probe"
    probe.write_text("x")
    assert mode == stat.S_IMODE(probe.stat().st_mode)


def test_draft_files_have_their_own_names(ws: Workspace, tmp_path: Path) -> None:
    written = render_agreement(
        ws, CLIENT, formats=("txt",), languages=("sv",), out=tmp_path, draft=True
    )
    assert [p.name for p in written] == [f"{CLIENT}-v1-draft.sv.txt"]


def test_draft_text_is_marked(ws: Workspace, tmp_path: Path) -> None:
    written = render_agreement(
        ws, CLIENT, formats=("txt",), languages=("en",), out=tmp_path, draft=True
    )
    assert written[0].read_text(encoding="utf-8").startswith("DRAFT\nData Processing Agreement\n")
