"""`dpagen diff`: structured changes, clause moves, deviations, and the word redline."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dpagen.changes.diff import words
from dpagen.document.model import Document, plain
from dpagen.document.outline import Para, outline
from dpagen.workspace import Workspace
from tests.helpers import add_edition, edit, next_edition, run

CLIENT = "nordisk-ehandel"
NEW_SUBPROCESSOR = """  - name: Chattkraft AB
    org_no: "556036-0793"
    address: Drottninggatan 1, 111 51 Stockholm
    service: {sv: Chattplattform., en: Chat platform.}
    location: SE
    contact_person:
      name: Maja Ek
      role: {sv: Dataskyddsansvarig, en: Data Protection Manager}
      email: dataskydd@chattkraft.se
    further_subprocessors: []
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
    entry = next_edition(library)
    assert "scope@2, " in entry
    entry = entry.replace("scope@2, ", "scope@2, insurance@1, ")
    (clauses / "library.yaml").write_text(library + entry, encoding="utf-8")
    assert run(examples, "upgrade", CLIENT, "--edition", "2027.1").exit_code == 0
    found = changes(examples)
    kinds = {c["kind"] for c in found}
    assert kinds == {"edition", "clause-added", "clause-moved"}
    moved = [c for c in found if c["kind"] == "clause-moved"]
    # a private client's 26 clauses: the 24 after scope (clause 2) each move down one
    assert len(moved) == 24 and all(c["new"] == c["old"] + 1 for c in moved)


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

    path = released_docx(examples, "sv")
    model = assembled(examples, "sv")
    document = Document(str(path))
    targets = [p for p in document.paragraphs if "Personuppgiftsbiträdet ska" in p.text][:2]
    places = [place_in(model, p.text, "punkt") for p in targets]
    for paragraph in targets:  # one word changed in each of two paragraphs
        replace_word(paragraph, "ska", "får")
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
    last = model.annexes[-1]  # the paragraph goes after the last section of the last annex
    assert [c["path"] for c in found] == [*places, f"{last.label}, {last.sections[-1].title}"]
    text = run(examples, "diff", CLIENT, "--file", str(edited)).stdout
    assert text.startswith(f"edited.docx against release 1 of {CLIENT}\n")


def released_docx(ws: Workspace, lang: str) -> Path:
    """Issue release 1 of CLIENT and give its DOCX in ``lang``."""
    result = run(ws, "release", CLIENT, "--note", "x", "--date", "2026-12-01", "--json")
    assert result.exit_code == 0, result.output
    issued = json.loads(result.stdout)["files"]
    return ws.root / next(p for p in issued if p.endswith(f".{lang}.docx"))


def assembled(ws: Workspace, lang: str) -> Document:
    """CLIENT's agreement as the model numbers it, the same as the release just issued."""
    from dpagen.document.assemble import assemble
    from dpagen.inputs.load import load_inputs

    inputs, _ = load_inputs(ws, [CLIENT])
    return assemble(inputs, CLIENT, lang)


def numbered(model: Document) -> list[tuple[str, str]]:
    """(number, text) of every clause heading ("16."), sub-clause ("16.1") and item ("(a)")."""
    return [
        (block.number, plain(block.runs))
        for block in outline(model)
        if isinstance(block, Para) and block.number
    ]


def sub_clause(model: Document, number: str) -> str:
    """The text of sub-clause ``number``."""
    return dict(numbered(model))[number]


def place_in(model: Document, text: str, word: str) -> str:
    """``punkt N.M`` for a paragraph of the clauses: the sub-clause it is in, or its clause."""
    place = ""
    for number, paragraph in numbered(model):
        if not number.startswith("("):
            place = number.rstrip(".")
        if paragraph == text:
            return f"{word} {place}"
    raise AssertionError(f"{text!r} is not in the clauses")


def paragraph_of(document, text: str):
    return next(p for p in document.paragraphs if p.text == text)


def replace_word(paragraph, old: str, new: str) -> None:
    """Replace the first `` old `` in the paragraph, in the run that has it."""
    run_ = next(r for r in paragraph.runs if f" {old} " in r.text)
    run_.text = run_.text.replace(f" {old} ", f" {new} ", 1)


def move_before(paragraph, target) -> None:
    """Move the paragraph's XML element to just before ``target``'s, as a cut and paste does."""
    target._p.addprevious(paragraph._p)


