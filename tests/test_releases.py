"""Releases: issue, history by date, byte-identical re-rendering, verification, immutability."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import signal
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from dpagen.workspace import Workspace
from tests.helpers import add_edition, cli_process, edit, next_edition, run, run_killed

CLIENT = "trygg-forsakring"


def only_swedish(ws: Workspace) -> None:
    """Releases in the tests render one language, to keep them quick."""
    edit(ws.root / f"agreements/{CLIENT}/agreement.yaml", "languages: [sv, en]", "languages: [sv]")


def release(ws: Workspace, *args: str) -> dict:
    result = run(ws, "release", CLIENT, "--json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def bump(ws: Workspace, annex: str, effective: str, summary: str) -> None:
    result = run(
        ws,
        "annex",
        "bump",
        CLIENT,
        annex,
        "--effective",
        effective,
        "--summary",
        summary,
        "--class",
        "scope" if annex == "instructions" else "subprocessors",
    )
    assert result.exit_code == 0, result.stderr


def in_force(ws: Workspace, day: str) -> dict:
    result = run(ws, "history", CLIENT, "--at", day, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_walkthrough(examples: Workspace) -> None:
    ws = examples
    only_swedish(ws)
    first = release(ws, "--note", "Signed agreement", "--date", "2026-11-23")
    bump(ws, "instructions", "2027-02-01", "Chatt läggs till")
    release(ws, "--annex", "instructions", "--note", "Chat", "--date", "2027-01-20")
    bump(ws, "subprocessors", "2027-03-01", "Nytt underbiträde")
    release(ws, "--annex", "subprocessors", "--note", "New sub-processor", "--date", "2027-02-20")
    bump(ws, "instructions", "2027-04-01", "Ny lagringstid")
    release(ws, "--annex", "instructions", "--note", "Retention", "--date", "2027-03-25")

    assert in_force(ws, "2026-11-22")["annexes"] == {}
    expected = {
        "2026-12-15": (1, 1, 1),
        "2027-02-15": (2, 1, 1),
        "2027-03-10": (2, 1, 2),
        "2027-04-02": (3, 1, 2),
    }
    for day, (instructions, security, subprocessors) in expected.items():
        state = in_force(ws, day)
        assert state["agreement_release"] == 1
        assert {k: v["version"] for k, v in state["annexes"].items()} == {
            "instructions": instructions,
            "security": security,
            "subprocessors": subprocessors,
        }

    history = run(ws, "history", CLIENT).stdout.splitlines()
    assert [line.split()[0] for line in history] == ["1", "2", "3", "4"]

    # the library moves on: a new version of a clause in a new edition, and the client follows
    clauses = ws.root / "clauses"
    for lang in ("sv", "en"):
        text = (clauses / f"breach/1.{lang}.md").read_text(encoding="utf-8")
        (clauses / f"breach/2.{lang}.md").write_text(
            text + "\nNy mening.\n" if lang == "sv" else text + "\nA new sentence.\n",
            encoding="utf-8",
        )
    edit(
        clauses / "breach/clause.yaml",
        "versions:\n",
        "versions:\n  2: {date: 2027-05-01, note: More.}\n",
    )
    library = (clauses / "library.yaml").read_text(encoding="utf-8")
    entry = next_edition(library)  # 2026.2, the edition the client is on, with breach@2
    assert "breach@1" in entry
    (clauses / "library.yaml").write_text(
        library + entry.replace("breach@1", "breach@2"), encoding="utf-8"
    )
    upgraded = run(ws, "upgrade", CLIENT, "--edition", "2027.1")
    assert upgraded.exit_code == 0, upgraded.stderr
    assert "breach 1 → 2" in upgraded.stdout
    assert run(ws, "validate").exit_code == 0

    issued = {Path(p).name: (ws.root / p).read_bytes() for p in first["files"]}
    again = run(ws, "render", CLIENT, "--release", "1", "--out", str(ws.root / "again"))
    assert again.exit_code == 0, again.stderr
    for line in again.stdout.splitlines():
        path = Path(line) if Path(line).is_absolute() else ws.root / line
        assert path.read_bytes() == issued[path.name]

    # every issued file is identified
    files = sorted((ws.root / "out" / CLIENT / "releases").rglob("*.*"))
    assert len(files) == 8
    verdicts = run(ws, "verify", *map(str, files))
    assert verdicts.exit_code == 0
    assert verdicts.stdout.count("identical to") == 8


def test_changed_files_are_reported_with_their_origin(examples: Workspace, tmp_path: Path) -> None:
    only_swedish(examples)
    issued = release(examples, "--note", "Signed", "--date", "2026-11-23")["files"]
    pdf = next(examples.root / p for p in issued if p.endswith(".pdf"))
    docx = next(examples.root / p for p in issued if p.endswith(".docx"))

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(pdf))
    content = writer.pages[0].get_contents()
    data = content.get_data()
    # the title is drawn glyph by glyph: make its second letter a copy of its third
    first = re.search(rb"\[<([0-9a-f]{4})>[^<]*<([0-9a-f]{4})>[^<]*<([0-9a-f]{4})>", data)
    data = data[: first.start(2)] + first.group(3) + data[first.end(2) :]
    content.set_data(data)
    writer.pages[0].replace_contents(content)
    edited_pdf = tmp_path / "edited.pdf"
    with edited_pdf.open("wb") as stream:
        writer.write(stream)
    words = [PdfReader(path).pages[0].extract_text().split() for path in (pdf, edited_pdf)]
    assert len(words[0]) == len(words[1])
    assert sum(a != b for a, b in zip(*words, strict=True)) == 1  # one changed word

    source = zipfile.ZipFile(docx)
    edited_docx = tmp_path / "edited.docx"
    with zipfile.ZipFile(edited_docx, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data.replace("Personuppgiftsbiträdet".encode(), "Biträdet".encode(), 1)
            target.writestr(item, data)
    result = run(examples, "verify", str(pdf), str(edited_pdf), str(edited_docx))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "identical to" in lines[0]
    assert lines[1] == f"{edited_pdf}: CHANGED since issue; it comes from release 1 of {CLIENT}"
    assert lines[2] == f"{edited_docx}: CHANGED since issue; it comes from release 1 of {CLIENT}"


def test_issued_pdf_is_pdfa_and_holds_the_lock(examples: Workspace) -> None:
    only_swedish(examples)
    issued = release(examples, "--note", "Signed", "--date", "2026-11-23")
    pdf = next(examples.root / p for p in issued["files"] if p.endswith(".pdf"))
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="U"' in metadata
    record = json.loads(reader.attachments["release.lock.json"][0])
    assert (record["client"], record["release"]) == (CLIENT, 1)
    lock = json.loads((examples.root / issued["lock"]).read_text(encoding="utf-8"))
    assert lock["record"]["release"] == 1 and len(lock["outputs"]) == 2
    docx = next(examples.root / p for p in issued["files"] if p.endswith(".docx"))
    from docx import Document

    assert Document(docx).core_properties.keywords == (
        f"dpagen release 1 lock {lock['record_hash']}"
    )


def frozen_case(ws: Workspace, path: Path, old: str, new: str) -> None:
    only_swedish(ws)
    release(ws, "--note", "Signed", "--date", "2026-11-23")
    assert run(ws, "validate").exit_code == 0
    edit(path, old, new)
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert str(path.relative_to(ws.root)) in result.stderr
    edit(path, new, old)
    assert run(ws, "validate").exit_code == 0


def test_frozen_clause_text(examples: Workspace) -> None:
    frozen_case(
        examples,
        examples.root / "clauses/breach/1.sv.md",
        "Personuppgiftsincidenter",
        "Personuppgiftsincidentet",
    )


def test_frozen_edition(examples: Workspace) -> None:
    frozen_case(
        examples, examples.root / "clauses/library.yaml", "date: 2026-12-15", "date: 2026-12-16"
    )


def test_frozen_lock(examples: Workspace) -> None:
    lock = examples.root / f"agreements/{CLIENT}/releases/0001.lock.json"
    only_swedish(examples)
    release(examples, "--note", "Signed", "--date", "2026-11-23")
    lock.chmod(0o644)
    frozen_case_text = lock.read_text(encoding="utf-8")
    lock.write_text(frozen_case_text.replace('"Signed"', '"Signet"'), encoding="utf-8")
    result = run(examples, "validate")
    assert result.exit_code == 1
    assert (
        f"agreements/{CLIENT}/releases/0001.lock.json:1:1: error: release lock has been edited"
        in result.stderr
    )
    lock.write_text(frozen_case_text, encoding="utf-8")
    assert run(examples, "validate").exit_code == 0


def test_rerender_refuses_when_a_template_changed(examples: Workspace) -> None:
    only_swedish(examples)
    release(examples, "--note", "Signed", "--date", "2026-11-23")
    css = examples.root / "templates/agreement.css"
    css.write_text(css.read_text() + "\n/* changed */\n")
    kept = examples.root / f"agreements/{CLIENT}/releases/0001"
    assert run(examples, "render", CLIENT, "--release", "1").exit_code == 0  # the kept files
    shutil.rmtree(kept)  # as for a release issued before issued files were kept
    result = run(examples, "render", CLIENT, "--release", "1")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "error: release 1 cannot be re-created byte for byte: templates changed since it was "
        "issued: agreement.css"
    )


def test_annex_bump_keeps_comments_and_order(examples: Workspace) -> None:
    path = examples.root / f"agreements/{CLIENT}/annexes/instructions.yaml"
    before = path.read_text(encoding="utf-8")
    bump(examples, "instructions", "2027-02-01", "Chatt läggs till")
    after = path.read_text(encoding="utf-8")
    comments = [line for line in before.splitlines() if line.lstrip().startswith("#")]
    assert comments and all(line in after.splitlines() for line in comments)

    def keys(text: str) -> list[str]:
        return [line.split(":")[0] for line in text.splitlines() if re.match(r"^[a-z_]+:", line)]

    assert keys(after) == keys(before)
    assert "version: 2\neffective_date: 2027-02-01\n" in after
    assert (
        "  - version: 2\n    date: 2027-02-01\n    summary: Chatt läggs till\n    class: scope\n"
        in after
    )
    assert len(after.splitlines()) == len(before.splitlines()) + 4


def release_process(ws: Workspace, note: str) -> tuple[dict[str, str], list[str]]:
    """Environment and command line for a `dpagen release` in another process."""
    return cli_process(ws, "release", CLIENT, "--note", note, "--date", "2026-11-23")


def test_concurrent_releases(examples: Workspace) -> None:
    only_swedish(examples)
    env, command = release_process(examples, "race")
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for _ in range(10)
    ]
    results = [(p.wait(timeout=600), p.stderr.read().decode()) for p in processes]
    assert all(code in (0, 1) for code, _ in results)
    assert all("Traceback" not in err for _, err in results)
    locks = sorted((examples.root / f"agreements/{CLIENT}/releases").glob("*.lock.json"))
    succeeded = sum(1 for code, _ in results if code == 0)
    assert [p.name for p in locks] == [f"{n:04d}.lock.json" for n in range(1, succeeded + 1)]
    assert run(examples, "validate").exit_code == 0  # every lock intact


@pytest.mark.parametrize(
    "kill",
    # after a delay, and at chosen calls: the lock's temporary file half-written (the issued files
    # complete, no lock), and the lock linked in place with its temporary file still there
    [0.4, 1.0, 1.6, 2.2, 2.8, 3.4, "fsync:3", "after-link:1"],
)
def test_killed_release_leaves_nothing_half_written(
    examples: Workspace, tmp_path: Path, kill: float | str
) -> None:
    only_swedish(examples)
    env, command = release_process(examples, "killed")
    if isinstance(kill, str):
        run_killed(env, command, kill, tmp_path / "counter")
    else:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
        )
        time.sleep(kill)
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert run(examples, "validate").exit_code == 0  # any lock written is whole
    for path in (examples.root / "out").rglob("*"):
        if path.is_file() and not path.name.startswith("."):
            data = path.read_bytes()
            if path.suffix == ".pdf":
                assert data.rstrip().endswith(b"%%EOF")
            elif path.suffix == ".docx":
                assert zipfile.ZipFile(io.BytesIO(data)).testzip() is None
    locks = list((examples.root / f"agreements/{CLIENT}/releases").glob("*.lock.json"))
    if kill == "after-link:1":
        assert len(locks) == 1
    after = release(examples, "--note", "after the kill", "--date", "2026-11-23")
    assert after["lock"].endswith(f"{len(locks) + 1:04d}.lock.json")  # the next run is clean
    leftovers = list((examples.root / "out").rglob(".*.tmp"))
    leftovers += (examples.root / f"agreements/{CLIENT}/releases").glob(".*.tmp")
    assert leftovers == []  # what the killed run left behind was cleared
    for lock in locks:  # a lock only exists with all of its files, as issued
        outputs = json.loads(lock.read_text(encoding="utf-8"))["outputs"]
        folder = examples.root / "out" / CLIENT / "releases" / lock.name[:4]
        assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == sorted(
            outputs
        )
        for name, digest in outputs.items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest


def test_status(examples: Workspace) -> None:
    only_swedish(examples)
    release(examples, "--note", "Signed", "--date", "2026-11-23")
    rows = {
        r["client"]: r
        for r in json.loads(run(examples, "status", "--json", "--as-of", "2026-11-30").stdout)
    }
    assert rows[CLIENT]["latest_release"] == 1 and rows[CLIENT]["unreleased_changes"] is False
    assert rows["nordisk-ehandel"]["latest_release"] is None
    assert rows["nordisk-ehandel"]["unreleased_changes"] is True
    assert rows["nordisk-ehandel"]["deviations"] == 1
    bump(examples, "instructions", "2027-02-01", "Chatt")
    add_edition(examples)
    row = next(
        r
        for r in json.loads(run(examples, "status", "--json", "--as-of", "2026-11-30").stdout)
        if r["client"] == CLIENT
    )
    assert row["unreleased_changes"] is True
    assert row["newer_edition"] == "2027.1"
    assert row["future_annexes"] == ["instructions v2 (2027-02-01)"]


def test_upgrade_lists_what_the_new_edition_needs(examples: Workspace) -> None:
    add_edition(examples, new_term=True)
    result = run(examples, "upgrade", CLIENT, "--edition", "2027.1")
    assert result.exit_code == 1
    assert result.stdout == f"{CLIENT}: edition 2026.2 → 2027.1\n  breach 1 → 2\n"
    assert re.search(
        rf"agreements/{CLIENT}/agreement.yaml:\d+:\d+: error: term 'breach_hotline' "
        "has no value",
        result.stderr,
    )
    text = (examples.root / f"agreements/{CLIENT}/agreement.yaml").read_text(encoding="utf-8")
    assert 'edition: "2027.1"' in text


def test_an_issued_annex_version_cannot_change_silently(examples: Workspace) -> None:
    only_swedish(examples)
    release(examples, "--note", "Signed", "--date", "2026-11-23")
    edit(
        examples.root / f"agreements/{CLIENT}/annexes/subprocessors.yaml",
        "authorised_on: 2026-11-23",
        "authorised_on: 2026-11-24",
    )
    result = run(examples, "release", CLIENT, "--annex", "subprocessors", "--note", "x")
    assert result.exit_code == 1
    assert (
        "error: subprocessors version 1 was issued in release 1 with other content" in result.stderr
    )
    assert not (examples.root / f"agreements/{CLIENT}/releases/0002.lock.json").exists()


def test_changelog_must_reach_the_current_version(examples: Workspace) -> None:
    edit(
        examples.root / f"agreements/{CLIENT}/annexes/security.yaml", "version: 1\n", "version: 2\n"
    )
    result = run(examples, "validate")
    assert (
        "error: the change log's last entry is for version 1, but the annex is version 2"
        in result.stderr
    )


def test_missing_lock_is_reported(examples: Workspace, tmp_path: Path) -> None:
    only_swedish(examples)
    first = release(examples, "--note", "One", "--date", "2026-11-23")
    release(examples, "--note", "Two", "--date", "2026-11-24")
    (examples.root / f"agreements/{CLIENT}/releases/0001.lock.json").unlink()
    result = run(examples, "validate")
    assert (
        f"agreements/{CLIENT}/releases:1:1: error: release 1 of {CLIENT} is missing"
        in result.stderr
    )
    pdf = next(p for p in first["files"] if p.endswith(".pdf"))
    verdict = run(examples, "verify", str(examples.root / pdf))
    assert (
        "names release 1 of trygg-forsakring, but that release's lock is missing" in verdict.stdout
    )


def test_history_counts_only_releases_issued_by_the_date(examples: Workspace) -> None:
    only_swedish(examples)
    release(examples, "--note", "Signed", "--date", "2026-11-23")
    release(examples, "--note", "Re-issued", "--date", "2027-05-20")
    state = in_force(examples, "2027-03-01")
    assert state["agreement_release"] == 1
    assert {info["release"] for info in state["annexes"].values()} == {1}


def test_release_rerender_takes_no_format(examples: Workspace) -> None:
    result = run(examples, "render", CLIENT, "--release", "1", "--format", "pdf")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --format does not go with --release")


def test_rerender_refuses_a_template_linked_outside(examples: Workspace, tmp_path: Path) -> None:
    assert run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    outside = tmp_path / "OFL.txt"
    licence = examples.root / "templates/fonts/OFL.txt"
    outside.write_bytes(licence.read_bytes())
    licence.unlink()
    licence.symlink_to(outside)
    shutil.rmtree(examples.root / f"agreements/{CLIENT}/releases/0001")  # re-render, not restore
    result = run(examples, "render", CLIENT, "--release", "1")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"error: {licence}: refused to read OFL.txt: a symbolic link takes it to {outside}, "
        "outside templates/\n"
    )
