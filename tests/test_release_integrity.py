"""Releases that stay true: kept files, sealed locks, copied folders, environments, signatures.

A release keeps its issued files beside its lock and restores them whatever changed since; every
field of a lock is inside its seal; a lock copied into another client's folder vouches for
nothing; a re-render on a machine whose rendering environment differs fails naming what differs;
a PDF signed after issue is recognised as the issued file with a signature added.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from dpagen.releases.record import canonical, sha256
from dpagen.workspace import Workspace
from tests.conftest import CLIENT
from tests.helpers import run

LOCK = f"agreements/{CLIENT}/releases/0001.lock.json"
KEPT = f"agreements/{CLIENT}/releases/0001"


def _release(ws: Workspace) -> dict[str, Any]:
    result = run(ws, "release", CLIENT, "--note", "Signerat", "--date", "2026-12-01", "--json")
    assert result.exit_code == 0, result.stderr
    released: dict[str, Any] = json.loads(result.stdout)
    return released


def _edit_lock(ws: Workspace, change: Any) -> None:
    path = ws.root / LOCK
    body = json.loads(path.read_text(encoding="utf-8"))
    change(body)
    path.chmod(0o644)
    path.write_text(json.dumps(body, indent=1), encoding="utf-8")


def test_a_release_keeps_its_issued_files_beside_the_lock(ws: Workspace) -> None:
    released = _release(ws)
    lock = json.loads((ws.root / LOCK).read_text(encoding="utf-8"))
    kept = sorted((ws.root / KEPT).iterdir())
    assert [p.name for p in kept] == sorted(lock["outputs"])
    for path in kept:
        assert sha256(path.read_bytes()) == lock["outputs"][path.name]
        assert (ws.root / "out" / CLIENT / "releases/0001" / path.name).read_bytes() == (
            path.read_bytes()
        )
    assert len(released["files"]) == len(kept)
    assert set(lock["record"]["environment"]) >= {"weasyprint", "pango", "harfbuzz-subset"}

    # whatever changes later, the release's files come back as issued
    (ws.root / "templates/agreement.css").write_text("/* another layout */\n", encoding="utf-8")
    shutil.rmtree(ws.root / "out")
    restored = run(ws, "render", CLIENT, "--release", "1")
    assert restored.exit_code == 0, restored.stderr
    for path in kept:
        issued = ws.root / "out" / CLIENT / "releases/0001" / path.name
        assert issued.read_bytes() == path.read_bytes()
    check = run(ws, "build", "--releases", "--check")
    assert check.exit_code == 1
    assert "templates changed since it was issued: agreement.css" in check.stderr


EDITS = {
    "an output hash": lambda b: b["outputs"].update(
        {next(iter(b["outputs"])): sha256(b"forged file")}
    ),
    "an added output": lambda b: b["outputs"].update({"extra.pdf": sha256(b"forged file")}),
    "the record hash": lambda b: b.update(record_hash=sha256(b"x")),
    "the seal": lambda b: b.update(seal=sha256(b"x")),
    "the seal removed": lambda b: b.pop("seal"),
    "an input": lambda b: b["record"]["agreement"]["client"].update(name="Annan AB"),
    "the note": lambda b: b["record"].update(note="Ändrad"),
    "an added field": lambda b: b.update(comment="hello"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_any_edit_of_a_lock_is_reported(ws: Workspace, edit: str) -> None:
    _release(ws)
    _edit_lock(ws, EDITS[edit])
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert f"{LOCK}:1:1: error: release lock has been edited" in result.stderr


def test_a_forged_file_written_into_the_lock_is_not_vouched_for(
    ws: Workspace, tmp_path: Path
) -> None:
    _release(ws)
    forged = tmp_path / f"{CLIENT}-r1.sv.pdf"
    original = (ws.root / KEPT / forged.name).read_bytes()
    forged.write_bytes(original[:2000] + b"#" + original[2001:])  # one byte of the content
    assert forged.read_bytes() != original

    def forge(body: dict[str, Any]) -> None:
        body["outputs"][forged.name] = sha256(forged.read_bytes())

    _edit_lock(ws, forge)
    result = run(ws, "verify", str(forged))
    assert result.exit_code == 1
    assert "identical" not in result.stdout


def test_a_copied_client_folder_keeps_no_evidence(ws: Workspace) -> None:
    _release(ws)
    copy = ws.root / "agreements/kopia-ab"
    shutil.copytree(ws.root / f"agreements/{CLIENT}", copy)
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert (
        "agreements/kopia-ab/releases/0001.lock.json:1:1: error: release 1 was issued for client "
        f"{CLIENT}, not kopia-ab"
    ) in result.stderr
    verdict = run(ws, "verify", str(copy / f"releases/0001/{CLIENT}-r1.sv.pdf"))
    assert verdict.stdout.endswith(f", release 1 of {CLIENT}\n")  # never "of kopia-ab"


def test_a_lock_for_another_agreement_is_reported(ws: Workspace) -> None:
    _release(ws)
    agreement = ws.root / f"agreements/{CLIENT}/agreement.yaml"
    text = agreement.read_text(encoding="utf-8")
    agreement.write_text(text.replace("id: PUB-2026-014", "id: PUB-2027-001"), encoding="utf-8")
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert (
        f"release 1 was issued for agreement PUB-2026-014; {CLIENT}'s agreement is PUB-2027-001"
    ) in result.stderr


def test_a_pdf_signed_after_issue_is_the_release_with_a_signature(
    ws: Workspace, tmp_path: Path
) -> None:
    from pypdf import PdfWriter
    from pypdf.generic import (
        ArrayObject,
        ByteStringObject,
        DictionaryObject,
        NameObject,
        NumberObject,
    )

    _release(ws)
    issued = ws.root / KEPT / f"{CLIENT}-r1.sv.pdf"
    writer = PdfWriter(str(issued), incremental=True)  # appends, as a signing service does
    signature = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Sig"),
            NameObject("/Filter"): NameObject("/Adobe.PPKLite"),
            NameObject("/SubFilter"): NameObject("/adbe.pkcs7.detached"),
            NameObject("/ByteRange"): ArrayObject([NumberObject(0)] * 4),
            NameObject("/Contents"): ByteStringObject(b"\0" * 64),
        }
    )
    writer._root_object[NameObject("/DpagenTestSignature")] = writer._add_object(signature)
    buffer = io.BytesIO()
    writer.write(buffer)
    signed = tmp_path / "signerad.pdf"
    signed.write_bytes(buffer.getvalue())
    assert signed.read_bytes().startswith(issued.read_bytes())
    result = run(ws, "verify", str(signed))
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{signed}: {CLIENT}-r1.sv.pdf, release 1 of {CLIENT}, with a signature added after "
        "issue (the issued bytes are intact; what the signature part adds is not checked)\n"
    )
    tampered = tmp_path / "ändrad.pdf"
    tampered.write_bytes(issued.read_bytes()[:-200] + signed.read_bytes()[-100:])
    assert "CHANGED" in run(ws, "verify", str(tampered)).stdout


def _in_other_environment(
    ws: Workspace, tmp_path: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """dpagen in a process whose WeasyPrint embeds fonts with fontTools instead of HarfBuzz."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(
        "import weasyprint.pdf.fonts\nweasyprint.pdf.fonts.harfbuzz_subset = None\n",
        encoding="utf-8",
    )
    environment = {
        **os.environ,
        "PYTHONPATH": f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    return subprocess.run(
        [sys.executable, "-m", "dpagen", "-C", str(ws.root), *args],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )


def test_another_environment_restores_the_issued_files_and_its_check_names_the_difference(
    ws: Workspace, tmp_path: Path
) -> None:
    from dpagen.releases.environment import rendering_environment

    if rendering_environment()["harfbuzz-subset"] == "unavailable":
        if os.environ.get("CI"):
            pytest.fail("CI installs libharfbuzz-subset0; HarfBuzz subsetting must be available")
        pytest.skip("HarfBuzz subsetting is not available here, so there is no other path")
    _release(ws)
    kept = {p.name: p.read_bytes() for p in (ws.root / KEPT).iterdir()}
    shutil.rmtree(ws.root / "out")
    restored = _in_other_environment(ws, tmp_path, "render", CLIENT, "--release", "1")
    assert restored.returncode == 0, restored.stderr
    for name, data in kept.items():
        assert (ws.root / "out" / CLIENT / "releases/0001" / name).read_bytes() == data
    check = _in_other_environment(ws, tmp_path, "build", "--releases", "--check")
    assert check.returncode == 1
    assert f"error: release 1 re-rendered differently: {CLIENT}-r1." in check.stderr
    assert "hint: the rendering environment differs: HarfBuzz subsetting " in check.stderr
    assert "→ unavailable\n" in check.stderr
    report = _in_other_environment(ws, tmp_path, "env")
    assert "  HarfBuzz subsetting  unavailable\n" in report.stdout
    assert f"  {CLIENT} release 1: files kept; would re-render differently: HarfBuzz " in (
        report.stdout
    )
    same = run(ws, "build", "--releases", "--check")  # this environment: as issued
    assert same.exit_code == 0, same.stderr


def test_env_lists_every_component_and_release(ws: Workspace) -> None:
    _release(ws)
    lines = run(ws, "env").stdout.splitlines()
    names = [line.split("  ")[1] if line.startswith("  ") else line for line in lines]
    for component in ("dpagen", "WeasyPrint", "pydyf", "fontTools", "Pillow", "Pango"):
        assert any(name.strip() == component for name in names), lines
    assert lines[-1] == f"  {CLIENT} release 1: files kept; re-renders here as issued"


def test_a_lock_of_the_first_format_is_read_but_vouches_for_no_file(ws: Workspace) -> None:
    """Locks written before seals and environments existed: read, warned about, not evidence."""
    _release(ws)

    def first_format(body: dict[str, Any]) -> None:
        body.pop("seal")
        body["record"].pop("environment")
        body["record"]["format"] = 1
        body["record_hash"] = sha256(canonical(_dates(body["record"])))

    _edit_lock(ws, first_format)
    result = run(ws, "validate")
    assert result.exit_code == 0, result.stderr
    assert (
        f"{LOCK}:1:1: warning: release 1's lock was written before locks were sealed"
    ) in result.stderr + result.stdout
    verdict = run(ws, "verify", str(ws.root / KEPT / f"{CLIENT}-r1.sv.pdf"))
    assert verdict.exit_code == 1
    assert "whose lock was written before locks were sealed" in verdict.stdout
    report = run(ws, "env").stdout
    assert f"  {CLIENT} release 1: files kept; issued before environments were recorded" in report


def _dates(value: Any) -> Any:
    """JSON as a lock stores it, with its tagged dates read back as dates (as dpagen reads it)."""
    import datetime as dt

    if isinstance(value, dict):
        if set(value) == {"$date"}:
            return dt.date.fromisoformat(value["$date"])
        return {key: _dates(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_dates(inner) for inner in value]
    return value