def test_inserted_edited_and_moved_paragraphs_are_placed_by_clause(
    examples: Workspace, tmp_path
) -> None:
    from docx import Document as open_docx

    path = released_docx(examples, "sv")
    model = assembled(examples, "sv")
    document = open_docx(str(path))
    edited_text = sub_clause(model, "9.1")
    replace_word(paragraph_of(document, edited_text), "ska", "får")
    moved_text = sub_clause(model, "11.4")  # goes to clause 12, where it becomes 12.2
    move_before(
        paragraph_of(document, moved_text), paragraph_of(document, sub_clause(model, "12.2"))
    )
    added = "Kunden får begära en skriftlig rapport om varje incident."
    paragraph_of(document, sub_clause(model, "16.2")).insert_paragraph_before(added)  # no style
    edited = tmp_path / "edited.docx"
    document.save(str(edited))

    found = changes(examples, "--file", str(edited))
    redline = edited_text.replace(" ska ", " [-ska-]{+får+} ", 1)
    assert found == [
        {
            "kind": "paragraph-changed",
            "path": "punkt 9.1",
            "old": edited_text,
            "new": edited_text.replace(" ska ", " får ", 1),
            "redline": [redline],
            "place": "punkt 9.1",
        },
        {
            "kind": "paragraph-moved",
            "path": "punkt 11.4",
            "old": "punkt 11.4",
            "new": "punkt 12.2",
            "redline": [moved_text],
            "place": "punkt 11.4",
        },
        {
            "kind": "paragraph-added",
            "path": "punkt 16.1",  # after sub-clause 16.1 and without a number of its own
            "old": None,
            "new": added,
            "redline": [f"{{+{added}+}}"],
            "place": "punkt 16.1",
        },
    ]
    text = run(examples, "diff", CLIENT, "--file", str(edited)).stdout
    assert text == (
        f"edited.docx against release 1 of {CLIENT}\n"
        "  punkt 9.1: ändras\n"
        f"      {redline}\n"
        "  punkt 11.4: flyttas till punkt 12.2\n"
        f"      {moved_text}\n"
        "  punkt 16.1: tillkommer\n"
        f"      {{+{added}+}}\n"
    )


def test_an_inserted_paragraph_changes_no_other(examples: Workspace, tmp_path) -> None:
    from docx import Document as open_docx

    path = released_docx(examples, "sv")
    model = assembled(examples, "sv")
    document = open_docx(str(path))
    added = "Personuppgiftsbiträdet ska även följa den Personuppgiftsansvariges säkerhetsregler."
    target = paragraph_of(document, sub_clause(model, "9.2"))
    target.insert_paragraph_before(added)
    edited = tmp_path / "inserted.docx"
    document.save(str(edited))
    assert [(c["kind"], c["path"]) for c in changes(examples, "--file", str(edited))] == [
        ("paragraph-added", "punkt 9.1")
    ]
    replace_word(target, "ska", "får")  # the paragraph right after the new one edited too
    document.save(str(edited))
    found = changes(examples, "--file", str(edited))
    assert [(c["kind"], c["path"]) for c in found] == [
        ("paragraph-added", "punkt 9.1"),
        ("paragraph-changed", "punkt 9.2"),
    ]
    assert found[1]["redline"] == [sub_clause(model, "9.2").replace(" ska ", " [-ska-]{+får+} ", 1)]


