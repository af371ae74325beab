"""`dpagen diff`: structured changes, clause moves, deviations, and the word redline."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from dpagen.changes.diff import words
from dpagen.workspace import Workspace
from tests.helpers import add_edition, edit, run

CLIENT = "nordisk-ehandel"
NEW_SUBPROCESSOR = """  - name: Chattkraft AB
    org_no: "556036-0793"
    address: Drottninggatan 1, 111 51 Stockholm
    service: {sv: Chattplattform., en: Chat platform.}
    location: SE
    transfer_mechanism: null
    authorised_on: 2027-01-10
"""


def changes(ws: Workspace, *args: str) -> list[dict]:
    result = run(ws, "diff", CLIENT, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_a_version_against_itself_has_no_changes(examples: Workspace) -> None:
    assert run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    assert changes(examples) == []
    assert changes(examples, "1", "1") == []
    assert (
        run(examples, "diff", CLIENT).stdout
        == f"{CLIENT}: release 1 → working copy\n  no changes\n"
    )


def scripted_changes(ws: Workspace) -> None:
    """Release 1, then: a term, a clause version (new edition), a sub-processor, a retention
    period and a contact change."""
    root = ws.root / f"agreements/{CLIENT}"
    assert run(ws, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    edit(root / "agreement.yaml", "breach_notice_hours: 24", "breach_notice_hours: 12")
    add_edition(ws)
    assert run(ws, "upgrade", CLIENT, "--edition", "2027.1").exit_code == 0
    edit(
        root / "annexes/subprocessors.yaml",
        "  - ref: samtalsmolnet\n",
        NEW_SUBPROCESSOR + "  - ref: samtalsmolnet\n",
    )
    edit(
        root / "agreement.yaml",
        "email: sara.nystrom@nordiskehandel.se",
        "email: sara.nystrom@nordisk.se",
    )
    edit(
        root / "annexes/instructions.yaml",
        "      sv: 90 dagar\n      en: 90 days",
        "      sv: 30 dagar\n      en: 30 days",
    )


def test_scripted_change_set(examples: Workspace) -> None:
    scripted_changes(examples)
    found = [(c["kind"], c["path"]) for c in changes(examples, "1", "working")]
    data = "Samtalsinspelningar"
    assert found == [
        ("edition", "edition"),
        ("party", "client.contacts.admin.email"),
        ("term", "terms.breach_notice_hours"),
        ("clause-version", "clauses.breach"),
        ("annex-field", f"annexes.instructions.retention[{data}].period"),
        ("annex-row-added", "annexes.subprocessors.subprocessors[Chattkraft AB]"),
    ]
    version = next(c for c in changes(examples, "1", "working") if c["kind"] == "clause-version")
    assert (version["old"], version["new"]) == (1, 2)
    assert any("{+" in line for line in version["redline"])


def test_inserted_clause_shows_as_moves(examples: Workspace) -> None:
    assert run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    clauses = examples.root / "clauses"
    (clauses / "insurance").mkdir()
    (clauses / "insurance/clause.yaml").write_text(
        "id: insurance\ncovers: []\nversions:\n  1: {date: 2027-05-01, note: First.}\n",
        encoding="utf-8",
    )
    (clauses / "insurance/1.sv.md").write_text(
        "# Försäkring\n\nBiträdet ska vara försäkrat.\n", encoding="utf-8"
    )
    (clauses / "insurance/1.en.md").write_text(
        "# Insurance\n\nThe processor shall be insured.\n", encoding="utf-8"
    )
    library = (clauses / "library.yaml").read_text(encoding="utf-8")
    entry = library.split("editions:\n", 1)[1].replace('"2026.1"', '"2027.1"')
    entry = entry.replace("2026-01-15", "2027-05-01").replace("scope@1, ", "scope@1, insurance@1, ")
    (clauses / "library.yaml").write_text(library + entry, encoding="utf-8")
    assert run(examples, "upgrade", CLIENT, "--edition", "2027.1").exit_code == 0
    found = changes(examples)
    kinds = {c["kind"] for c in found}
    assert kinds == {"edition", "clause-added", "clause-moved"}
    moved = [c for c in found if c["kind"] == "clause-moved"]
    assert len(moved) == 23 and all(c["new"] == c["old"] + 1 for c in moved)


def test_against_standard_shows_the_deviation(examples: Workspace) -> None:
    found = changes(examples, "--against-standard")
    assert [(c["kind"], c["path"]) for c in found] == [("deviation", "clauses.audits")]
    assert found[0]["redline"]
    assert changes_for(examples, "ljungsjo-kommun") == [("clause-variant", "clauses.subprocessors")]


def changes_for(ws: Workspace, client: str) -> list[tuple[str, str]]:
    result = run(ws, "diff", client, "--against-standard", "--format", "json")
    return [(c["kind"], c["path"]) for c in json.loads(result.stdout)]


def apply(redline: str, side: str) -> str:
    """The old (side '-') or new (side '+') text from a word redline."""
    import re

    if side == "+":
        text = re.sub(r"\[-.*?-\]", "", redline, flags=re.S)
        return re.sub(r"\{\+(.*?)\+\}", r"\1", text, flags=re.S)
    text = re.sub(r"\{\+.*?\+\}", "", redline, flags=re.S)
    return re.sub(r"\[-(.*?)-\]", r"\1", text, flags=re.S)


TEXT = st.lists(
    st.sampled_from(["avtal", "biträde", "ska", "inte", "24", "timmar", "och", "å"]), max_size=30
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(old=TEXT, new=TEXT)
def test_word_redline_gives_back_both_texts(old: str, new: str) -> None:
    redline = words(old, new)
    assert apply(redline, "+") == new
    assert apply(redline, "-") == old


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_word_redline_of_a_text_with_itself_is_the_text(text: str) -> None:
    assert words(text, text) == text


def test_diff_mirrors(examples: Workspace) -> None:
    root = examples.root / f"agreements/{CLIENT}"
    assert run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    edit(root / "agreement.yaml", "breach_notice_hours: 24", "breach_notice_hours: 12")
    edit(
        root / "annexes/subprocessors.yaml",
        "  - ref: samtalsmolnet\n",
        NEW_SUBPROCESSOR + "  - ref: samtalsmolnet\n",
    )
    forward = changes(examples, "1", "working")
    backward = changes(examples, "working", "1")
    swap = {"annex-row-added": "annex-row-removed", "annex-row-removed": "annex-row-added"}
    assert sorted(
        (swap.get(c["kind"], c["kind"]), c["path"], c["new"] is None, c["old"] is None)
        for c in forward
    ) == sorted((c["kind"], c["path"], c["old"] is None, c["new"] is None) for c in backward)
    term = next(c for c in backward if c["kind"] == "term")
    assert (term["old"], term["new"]) == (12, 24)


def test_edited_docx_against_its_release(examples: Workspace, tmp_path) -> None:
    from docx import Document

    result = run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01", "--json")
    issued = json.loads(result.stdout)["files"]
    path = examples.root / next(p for p in issued if p.endswith(".sv.docx"))
    document = Document(str(path))
    targets = [p for p in document.paragraphs if "Personuppgiftsbiträdet ska" in p.text][:2]
    for paragraph in targets:  # one word changed in each of two paragraphs
        run_ = next(r for r in paragraph.runs if "ska" in r.text)
        run_.text = run_.text.replace("ska", "får", 1)
    document.add_paragraph("Ett tillägg från kunden.")
    edited = tmp_path / "edited.docx"
    document.save(str(edited))
    found = changes(examples, "--file", str(edited))
    assert [c["kind"] for c in found] == [
        "paragraph-changed",
        "paragraph-changed",
        "paragraph-added",
    ]
    assert all("[-ska-]{+får+}" in c["redline"][0] for c in found[:2])
    assert found[2]["new"] == "Ett tillägg från kunden."
    text = run(examples, "diff", CLIENT, "--file", str(edited)).stdout
    assert text.startswith(f"edited.docx against release 1 of {CLIENT}\n")


def test_redline_is_coloured_only_on_a_terminal() -> None:
    from dpagen.commands.changes import _coloured

    line = _coloured("senast [-24-]{+12+} timmar")
    assert "\x1b[" in line and "24" in line and "[-" not in line and "{+" not in line


def test_text_output_across_an_edition_change(examples: Workspace) -> None:
    assert run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    add_edition(examples)
    assert run(examples, "upgrade", CLIENT, "--edition", "2027.1").exit_code == 0
    result = run(examples, "diff", CLIENT)
    assert result.exit_code == 0, result.output
    assert "  edition: 2026.1 → 2027.1\n  clause breach: version 1 → 2\n" in result.stdout


def test_file_must_be_a_docx_of_this_client(examples: Workspace, tmp_path) -> None:
    result = run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01", "--json")
    files = json.loads(result.stdout)["files"]
    pdf = examples.root / next(p for p in files if p.endswith(".pdf"))
    docx = examples.root / next(p for p in files if p.endswith(".sv.docx"))
    assert run(examples, "diff", CLIENT, "--file", str(pdf)).stderr.startswith(
        f"error: {pdf} is not a DOCX file"
    )
    other = run(examples, "diff", "trygg-forsakring", "--file", str(docx))
    assert other.exit_code == 2
    assert f"comes from release 1 of {CLIENT}, not trygg-forsakring" in other.stderr


def test_file_that_unpacks_huge_or_is_damaged_is_refused(examples: Workspace, tmp_path) -> None:
    import zipfile

    from dpagen.files.docx_reading import MAX_UNPACKED

    bomb = tmp_path / "bomb.docx"
    chunk = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("word/document.xml", "w", force_zip64=True) as part,
    ):
        for _ in range(MAX_UNPACKED // len(chunk) + 1):
            part.write(chunk)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    result = run(examples, "diff", CLIENT, "--file", str(bomb))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bomb}: the DOCX would unpack to 257 MiB\n")
    verdict = run(examples, "verify", str(bomb))
    assert "Traceback" not in verdict.output and "internal error" not in verdict.output
    damaged = tmp_path / "damaged.docx"
    damaged.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = run(examples, "diff", CLIENT, "--file", str(damaged))
    assert result.stderr == f"error: {damaged} is not a readable DOCX file\n"
