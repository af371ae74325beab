"""Every command that writes files honours ``defaults.output`` of ``dpagen.yaml``."""

from __future__ import annotations

from pathlib import Path

from dpagen.workspace import Workspace
from tests.conftest import CLIENT
from tests.helpers import edit, run


def test_release_diff_and_reports_write_into_defaults_output(ws: Workspace) -> None:
    edit(ws.config_file, "  output: out\n", "  output: dist\n")
    released = run(ws, "release", CLIENT, "--note", "Signerat", "--date", "2026-12-01")
    assert released.exit_code == 0, released.output
    assert (ws.root / f"dist/{CLIENT}/releases/0001").is_dir()
    diff = run(ws, "diff", CLIENT, "1", "working", "--format", "html")
    assert diff.exit_code == 0, diff.output
    assert (ws.root / f"dist/{CLIENT}/{CLIENT}-diff-r1-working.sv.html").is_file()
    records = run(ws, "retention", "--format", "csv")
    assert records.exit_code == 0, records.output
    assert (ws.root / "dist/retention.csv").is_file()
    again = run(ws, "render", CLIENT, "--release", "1")
    assert again.exit_code == 0, again.output
    folder = (ws.root / f"dist/{CLIENT}/releases/0001").resolve()
    written = [Path(line).resolve() for line in again.stdout.split()]
    assert written and all(path.parent == folder for path in written)
    assert not (ws.root / "out").exists()