def test_english_docx_places_by_clause_and_annex(examples: Workspace, tmp_path) -> None:
    from docx import Document as open_docx

    path = released_docx(examples, "en")
    model = assembled(examples, "en")
    document = open_docx(str(path))
    target = paragraph_of(document, sub_clause(model, "12.3"))
    added = "The Processor shall also keep a list of former sub-processors."
    target.insert_paragraph_before(added, style=target.style)  # a numbered sub-clause: 12.3
    moved_text = sub_clause(model, "11.4")
    move_before(
        paragraph_of(document, moved_text), paragraph_of(document, sub_clause(model, "14.2"))
    )
    row = next(  # its row in the overview: name, location, transfer basis, date
        row
        for table in document.tables
        for row in table.rows
        if len(row.cells) == 4 and row.cells[0].text == "Casewell Inc."
    )
    row_before = " | ".join(cell.text for cell in row.cells)
    row.cells[1].paragraphs[0].runs[0].text = "Canada"
    row_after = " | ".join(cell.text for cell in row.cells)
    edited = tmp_path / "edited.en.docx"
    document.save(str(edited))
    found = changes(examples, "--file", str(edited))
    assert [(c["kind"], c["path"], c["old"], c["new"]) for c in found] == [
        ("paragraph-added", "clause 12.3", None, added),
        ("paragraph-moved", "clause 11.4", "clause 11.4", "clause 14.2"),
        (
            "paragraph-changed",
            "Annex 3, Casewell Inc.",
            row_before,
            row_after,
        ),
    ]
    text = run(examples, "diff", CLIENT, "--file", str(edited)).stdout
    assert "\n  clause 12.3: added\n" in text
    assert "\n  clause 11.4: moved to clause 14.2\n" in text
    assert "\n  Annex 3, Casewell Inc.: changed\n" in text


def test_clause_numbers_typed_into_the_text_are_places_not_changes(
    examples: Workspace, tmp_path
) -> None:
    from docx import Document as open_docx

    path = released_docx(examples, "sv")
    model = assembled(examples, "sv")
    document = open_docx(str(path))
    pending = numbered(model)
    for paragraph in document.paragraphs:  # as Word's "convert numbering to text" leaves them
        if pending and paragraph.text == pending[0][1]:
            number = paragraph.add_run(pending.pop(0)[0])
            number.add_tab()
            paragraph.runs[0]._r.addprevious(number._r)
    assert not pending
    edited = tmp_path / "numbers.docx"
    document.save(str(edited))
    assert changes(examples, "--file", str(edited)) == []
    paragraph = next(p for p in document.paragraphs if p.text.startswith("11.4\t"))
    replace_word(paragraph, "ska", "får")
    document.save(str(edited))
    found = changes(examples, "--file", str(edited))
    assert [(c["kind"], c["path"]) for c in found] == [("paragraph-changed", "punkt 11.4")]
    assert found[0]["new"] == sub_clause(model, "11.4").replace(" ska ", " får ", 1)


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
    assert result.stdout == (
        f"{CLIENT}: release 1 → working copy\n"
        "  Standardvillkor: utgåva 2026.2 → utgåva 2027.1\n"
        "  Punkt 16 Personuppgiftsincidenter: ny lydelse (version 1 → 2)\n"
        "      {+Nytt stycke.+}\n"
    )
    english = run(examples, "diff", CLIENT, "--lang", "en").stdout
    assert "  Standard terms: edition 2026.2 → edition 2027.1\n" in english
    assert "  Clause 16 Personal data breaches: new wording (version 1 → 2)\n" in english


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


def test_a_change_only_to_the_english_text_is_compared_in_english(examples: Workspace) -> None:
    assert run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    root = examples.root / f"agreements/{CLIENT}"
    edit(root / "annexes/instructions.yaml", "      en: 90 days", "      en: ninety days")
    swedish = run(examples, "diff", CLIENT)
    assert swedish.stdout == (
        f"{CLIENT}: release 1 → working copy\n"
        "  no changes\n"
        "  (1 further change only in the 'en' text: see --lang en)\n"
    )
    english = run(examples, "diff", CLIENT, "--lang", "en").stdout.splitlines()
    assert english[1:] == [
        "  Annex 1 Processing instructions, Retention rule 'Call recordings', "
        "Retention period: '90 days' → 'ninety days'"
    ]
    assert changes(examples) == []


def test_places_come_from_style_names_when_an_editor_renamed_the_ids() -> None:
    from dpagen.changes.edited_docx import placed_paragraphs
    from dpagen.files.docx_reading import BodyLine

    lines = [  # as a Swedish Word ("Rubrik1") and LibreOffice ("DPAClause") write them
        BodyLine("Underbiträden", "Rubrik1", "heading 1"),
        BodyLine("Ett stycke.", "DPAClause", "DPA Clause"),
        BodyLine("Ett till.", "DPAClause", "DPA Clause"),
        BodyLine("Tillägg utan stil."),
    ]
    assert [p.place for p in placed_paragraphs(lines, "sv")] == [
        "punkt 1",
        "punkt 1.1",
        "punkt 1.2",
        "punkt 1.2",
    ]
