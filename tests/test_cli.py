"""The command line: exact output, exit codes, and no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dpagen import __version__
from dpagen.cli import cli
from dpagen.workspace import Workspace
from tests.conftest import CLIENT
from tests.helpers import at


def run(*args: str, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args))
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args))
    finally:
        os.chdir(old)


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"dpagen, version {__version__}\n"


def test_init_creates_a_working_workspace(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "new"))
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Created workspace {tmp_path / 'new'} (")
    assert (tmp_path / "new/dpagen.yaml").is_file()
    assert (tmp_path / "new/templates/fonts/OFL.txt").is_file()
    assert run("-C", str(tmp_path / "new"), "validate").exit_code == 0


def test_init_refuses_an_existing_workspace(ws: Workspace) -> None:
    result = run("init", str(ws.root))
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: {ws.root} is already a dpagen workspace\n    hint: choose an empty or new folder\n"
    )


def test_workspace_is_found_from_a_subfolder(ws: Workspace) -> None:
    result = run("validate", cwd=ws.root / "agreements" / CLIENT)
    assert result.exit_code == 0


def test_no_workspace(tmp_path: Path) -> None:
    result = run("validate", cwd=tmp_path)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: no dpagen.yaml in {tmp_path.resolve()} or any folder")
    result = run("-C", str(tmp_path), "validate")
    assert result.stderr == (
        f"error: {tmp_path.resolve()} is not a dpagen workspace (no "
        "dpagen.yaml)\n    hint: create one with 'dpagen init DIR'\n"
    )


def test_render_prints_each_file(ws: Workspace, tmp_path: Path) -> None:
    result = run(
        "-C",
        str(ws.root),
        "render",
        CLIENT,
        "--format",
        "txt,html",
        "--lang",
        "sv",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{tmp_path}/{CLIENT}/{CLIENT}-v1.sv.txt\n{tmp_path}/{CLIENT}/{CLIENT}-v1.sv.html\n"
    )


def test_render_json(ws: Workspace, tmp_path: Path) -> None:
    result = run(
        "-C", str(ws.root), "render", CLIENT, "--format", "txt", "--out", str(tmp_path), "--json"
    )
    assert json.loads(result.stdout) == [
        f"{tmp_path}/{CLIENT}/{CLIENT}-v1.sv.txt",
        f"{tmp_path}/{CLIENT}/{CLIENT}-v1.en.txt",
    ]


def test_render_default_output_folder(ws: Workspace) -> None:
    result = run("render", CLIENT, "--format", "txt", "--lang", "en", cwd=ws.root)
    assert result.stdout == f"out/{CLIENT}/{CLIENT}-v1.en.txt\n"
    assert (ws.root / "out" / CLIENT / f"{CLIENT}-v1.en.txt").is_file()


def test_render_refuses_invalid_input_and_writes_nothing(ws: Workspace, tmp_path: Path) -> None:
    path = ws.root / f"agreements/{CLIENT}/agreement.yaml"
    path.write_text(path.read_text().replace("version: 1\n", "version: 0\n", 1))
    result = run("-C", str(ws.root), "render", CLIENT, "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"agreements/{CLIENT}/agreement.yaml:{at(path, '0', after='  version: 0')}: error: "
        "agreement.version:"
        " 0 is less than 1\n1 problem found.\n"
    )
    assert not (tmp_path / CLIENT).exists()


def test_render_bad_format_is_a_usage_error(ws: Workspace) -> None:
    result = run("-C", str(ws.root), "render", CLIENT, "--format", "odt")
    assert result.exit_code == 2
    assert "Invalid value for '--format': 'odt' is not one of pdf, docx, html, txt" in result.stderr


def test_render_unknown_client(ws: Workspace) -> None:
    result = run("-C", str(ws.root), "render", "acme")
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: no client 'acme' in {ws.agreements}\n    hint: known clients: {CLIENT}\n"
    )


def test_client_names_cannot_escape_agreements(ws: Workspace) -> None:
    result = run("-C", str(ws.root), "render", "../../etc")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: '../../etc' is not a valid client name\n"
        "    hint: use lower-case letters, digits and hyphens, "
        "e.g. nordisk-ehandel\n"
    )


def test_list(ws: Workspace) -> None:
    result = run("-C", str(ws.root), "list")
    assert result.stdout == (
        "CLIENT           NAME                 EDITION  VERSION  LANGUAGES\n"
        f"{CLIENT}  Nordisk E-handel AB  2026.2   1        sv,en\n"
    )
    assert json.loads(run("-C", str(ws.root), "list", "--json").stdout) == [
        {
            "client": CLIENT,
            "name": "Nordisk E-handel AB",
            "edition": "2026.2",
            "version": "1",
            "languages": ["sv", "en"],
            "readable": True,
        }
    ]


def test_new_client_then_validate_lists_what_is_left(ws: Workspace) -> None:
    result = run(
        "-C",
        str(ws.root),
        "new",
        "fjallbanken",
        "--name",
        "Fjällbanken AB",
        "--org-no",
        "5560360793",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "Next: fill in the files, then run 'dpagen validate fjallbanken'."
    )
    text = (ws.root / "agreements/fjallbanken/agreement.yaml").read_text()
    assert 'name: "Fjällbanken AB"' in text and 'org_no: "556036-0793"' in text
    assert "subprocessors: general   # general, specific" in text
    result = run("-C", str(ws.root), "validate", "fjallbanken")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    path = ws.root / "agreements/fjallbanken/agreement.yaml"
    street = at(path, '""', after="street:")
    assert errors[0] == (
        f"agreements/fjallbanken/agreement.yaml:{street}: error: client.address.street: "
        "value is empty"
    )
    assert len(errors) == 35
    assert all("value is empty" in e or "value is missing" in e for e in errors)


def test_new_refuses_bad_input(ws: Workspace) -> None:
    result = run("-C", str(ws.root), "new", "acme", "--name", "Acme AB", "--org-no", "556036-0794")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: '556036-0794' is not a valid Swedish organisation number\n"
        "    hint: write it as NNNNNN-NNNN; the last digit is a check digit\n"
    )
    result = run("-C", str(ws.root), "new", CLIENT, "--name", "X", "--org-no", "556036-0793")
    assert result.exit_code == 1 and "already exists" in result.stderr


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout


def test_help_does_not_import_renderers() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dpagen", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Usage: dpagen" in result.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert not any(name.split(".")[0] in ("weasyprint", "docxtpl", "docx") for name in imported)


def test_validate_does_not_import_renderers(ws: Workspace) -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dpagen", "-C", str(ws.root), "validate"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    imported = {
        line.rsplit("|", 1)[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if "|" in line
    }
    assert "weasyprint" not in imported and "docxtpl" not in imported


def test_init_copies_no_release_made_in_the_repository(tmp_path: Path) -> None:
    from dpagen.edit import scaffold

    releases = Path(scaffold.__file__).parent.parent / "starter/agreements/nordisk-ehandel/releases"
    made = not releases.exists()
    releases.mkdir(exist_ok=True)
    lock = releases / "0099.lock.json"
    try:
        lock.write_text("{}", encoding="utf-8")
        assert run("init", str(tmp_path / "new")).exit_code == 0
    finally:
        lock.unlink()
        if made:
            releases.rmdir()
    assert not (tmp_path / "new/agreements/nordisk-ehandel/releases").exists()
