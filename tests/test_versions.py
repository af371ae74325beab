"""Versions always move: a changed main agreement is never issued again under its old version."""

from __future__ import annotations

from dpagen.workspace import Workspace
from tests.conftest import CLIENT
from tests.helpers import at, edit, run


def _one_language(ws: Workspace) -> None:
    edit(ws.agreement_file(CLIENT), "languages: [sv, en]", "languages: [sv]")


def _release(ws: Workspace, day: str) -> tuple[int, str, str]:
    result = run(ws, "release", CLIENT, "--note", "Signerat", "--date", day)
    return result.exit_code, result.stdout, result.stderr


def test_a_changed_agreement_needs_a_higher_version(ws: Workspace) -> None:
    _one_language(ws)
    assert _release(ws, "2026-12-01")[0] == 0
    edit(ws.agreement_file(CLIENT), "    role: {sv: Verkställande direktör,", "    role: {sv: VD,")
    code, _, stderr = _release(ws, "2026-12-10")
    assert code == 1
    where = at(ws.agreement_file(CLIENT), "1", after="  version: ")
    assert stderr.splitlines()[:2] == [
        f"agreements/{CLIENT}/agreement.yaml:{where}: error: the agreement differs from release 1, "
        "which issued version 1, but its version is 1",
        f"    hint: give the new text a new version: dpagen agreement bump {CLIENT} --date DATE",
    ]
    assert "Nothing was released." in stderr
    assert not (ws.root / f"agreements/{CLIENT}/releases/0002.lock.json").exists()

    bumped = run(ws, "agreement", "bump", CLIENT, "--date", "2026-12-10")
    assert bumped.exit_code == 0, bumped.output
    assert bumped.stdout.endswith(": agreement version 2, dated 2026-12-10\n")
    text = ws.agreement_file(CLIENT).read_text(encoding="utf-8")
    assert "  version: 2\n  date: 2026-12-10\n" in text
    assert "# receives notifications of personal data breaches" in text  # comments kept
    assert _release(ws, "2026-12-10")[0] == 0
    history = run(ws, "history", CLIENT).stdout.splitlines()
    assert [line.split()[4] for line in history] == ["v1;", "v2;"]


def test_an_unchanged_agreement_may_be_issued_again_and_annexes_move_alone(
    ws: Workspace,
) -> None:
    _one_language(ws)
    assert _release(ws, "2026-12-01")[0] == 0
    assert _release(ws, "2026-12-02")[0] == 0  # the same text again: allowed
    bumped = run(
        ws,
        "annex",
        "bump",
        CLIENT,
        "security",
        "--effective",
        "2026-12-05",
        "--summary",
        "Ny åtgärd",
        "--class",
        "security",
    )
    assert bumped.exit_code == 0, bumped.output
    code, _, stderr = _release(ws, "2026-12-05")
    assert code == 0, stderr  # only an annex changed: the main agreement keeps its version


def test_bump_refuses_a_date_before_the_current_one(ws: Workspace) -> None:
    result = run(ws, "agreement", "bump", CLIENT, "--date", "2026-01-01")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --date 2026-01-01 is before the current version's date 2026-12-01\n"
    )
