"""Interrupted, failing and concurrent runs of `render` and `build` (`release`: test_releases.py).

A run killed at any write leaves every output either absent, the old complete file or the new
complete file; the next run clears what the killed one left and writes the same bytes as a run
that was never interrupted. A full disk or a missing permission is a clear error that changes no
output. Builds (and renders) running at once in one workspace all succeed and agree.
"""

from __future__ import annotations

import errno
import fcntl
import io
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from dpagen.files import atomic
from dpagen.workspace import Workspace
from tests.helpers import cli_process, edit, run, run_killed

CLIENT = "nordisk-ehandel"
CLIENTS = ("ljungsjo-kommun", "nordisk-ehandel", "trygg-forsakring")
MANIFEST = ".build-manifest.json"
BUILD = ("build", "--jobs", "2", "--format", "docx")
RENDER = ("render", CLIENT, "--format", "docx")
RENDER_PDF = ("render", CLIENT, "--format", "pdf,docx", "--lang", "sv")
Files = dict[str, bytes]


def outputs(ws: Workspace) -> Files:
    """Every file under out/ by its path relative to out/, except the lock build takes."""
    out = ws.root / "out"
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name != ".build-manifest.lock"
    }


def temporaries(ws: Workspace) -> list[Path]:
    """The temporary files of write_atomic (``.NAME.XXXXXXXX.tmp``) under out/."""
    return sorted((ws.root / "out").rglob(".*.tmp"))


def written_by(command: tuple[str, ...], files: Files) -> set[str]:
    """The files of ``files`` that ``command`` writes."""
    if command[0] == "build":
        return {name for name in files if name.endswith(".docx") or name == MANIFEST}
    langs = ("sv",) if "--lang" in command else ("sv", "en")
    formats = command[command.index("--format") + 1].split(",")
    return {f"{CLIENT}/{CLIENT}-v1.{lang}.{fmt}" for lang in langs for fmt in formats}


def change(ws: Workspace) -> None:
    """An edit that changes every agreement, so that every output has an old and a new version."""
    edit(ws.root / "dpagen.yaml", "name: Anders Berg", "name: Anders Bergström")


def whole(name: str, data: bytes) -> None:
    """``data`` is a complete file of its kind."""
    if name.endswith(".pdf"):
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), name
    elif name.endswith(".docx"):
        assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None, name
    elif name.endswith(".json"):
        json.loads(data)


