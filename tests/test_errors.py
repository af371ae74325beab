"""Errors travel and stay positioned: pickling, worker processes, broken files in upgrade/status."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from dpagen import errors
from dpagen.errors import DpagenError, OutputError, Problem, ProblemsFound
from dpagen.workspace import Workspace
from tests.conftest import CLIENT
from tests.helpers import edit, run

PROBLEM = Problem(Path("/ws/agreements/x/agreement.yaml"), 3, 7, "value is missing", "fill it in")


def _examples() -> list[DpagenError]:
    made: list[DpagenError] = [
        ProblemsFound([PROBLEM], hint="Fix these"),
        OutputError(Path("/out/x.pdf"), "the disk is full", "free some space"),
    ]
    for name in dir(errors):
        cls = getattr(errors, name)
        special = cls in (ProblemsFound, OutputError)
        if isinstance(cls, type) and issubclass(cls, DpagenError) and not special:
            made.append(cls("a message", "a hint"))
    return made


@pytest.mark.parametrize("error", _examples(), ids=lambda e: type(e).__name__)
def test_every_error_survives_pickling(error: DpagenError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert again.format(Path("/ws")) == error.format(Path("/ws"))
    assert again.exit_code == error.exit_code
    assert str(again) == str(error)


def test_problems_raised_in_a_build_worker_keep_their_positions(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dpagen.portfolio import build

    where = ws.agreement_file(CLIENT)

    def failing(_fmt: str):  # type: ignore[no-untyped-def]
        def render(_doc, _templates):  # type: ignore[no-untyped-def]
            raise ProblemsFound([Problem(where, 12, 5, "refused in the worker")])

        return render

    # the worker processes are forked from this one, so they see the replaced renderer
    monkeypatch.setattr(build, "renderer_for", failing)
    report = build.build(ws, [CLIENT], jobs=2, formats=("txt",), out=tmp_path)
    assert report.rendered == []
    problems = report.failed[CLIENT]
    assert {(p.path, p.line, p.column, p.message) for p in problems} == {
        (where, 12, 5, "refused in the worker")
    }


def test_upgrade_of_an_unreadable_agreement_reports_positions(ws: Workspace) -> None:
    edit(ws.agreement_file(CLIENT), "agreement:\n", "agreement: [\n")
    result = run(ws, "upgrade", CLIENT, "--edition", "2026.1")
    assert result.exit_code == 1, result.output
    assert "KeyError" not in result.output and "internal error" not in result.output
    assert result.stderr.startswith(f"agreements/{CLIENT}/agreement.yaml:")
    assert "Fix agreement.yaml, then run the upgrade again." in result.stderr


def test_status_lists_a_client_whose_files_are_broken(ws: Workspace) -> None:
    edit(ws.agreement_file(CLIENT), "agreement:\n", "agreement: [\n")
    result = run(ws, "status", "--as-of", "2026-12-01")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[1].split()[:4] == [CLIENT, "–", "?", "invalid"]
    assert result.stderr.startswith(f"{CLIENT}: files with errors\n")
    assert f"agreements/{CLIENT}/agreement.yaml:" in result.stderr
    data = json.loads(run(ws, "status", "--json").stdout)
    assert [row["client"] for row in data] == [CLIENT]
    assert data[0]["errors"] and data[0]["unreleased_changes"] is None
