"""The Word redline: accept all gives the new version, reject all the old one."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from dpagen.changes.diff import load_state, redline_docx
from dpagen.document.assemble import assemble
from dpagen.document.model import Run, SubClause
from dpagen.inputs.load import load_inputs
from dpagen.render.docx import render_docx
from dpagen.render.redline import render_redline_docx
from dpagen.workspace import Workspace
from tests.helpers import docx_lines, edit, libreoffice_convert, run
from tests.test_diff import CLIENT, scripted_changes

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def resolve(data: bytes, accept: bool, target: Path) -> Path:
    """Accept or reject every tracked change of a DOCX, as Word would, into ``target``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    root = etree.fromstring(source.read("word/document.xml"))
    gone, kept = (f"{W}del", f"{W}ins") if accept else (f"{W}ins", f"{W}del")
    for row in list(root.iter(f"{W}tr")):  # rows inserted or deleted as a whole
        if row.find(f"{W}trPr/{gone}") is not None:
            row.getparent().remove(row)
    for table in list(root.iter(f"{W}tbl")):  # a table whose rows all went goes with them
        if table.find(f"{W}tr") is None:
            table.getparent().remove(table)
    for para in list(root.iter(f"{W}p")):  # paragraphs whose mark was inserted or deleted
        if para.find(f"{W}pPr/{W}rPr/{gone}") is not None:
            para.getparent().remove(para)
    for element in list(root.iter(gone)):
        element.getparent().remove(element)
    for element in list(root.iter(kept)):
        parent = element.getparent()
        if parent.tag in (f"{W}rPr", f"{W}trPr"):
            parent.remove(element)
            continue
        index = parent.index(element)
        for child in list(element):
            parent.insert(index, child)
            index += 1
        parent.remove(element)
    for text in root.iter(f"{W}delText"):
        text.tag = f"{W}t"
    with zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            body = (
                etree.tostring(root) if item.filename == "word/document.xml" else source.read(item)
            )
            out.writestr(item, body)
    return target


def assert_resolves(redline: bytes, old, new, templates: Path, folder: Path) -> None:  # type: ignore[no-untyped-def]
    """Accepting every change of ``redline`` gives ``new``, rejecting every change ``old``."""
    for doc, accept in ((new, True), (old, False)):
        expected = folder / f"expected-{accept}.docx"
        expected.write_bytes(render_docx(doc, templates))
        resolved = resolve(redline, accept, folder / f"resolved-{accept}.docx")
        assert docx_lines(resolved) == docx_lines(expected)
        # every cell holds exactly the paragraphs of that version: none left empty behind
        assert cell_paragraphs(resolved) == cell_paragraphs(expected)


def cell_paragraphs(path: Path) -> list[list[list[str]]]:
    """Each table cell's paragraphs, empty ones included, table by table and row by row."""
    root = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    return [
        [
            ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in cell.iter(f"{W}p")]
            for cell in table.iter(f"{W}tc")
        ]
        for table in root.iter(f"{W}tbl")
    ]


def change_everything(ws: Workspace) -> None:
    scripted_changes(ws)
    root = ws.root / f"agreements/{CLIENT}"
    path = root / "annexes/security.yaml"  # remove one measure line: a paragraph deleted in a cell
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("restore:")) + 1
    end = start + 1
    while not lines[end].lstrip().startswith("- "):
        end += 1
    path.write_text("\n".join(lines[:start] + lines[end:]) + "\n", encoding="utf-8")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_accept_and_reject_give_the_two_versions(
    examples: Workspace, tmp_path: Path, lang: str
) -> None:
    change_everything(examples)
    old = load_state(examples, CLIENT, "1")
    new = load_state(examples, CLIENT, "working")
    old_doc, new_doc = (assemble(s.inputs, CLIENT, lang) for s in (old, new))
    assert_resolves(redline_docx(old, new, lang), old_doc, new_doc, examples.templates, tmp_path)


def test_redline_has_unique_ids_and_is_deterministic(examples: Workspace) -> None:
    change_everything(examples)
    old, new = load_state(examples, CLIENT, "1"), load_state(examples, CLIENT, "working")
    first, second = redline_docx(old, new), redline_docx(old, new)
    assert first == second
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(first)).read("word/document.xml"))
    ids = [e.get(f"{W}id") for e in root.iter(f"{W}ins", f"{W}del")]
    assert len(ids) > 10 and len(ids) == len(set(ids))
    assert all(e.get(f"{W}author") == "dpagen" for e in root.iter(f"{W}ins", f"{W}del"))


