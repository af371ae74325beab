"""``dpagen build --releases``: every issued release re-created byte for byte, incrementally."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from dpagen.workspace import Workspace
from tests.helpers import edit, run

CLIENT = "trygg-forsakring"


def issue_two_releases(ws: Workspace) -> dict[Path, str]:
    """Release 1 (the agreement) and 2 (one annex), in Swedish only to keep the test quick.

    Returns every issued file with the SHA-256 its lock recorded.
    """
    edit(ws.root / f"agreements/{CLIENT}/agreement.yaml", "languages: [sv, en]", "languages: [sv]")
    for args in (
        ("--note", "Signed", "--date", "2026-11-23"),
        ("--annex", "security", "--note", "Security", "--date", "2026-11-24"),
    ):
        result = run(ws, "release", CLIENT, *args)
        assert result.exit_code == 0, result.stderr
    issued = {}
    for lock in sorted((ws.root / f"agreements/{CLIENT}/releases").glob("*.lock.json")):
        folder = ws.root / "out" / CLIENT / "releases" / lock.name[:4]
        outputs = json.loads(lock.read_text(encoding="utf-8"))["outputs"]
        issued.update({folder / name: digest for name, digest in outputs.items()})
    return issued


def seal_of(body: dict) -> str:  # type: ignore[type-arg]
    """The seal over a lock's JSON as read (tagged dates and all), recomputed as a forger would."""
    return hashlib.sha256(
        json.dumps(
            {"outputs": body["outputs"], "record": body["record"]},
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")
    ).hexdigest()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(ws: Workspace, *args: str) -> tuple[int, str, str]:
    result = run(ws, "build", "--releases", "--jobs", "2", *args)
    return result.exit_code, result.stdout, result.stderr


def stamps(files: dict[Path, str]) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in files if path.exists()}


def kept_folder(ws: Workspace, number: int) -> Path:
    return ws.root / f"agreements/{CLIENT}/releases/{number:04d}"


def test_releases_are_restored_byte_for_byte_and_incrementally(examples: Workspace) -> None:
    issued = issue_two_releases(examples)
    shutil.rmtree(examples.root / "out")
    code, stdout, stderr = build(examples)
    assert code == 0, stderr
    assert stdout.startswith(f"rendered 0, restored {len(issued)}, up to date 0, failed 0 clients")
    assert {path: sha256(path) for path in issued} == issued

    code, stdout, _ = build(examples)
    assert code == 0
    assert stdout.startswith(f"rendered 0, up to date {len(issued)}, failed 0 clients")

    before = stamps(issued)
    missing = sorted(issued)[-1]
    missing.unlink()
    code, stdout, _ = build(examples)
    assert code == 0
    assert stdout.startswith(f"rendered 0, restored 1, up to date {len(issued) - 1}, failed 0")
    assert sha256(missing) == issued[missing]
    assert [path for path in issued if stamps(issued)[path] != before.get(path)] == [missing]

    code, stdout, stderr = build(examples, "--check")  # every file rendered again and compared
    assert code == 0, stderr
    assert stdout.startswith(f"rendered {len(issued)}, up to date 0, failed 0 clients")


def test_releases_without_kept_files_are_rendered_from_their_locks(examples: Workspace) -> None:
    issued = issue_two_releases(examples)
    shutil.rmtree(examples.root / "out")
    for number in (1, 2):
        shutil.rmtree(kept_folder(examples, number))
    code, stdout, stderr = build(examples)
    assert code == 0, stderr
    assert stdout.startswith(f"rendered {len(issued)}, up to date 0, failed 0 clients")
    assert {path: sha256(path) for path in issued} == issued


def test_files_issued_by_release_are_already_up_to_date(examples: Workspace) -> None:
    issued = issue_two_releases(examples)
    code, stdout, _ = build(examples)
    assert code == 0
    assert stdout.startswith(f"rendered 0, up to date {len(issued)}, failed 0 clients")


def test_changed_template_fails_the_client_and_overwrites_nothing(examples: Workspace) -> None:
    issued = issue_two_releases(examples)
    assert build(examples)[0] == 0
    css = examples.root / "templates/agreement.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* changed */\n", encoding="utf-8")
    missing = sorted(issued)[0]
    missing.unlink()
    assert build(examples)[0] == 0 and missing.exists()  # restored from the kept files
    missing.unlink()
    for number in (1, 2):  # as for releases issued before their files were kept
        shutil.rmtree(kept_folder(examples, number))
    before = stamps(issued)
    code, stdout, stderr = build(examples)
    assert code == 1
    assert stdout.startswith(f"rendered 0, up to date {len(issued) - 1}, failed 1 client")
    assert f"{CLIENT}: not built\n" in stderr
    assert (
        f"agreements/{CLIENT}/releases/0001.lock.json:1:1: error: release 1 "
        "cannot be re-created byte for byte: templates changed since it was issued: "
        "agreement.css"
    ) in stderr
    assert "release 2" not in stderr  # its files are there with the issued bytes
    assert not missing.exists()
    assert stamps(issued) == before


def test_a_file_that_renders_differently_is_not_written(examples: Workspace) -> None:
    issued = issue_two_releases(examples)
    shutil.rmtree(examples.root / "out")
    lock = examples.root / f"agreements/{CLIENT}/releases/0001.lock.json"
    wrong = next(path for path in sorted(issued) if path.parent.name == "0001")
    lock.chmod(0o644)
    body = json.loads(lock.read_text(encoding="utf-8"))
    body["outputs"][wrong.name] = "0" * 64  # a file that cannot render to its recorded bytes
    body["seal"] = seal_of(body)
    lock.write_text(json.dumps(body), encoding="utf-8")
    code, stdout, stderr = build(examples)
    assert code == 1
    assert stdout.startswith(
        f"rendered 0, restored {len(issued) - 1}, up to date 0, failed 1 client"
    )
    assert (
        f"agreements/{CLIENT}/releases/0001.lock.json:1:1: error: release 1 re-rendered "
        f"differently: {wrong.name}"
    ) in stderr
    assert not wrong.exists()
    assert all(sha256(path) == digest for path, digest in issued.items() if path != wrong)


def test_releases_take_no_format_or_language(examples: Workspace) -> None:
    result = run(examples, "build", "--releases", "--lang", "sv")
    assert result.exit_code == 2
    assert "--lang does not go with --releases" in result.stderr