@pytest.fixture(scope="module")
def expected(_pristine_examples: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The files uninterrupted runs write, before (``old``) and after (``new``) :func:`change`."""
    from docx import Document
    from pypdf import PdfReader

    root = tmp_path_factory.mktemp("expected") / "ws"
    shutil.copytree(_pristine_examples, root)
    ws = Workspace(root)
    result: dict[str, Files] = {}
    for state in ("old", "new"):
        if state == "new":
            change(ws)
            shutil.rmtree(root / "out")
        for command in (BUILD, RENDER_PDF):
            done = run(ws, *command)
            assert done.exit_code == 0, done.stderr
        result[state] = outputs(ws)
    for files in result.values():  # the reference files are sound, and old and new differ
        for name, data in files.items():
            whole(name, data)
            if name.endswith(".docx"):
                Document(io.BytesIO(data))
            elif name.endswith(".pdf"):
                assert len(PdfReader(io.BytesIO(data)).pages) > 1
    assert all(result["old"][name] != result["new"][name] for name in result["old"])
    assert len(json.loads(result["old"][MANIFEST])) == 6
    return result


def install(ws: Workspace, files: Files) -> None:
    for name, data in files.items():
        path = ws.root / "out" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


KILLS = [
    # render: two DOCX files; killed while each is being written, before and after each rename
    *[(RENDER, point, True) for point in ("fsync:1", "fsync:2", "before-replace:2")],
    *[(RENDER, point, True) for point in ("after-replace:1", "after-replace:2")],
    (RENDER, "fsync:1", False),
    # render: a PDF, then a DOCX
    (RENDER_PDF, "fsync:1", True),
    (RENDER_PDF, "after-replace:1", True),
    # build: six DOCX files from two workers, then the manifest (the 7th file)
    *[(BUILD, point, True) for point in ("fsync:1", "fsync:4", "before-replace:3")],
    *[(BUILD, point, True) for point in ("after-replace:6", "fsync:7", "before-replace:7")],
    (BUILD, "fsync:4", False),
]


@pytest.mark.parametrize(
    ("command", "point", "had_outputs"),
    KILLS,
    ids=[
        f"{'render-pdf' if c == RENDER_PDF else c[0]}-{p}-{'over-old' if o else 'fresh'}"
        for c, p, o in KILLS
    ],
)
def test_a_killed_run_leaves_old_or_new_files_and_the_next_run_recovers(
    examples: Workspace,
    expected: dict[str, Files],
    tmp_path: Path,
    command: tuple[str, ...],
    point: str,
    had_outputs: bool,
) -> None:
    old, new = expected["old"], expected["new"]
    if had_outputs:
        install(examples, old)
    change(examples)
    env, line = cli_process(examples, *command)
    run_killed(env, line, point, tmp_path / "counter")

    left = outputs(examples)
    for name, data in left.items():
        if name.endswith(".tmp"):
            continue
        whole(name, data)
        assert data in (old[name], new[name]), f"{name} is neither the old nor the new file"
    if point.startswith(("fsync", "before-replace")):
        assert temporaries(examples)  # the killed run left a temporary file behind...

    again = run(examples, *command)
    assert again.exit_code == 0, again.stderr
    assert temporaries(examples) == []  # ...and the next run removed it
    ours = written_by(command, new)
    wanted = {name: new[name] if name in ours else old[name] for name in old if had_outputs}
    wanted |= {name: new[name] for name in ours}
    assert outputs(examples) == wanted


def start(ws: Workspace, *args: str) -> subprocess.Popen:
    env, command = cli_process(ws, *args)
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finish(*processes: subprocess.Popen) -> list[str]:
    """Wait for every process; each must succeed. Returns their outputs."""
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr.decode()
        results.append(stdout.decode())
    return results


def test_two_builds_at_once(examples: Workspace, expected: dict[str, Files]) -> None:
    finish(start(examples, *BUILD), start(examples, *BUILD))
    built = outputs(examples)
    assert built == {name: expected["old"][name] for name in written_by(BUILD, expected["old"])}
    assert temporaries(examples) == []


def test_builds_of_different_clients_at_once_keep_every_manifest_entry(
    examples: Workspace, expected: dict[str, Files]
) -> None:
    finish(
        start(examples, *BUILD, CLIENTS[0]),
        start(examples, *BUILD, CLIENTS[1]),
        start(examples, *BUILD, CLIENTS[2]),
    )
    assert outputs(examples)[MANIFEST] == expected["old"][MANIFEST]
    again = run(examples, *BUILD)
    assert again.stdout.startswith("rendered 0, up to date 6, failed 0 clients"), again.stdout


def test_a_build_and_renders_of_one_client_at_once(
    examples: Workspace, expected: dict[str, Files]
) -> None:
    finish(start(examples, *BUILD), start(examples, *RENDER), start(examples, *RENDER))
    built = outputs(examples)
    assert built == {name: expected["old"][name] for name in written_by(BUILD, expected["old"])}
    assert temporaries(examples) == []


def test_a_temporary_file_being_written_is_not_swept(tmp_path: Path) -> None:
    live, stale = tmp_path / ".a.docx.1234abcd.tmp", tmp_path / ".b.docx.5678efgh.tmp"
    stale.write_bytes(b"left by a killed run")
    other = tmp_path / ".notes.tmp"  # not a name write_atomic gives
    other.write_bytes(b"someone else's")
    with live.open("wb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # as write_atomic holds the file it writes
        atomic.remove_stale_temporaries(tmp_path)
        assert live.exists() and not stale.exists()
    atomic.remove_stale_temporaries(tmp_path, "b.docx")
    assert live.exists()  # only the temporary files of b.docx were looked at
    atomic.remove_stale_temporaries(tmp_path)
    assert not live.exists() and other.exists()


FULL = ("the disk is full", "    hint: free some space, then run the command again")
DENIED = (
    "no permission",
    "    hint: make sure you may write in that folder and that it is not on a read-only disk",
)
ERRORS = {
    "ENOSPC": FULL,
    "EDQUOT": FULL,
    "EACCES": DENIED,
    "EPERM": DENIED,
    "EROFS": DENIED,
    "EIO": ("input/output error", None),
}


def failing_writes(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make every write of an output file fail with the error ``name``."""
    code = getattr(errno, name)

    def write_all(handle: int, data: bytes) -> None:
        os.write(handle, data[: len(data) // 3])  # the disk fills up part way
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(atomic, "_write_all", write_all)


@pytest.mark.parametrize("name", ERRORS)
def test_a_failing_write_is_a_clear_error_and_changes_nothing(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    first = run(ws, "render", CLIENT, "--format", "txt,docx", "--lang", "sv")
    assert first.exit_code == 0, first.stderr
    before = outputs(ws)
    failing_writes(monkeypatch, name)
    result = run(ws, "render", CLIENT, "--format", "txt,docx")
    assert result.exit_code == 1
    reason, hint = ERRORS[name]
    lines = [f"error: cannot write out/{CLIENT}/{CLIENT}-v1.sv.txt: {reason}", hint]
    assert result.stderr.splitlines() == [line for line in lines if line]
    assert outputs(ws) == before  # no partial file, the old files untouched


def test_a_full_disk_in_builds_workers_is_reported_per_file(
    examples: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_writes(monkeypatch, "ENOSPC")  # build's workers are forked: they fail the same way
    result = run(examples, "build", "--jobs", "2", "--format", "txt", "--lang", "sv")
    assert result.exit_code == 1
    assert result.stdout.startswith("rendered 0, up to date 0, failed 3 clients")
    for client in CLIENTS:
        path = f"out/{client}/{client}-v1.sv.txt"
        assert f"{client}: not built\n{path}:1:1: error: cannot write {path}: {FULL[0]}\n" in (
            result.stderr
        )
    assert "internal error" not in result.stderr and "rendering failed" not in result.stderr
    assert outputs(examples) == {}


@pytest.fixture
def small_disk(tmp_path: Path):
    """A real file system of 1 MiB (tmpfs), unmounted afterwards; needs root."""
    mount = shutil.which("mount")
    folder = tmp_path / "disk"
    folder.mkdir()
    if mount is None or os.geteuid() != 0:
        pytest.skip("mounting a small file system needs mount(8) and root")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"mount is not permitted here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def fill(folder: Path) -> None:
    """Write to ``folder`` until its file system is full."""
    with (folder / "filler").open("wb", buffering=0) as stream:
        try:
            while True:
                stream.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_a_really_full_disk(ws: Workspace, small_disk: Path) -> None:
    out = ("--out", str(small_disk))
    first = run(ws, "render", CLIENT, "--format", "docx", "--lang", "sv", *out)
    assert first.exit_code == 0, first.stderr
    issued = small_disk / CLIENT / f"{CLIENT}-v1.sv.docx"
    before = issued.read_bytes()
    fill(small_disk)
    result = run(ws, "render", CLIENT, "--format", "docx", *out)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: cannot write {issued}: {FULL[0]}", FULL[1]]
    built = run(ws, "build", "--jobs", "2", "--format", "docx", "--lang", "en", *out)
    assert built.exit_code == 1
    assert f"{small_disk}/{CLIENT}/{CLIENT}-v1.en.docx: {FULL[0]}" in built.stderr
    assert "internal error" not in built.stderr
    assert issued.read_bytes() == before
    assert sorted(p.name for p in small_disk.rglob("*") if p.is_file()) == [
        "filler",
        issued.name,
    ]


def test_a_read_only_disk(ws: Workspace, small_disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    result = run(ws, "render", CLIENT, "--format", "docx", "--out", str(small_disk))
    assert result.exit_code == 1
    path = small_disk / CLIENT / f"{CLIENT}-v1.sv.docx"
    assert result.stderr.splitlines() == [f"error: cannot write {path}: {DENIED[0]}", DENIED[1]]