@pytest.mark.tools
def test_libreoffice_keeps_the_tracked_changes(examples: Workspace, tmp_path: Path) -> None:
    change_everything(examples)
    path = tmp_path / "redline.docx"
    result = run(examples, "diff", CLIENT, "1", "working", "--format", "docx", "--out", str(path))
    assert result.exit_code == 0, result.stderr
    (tmp_path / "round").mkdir()
    for target, folder in (("pdf", tmp_path), ("docx:MS Word 2007 XML", tmp_path / "round")):
        libreoffice_convert(path, target, folder, tmp_path / "profile")
    assert (tmp_path / "redline.pdf").stat().st_size > 10_000
    before = zipfile.ZipFile(path).read("word/document.xml").count(b"<w:ins ")
    after = zipfile.ZipFile(tmp_path / "round/redline.docx").read("word/document.xml")
    assert before > 0 and after.count(b"<w:ins ") > 0 and after.count(b"<w:del ") > 0


WORDS = st.lists(
    st.sampled_from(["avtal", "ska", "inte", "24", "timmar", "och", "Bilaga", "å"]),
    min_size=1,
    max_size=12,
).map(" ".join)
EDIT = st.tuples(
    st.sampled_from(["text", "drop", "add", "row", "term"]), st.integers(0, 10_000), WORDS
)


def mutate(doc, edits):
    clauses = list(doc.clauses)
    annexes = list(doc.annexes)
    for kind, seed, words in edits:
        clause = clauses[seed % len(clauses)]
        subs = list(clause.subclauses)
        index = seed % len(subs)
        if kind == "text":
            subs[index] = replace(subs[index], runs=(Run(words),))
        elif kind == "drop" and len(subs) > 1:
            del subs[index]
        elif kind == "add":
            subs.insert(index, SubClause(subs[index].number or "1.1", (Run(words),)))
        elif kind == "term":
            text = "".join(r.text for r in subs[index].runs)
            subs[index] = replace(subs[index], runs=(Run(text.replace(" ", f" {words} ", 1)),))
        elif kind == "row":
            annex = annexes[seed % len(annexes)]
            sections = list(annex.sections)
            section = sections[seed % len(sections)]
            if section.table is not None and section.table.rows:
                rows = list(section.table.rows)
                row = rows[seed % len(rows)]
                rows[seed % len(rows)] = tuple((words,) for _ in row)
                sections[seed % len(sections)] = replace(
                    section, table=replace(section.table, rows=tuple(rows))
                )
                annexes[seed % len(annexes)] = replace(annex, sections=tuple(sections))
        clauses[seed % len(clauses)] = replace(clause, subclauses=tuple(subs))
    return replace(doc, clauses=tuple(clauses), annexes=tuple(annexes))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(edits_a=st.lists(EDIT, max_size=4), edits_b=st.lists(EDIT, max_size=6))
def test_random_edits_round_trip(_pristine: Path, tmp_path_factory, edits_a, edits_b) -> None:
    ws = Workspace(_pristine)
    inputs, _ = load_inputs(ws, [CLIENT])
    base = assemble(inputs, CLIENT, "sv")
    a, b = mutate(base, edits_a), mutate(base, edits_b)
    folder = tmp_path_factory.mktemp("redline")
    assert_resolves(render_redline_docx(a, b, ws.templates), a, b, ws.templates, folder)


def test_html_and_pdf_redlines(examples: Workspace, tmp_path: Path) -> None:
    root = examples.root / f"agreements/{CLIENT}"
    assert run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    edit(root / "agreement.yaml", "breach_notice_hours: 24", "breach_notice_hours: 12")
    html_path, pdf_path = tmp_path / "r.html", tmp_path / "r.pdf"
    for fmt, path in (("html", html_path), ("pdf", pdf_path)):
        result = run(examples, "diff", CLIENT, "1", "working", "--format", fmt, "--out", str(path))
        assert result.exit_code == 0, result.stderr
    html = html_path.read_text(encoding="utf-8")
    assert "<li>Punkt 16 Personuppgiftsincidenter: 24 → 12</li>" in html
    assert "breach_notice_hours" not in html  # the summary speaks the reader's language
    assert "senast </span><del>24</del><ins>12</ins><span> timmar" in html
    assert "utfärdande 1 jämfört med nuvarande arbetsversion" in html
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(pdf_path).pages)
    assert "Sammanfattning av ändringarna" in text and "Personuppgiftsincidenter: 24 → 12" in text
    again = tmp_path / "again.pdf"
    run(examples, "diff", CLIENT, "1", "working", "--format", "pdf", "--out", str(again))
    assert again.read_bytes() == pdf_path.read_bytes()


def test_amendment_lists_old_and_new_wording(examples: Workspace, tmp_path: Path) -> None:
    root = examples.root / f"agreements/{CLIENT}"
    assert run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    edit(root / "agreement.yaml", "breach_notice_hours: 24", "breach_notice_hours: 12")
    path = tmp_path / "amendment.html"
    result = run(
        examples,
        "diff",
        CLIENT,
        "1",
        "working",
        "--amendment",
        "--format",
        "html",
        "--out",
        str(path),
    )
    assert result.exit_code == 0, result.stderr
    html = path.read_text(encoding="utf-8")
    assert "Följande ändringar i avtal PUB-2026-014 gäller från 1 december 2026." in html
    assert "<h2>Punkt 16 Personuppgiftsincidenter</h2>" in html
    assert html.count("Tidigare lydelse") == 1 and html.count("Ny lydelse") == 1
    assert "och senast 24 timmar" in html and "och senast 12 timmar" in html
    result = run(examples, "diff", CLIENT, "1", "working", "--amendment")
    assert result.exit_code == 2


def test_change_log_rows_are_tracked_by_version(examples: Workspace, tmp_path: Path) -> None:
    from dpagen.changes.alignment import MarkedTable, compare

    assert run(examples, "release", CLIENT, "--note", "x", "--date", "2026-12-01").exit_code == 0
    path = examples.root / f"agreements/{CLIENT}/annexes/security.yaml"
    # the approval of version 1 is recorded later
    edit(
        path,
        "  - version: 1\n    date: 2026-12-01\n",
        "  - version: 1\n    date: 2026-12-01\n    approved_by: Eva Lind\n",
    )
    bump = ["annex", "bump", CLIENT, "security", "--effective", "2027-02-01"]
    assert run(examples, *bump, "--summary", "Loggning i 24 månader").exit_code == 0
    old, new = load_state(examples, CLIENT, "1"), load_state(examples, CLIENT, "working")
    old_doc, new_doc = (assemble(s.inputs, CLIENT, "sv") for s in (old, new))
    logs = [
        block
        for block in compare(old_doc, new_doc)
        if isinstance(block, MarkedTable) and block.table.header[:2] == ("Version", "Datum")
    ]
    security = logs[1]
    assert [row.mark for row in security.rows] == ["", "+"]  # changed, then inserted
    approved = security.rows[0].cells[3]
    assert [p.segments for p in approved] == [(("-", "–"), ("+", "Eva Lind"))]
    assert [row.mark for log in (logs[0], logs[2]) for row in log.rows] == ["=", "="]
    assert_resolves(redline_docx(old, new), old_doc, new_doc, examples.templates, tmp_path)


def test_a_cell_filled_in_later_keeps_its_one_paragraph(ws: Workspace, tmp_path: Path) -> None:
    from dpagen.changes.alignment import MarkedTable, compare

    inputs, _ = load_inputs(ws, [CLIENT])
    base = assemble(inputs, CLIENT, "sv")

    def with_cell(lines: tuple[str, ...]):  # type: ignore[no-untyped-def]
        annex = base.annexes[0]
        section = annex.sections[-1]
        row = (*section.table.rows[0][:3], lines, section.table.rows[0][4])
        table = replace(section.table, rows=(row,))
        sections = (*annex.sections[:-1], replace(section, table=table))
        return replace(base, annexes=(replace(annex, sections=sections), *base.annexes[1:]))

    old, new = with_cell(()), with_cell(("Eva Lind",))
    marked = next(
        b for b in compare(old, new) if isinstance(b, MarkedTable) and b.table.row_keys == ("1",)
    )
    cell = marked.rows[0].cells[3]
    assert [(p.mark, p.segments) for p in cell] == [("", (("+", "Eva Lind"),))]
    assert_resolves(render_redline_docx(old, new, ws.templates), old, new, ws.templates, tmp_path)
