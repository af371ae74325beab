"""Rendered content: golden text, DOCX and PDF agree with the model, are deterministic and safe."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from dpagen.document.assemble import assemble
from dpagen.document.outline import Para, TableBlock, contents, outline
from dpagen.inputs.load import load_inputs
from dpagen.output.agreement_files import render_agreement
from dpagen.render.docx import render_docx
from dpagen.render.html import render_html
from dpagen.render.pdf import render_pdf
from dpagen.render.text import render_text
from dpagen.workspace import Workspace
from tests.conftest import CLIENT, GOLDEN, require_tool
from tests.helpers import (
    NUMBER,
    docx_lines,
    edit,
    libreoffice_convert,
    model_lines,
    pdf_text,
    run,
)

HOSTILE = "Ågren & Söner <AB> {{ 7*7 }} *fet*"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def document(ws: Workspace, lang: str = "sv"):
    inputs, problems = load_inputs(ws, [CLIENT])
    assert [p for p in problems if p.severity == "error"] == []
    return assemble(inputs, CLIENT, lang)


def hostile(ws: Workspace) -> None:
    edit(
        ws.root / f"agreements/{CLIENT}/agreement.yaml",
        "name: Nordisk E-handel AB",
        f'name: "{HOSTILE}"',
    )


EXAMPLES = ["ljungsjo-kommun", "nordisk-ehandel", "trygg-forsakring"]


@pytest.mark.parametrize("client", EXAMPLES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_text_matches_golden(
    examples: Workspace, client: str, lang: str, update_golden: bool
) -> None:
    inputs, _ = load_inputs(examples, [client])
    text = render_text(assemble(inputs, client, lang)).decode("utf-8")
    golden = GOLDEN / f"{client}.{lang}.txt"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_numbering_and_cross_references(ws: Workspace) -> None:
    doc = document(ws)
    assert [c.number for c in doc.clauses] == list(range(1, len(doc.clauses) + 1))
    security = next(c for c in doc.clauses if c.id == "security")
    breach = next(c for c in doc.clauses if c.id == "breach")
    assert f"punkt {breach.number}" in " ".join(
        "".join(r.text for r in s.runs) for s in security.subclauses
    )
    assert security.subclauses[0].number == f"{security.number}.1"
    assert breach.subclauses[1].items[0].label == "(a)"
    assert doc.date == "1 december 2026"
    assert document(ws, "en").date == "1 December 2026"


def test_variant_and_deviation(ws: Workspace) -> None:
    doc = document(ws)
    subprocessors = next(c for c in doc.clauses if c.id == "subprocessors")
    assert subprocessors.variant == "general"
    audits = next(c for c in doc.clauses if c.id == "audits")
    assert audits.deviation is not None
    text = render_text(doc).decode()
    assert "granskningsrapport från en oberoende tredje part" in text  # the negotiated 17.3
    assert "Personuppgiftsbiträdet garanterar att det har den sakkunskap" in text  # kept 17.1
    assert "får beakta relevanta certifieringar" not in text  # the deleted standard paragraph
    # 6 standard paragraphs, one inserted and one deleted
    assert [s.number for s in audits.subclauses] == [f"{audits.number}.{k}" for k in range(1, 7)]
    assert doc.deviations == (
        f"Avvikelser från standardvillkoren: punkt {audits.number} (Information, granskning och "
        "inspektion), överenskommen 15 november 2026"
    )
    edit(
        ws.root / f"agreements/{CLIENT}/agreement.yaml",
        "subprocessors: general",
        "subprocessors: specific",
    )
    specific = next(c for c in document(ws).clauses if c.id == "subprocessors")
    assert specific.variant == "specific" and specific != subprocessors


def test_hostile_name_renders_literally_in_text(ws: Workspace) -> None:
    hostile(ws)
    text = render_text(document(ws)).decode("utf-8")
    assert f"(a) {HOSTILE}, organisationsnummer 556677-8899" in text
    assert "49" not in text.split("Parter", 1)[0]


def test_docx_paragraphs_equal_the_text_rendering(ws: Workspace, tmp_path: Path) -> None:
    doc = document(ws)
    path = tmp_path / "a.docx"
    path.write_bytes(render_docx(doc, ws.templates))
    expected = [NUMBER.sub("", line) for line in model_lines(doc, numbered=False)]
    assert docx_lines(path) == expected
    text_lines = [line for line in render_text(doc).decode().splitlines() if line]
    assert [NUMBER.sub("", line) for line in text_lines] == expected


def test_docx_uses_word_numbering_and_heading_styles(ws: Workspace) -> None:
    data = render_docx(document(ws), ws.templates)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        body = archive.read("word/document.xml").decode()
        numbering = archive.read("word/numbering.xml").decode()
        styles = archive.read("word/styles.xml").decode()
    assert body.count('<w:pStyle w:val="Heading1"/>') == len(document(ws).clauses) == 26
    assert '<w:lvlText w:val="%1.%2"/>' in numbering and '<w:lvlText w:val="(%3)"/>' in numbering
    assert 'w:styleId="DpaClause"' in styles
    assert "1.1 " not in body  # numbers come from Word, not from typed text


def test_docx_with_hostile_name_is_valid_xml(ws: Workspace) -> None:
    hostile(ws)
    data = render_docx(document(ws), ws.templates)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                etree.fromstring(archive.read(name))  # raises on malformed XML
        body = archive.read("word/document.xml").decode()
        core = archive.read("docProps/core.xml").decode()
    # the name is in runs of its own words (kept from proofing), each escaped
    root = etree.fromstring(body.encode())
    assert any(HOSTILE in "".join(p.itertext()) for p in root.iter(f"{W}p"))
    assert " &amp; " in body and "&lt;AB&gt;" in body and "<AB>" not in body
    assert "Ågren &amp; Söner &lt;AB&gt;" in core and "&amp;amp;" not in core


def test_renders_are_byte_identical_across_processes(ws: Workspace, tmp_path: Path) -> None:
    first = render_agreement(
        ws, CLIENT, formats=("pdf", "docx"), languages=("sv",), out=tmp_path / "one"
    )
    command = [
        sys.executable,
        "-m",
        "dpagen",
        "-C",
        str(ws.root),
        "render",
        CLIENT,
        "--lang",
        "sv",
        "--format",
        "pdf,docx",
        "--out",
        str(tmp_path / "two"),
    ]
    subprocess.run(command, check=True, capture_output=True)
    for path in first:
        assert path.read_bytes() == (tmp_path / "two" / CLIENT / path.name).read_bytes(), path.name


def test_output_names_and_no_temporary_files(ws: Workspace, tmp_path: Path) -> None:
    written = render_agreement(ws, CLIENT, formats=("txt", "html"), out=tmp_path)
    assert [p.name for p in written] == [
        f"{CLIENT}-v1.sv.txt",
        f"{CLIENT}-v1.sv.html",
        f"{CLIENT}-v1.en.txt",
        f"{CLIENT}-v1.en.html",
    ]
    assert sorted(p.name for p in (tmp_path / CLIENT).iterdir()) == sorted(p.name for p in written)


def test_pdf_fetches_nothing_outside_templates(ws: Workspace) -> None:
    from dpagen.errors import RenderError

    css = ws.templates / "agreement.css"
    css.write_text(css.read_text() + '\nbody { background: url("file:///etc/hostname"); }\n')
    with pytest.raises(RenderError, match="refused to fetch file:///etc/hostname"):
        render_pdf(document(ws), ws.templates)
    css.write_text(css.read_text() + '\nh1 { background: url("http://127.0.0.1:9/x.png"); }\n')
    with pytest.raises(RenderError, match="refused to fetch"):
        render_pdf(document(ws), ws.templates)


def test_pdf_metadata(ws: Workspace, tmp_path: Path) -> None:
    pdfinfo = require_tool("pdfinfo")
    path = tmp_path / "a.pdf"
    path.write_bytes(render_pdf(document(ws), ws.templates))
    info = subprocess.run([pdfinfo, str(path)], capture_output=True, text=True, check=True).stdout
    assert "Title:           Personuppgiftsbiträdesavtal – PUB-2026-014" in info
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    assert b"/Lang (sv)" in pdf_objects(path.read_bytes())


def pdf_objects(data: bytes) -> bytes:
    """The PDF with its compressed streams inflated, to search for dictionary entries."""
    import contextlib
    import re
    import zlib

    parts = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.DOTALL):
        with contextlib.suppress(zlib.error):
            parts.append(zlib.decompress(stream))
    return b"".join(parts)


@pytest.mark.tools
def test_pdf_text_is_searchable(ws: Workspace, tmp_path: Path) -> None:
    pdffonts = require_tool("pdffonts")
    hostile(ws)
    doc = document(ws)
    path = tmp_path / "a.pdf"
    path.write_bytes(render_pdf(doc, ws.templates))
    text = pdf_text(path)
    flat = " ".join(text.split())
    for clause in doc.clauses:
        assert clause.title in flat, clause.title
    for annex in doc.annexes:
        assert f"{annex.label} – {annex.title}" in flat
    assert "Sida 1 av" in text
    assert all(letter in text for letter in "åäöÅÄÖ")
    assert HOSTILE in flat
    assert "\u2010" not in text and "\u00ad" not in text  # no hyphenation breaks words
    fonts = subprocess.run(
        [pdffonts, str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # "emb" column


@pytest.mark.tools
def test_libreoffice_opens_the_docx_and_numbers_it_like_the_text(
    ws: Workspace, tmp_path: Path
) -> None:
    hostile(ws)
    doc = document(ws)
    path = tmp_path / "a.docx"
    path.write_bytes(render_docx(doc, ws.templates))
    for target in ("pdf", "txt:Text (encoded):UTF8"):
        libreoffice_convert(path, target, tmp_path, tmp_path / "profile")
    assert (tmp_path / "a.pdf").stat().st_size > 10_000
    lines = [
        line.strip()
        for line in (tmp_path / "a.txt").read_text(encoding="utf-8-sig").splitlines()
        if line.strip()
    ]
    expected = []
    clause_1 = f"{doc.clauses[0].number}. {doc.clauses[0].title}"
    for line in model_lines(doc, numbered=True):
        if line == clause_1:  # the table of contents, as LibreOffice writes it, comes first
            expected.append(doc.contents_heading)
            expected += [f"{e.number}\t{e.title}".strip() for e in contents(outline(doc))]
        pieces = (
            [p for cell in line.split(" | ") for p in cell.split(" / ")]
            if " | " in line
            else [line]
        )
        expected += [piece.strip() for piece in pieces if piece.strip()]
    assert lines == expected


def test_pdf_bookmarks_per_clause_and_annex(ws: Workspace) -> None:
    import io

    from pypdf import PdfReader

    doc = document(ws)
    reader = PdfReader(io.BytesIO(render_pdf(doc, ws.templates)))
    titles = [" ".join(item.title.split()) for item in reader.outline if not isinstance(item, list)]
    expected = [f"{c.number}. {c.title}" for c in doc.clauses]
    expected += [f"{a.label} – {a.title}" for a in doc.annexes]
    assert [t for t in titles if t not in (doc.parties_heading, doc.signatures_heading)] == expected


@pytest.mark.tools
def test_annex_table_headers_are_whole_words(ws: Workspace, tmp_path: Path) -> None:
    require_tool("pdftotext")
    for lang in ("sv", "en"):
        doc = document(ws, lang)
        path = tmp_path / f"{lang}.pdf"
        path.write_bytes(render_pdf(doc, ws.templates))
        words = set(pdf_text(path).split())
        for annex in doc.annexes:
            for section in annex.sections:
                for label in section.table.header if section.table else ():
                    assert set(label.split()) <= words, label


def test_draft_is_marked(ws: Workspace) -> None:
    inputs, _ = load_inputs(ws, [CLIENT])
    doc = assemble(inputs, CLIENT, "sv", draft=True)
    assert doc.header.startswith("UTKAST · ")
    data = render_docx(doc, ws.templates)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        headers = [archive.read(n).decode() for n in archive.namelist() if "header" in n]
    assert any("UTKAST · Personuppgiftsbiträdesavtal" in h for h in headers)
    from pypdf import PdfReader

    pages = PdfReader(__import__("io").BytesIO(render_pdf(doc, ws.templates))).pages
    assert all("UTKAST" in page.extract_text() for page in pages)


@pytest.mark.tools
@pytest.mark.parametrize("client", EXAMPLES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_pdf_words_are_never_split(example_pdf: Any, client: str, lang: str) -> None:
    """Every word pdftotext extracts is a word of the agreement: no line break splits one."""
    import re

    require_tool("pdftotext")
    doc, extracted = example_pdf(client, lang)
    frame = [doc.header, doc.annex_versions, doc.page_word, doc.of_word, doc.contents_heading]
    source = " ".join([render_text(doc).decode(), *frame])

    def words(text: str) -> set[str]:
        return {word for word in re.findall(r"\w+", text) if not word.isdigit()}

    # a hyphen the text itself has before a space ("affärs- eller") may end a line, where
    # pdftotext joins it to the next word as if it were a soft hyphen
    joined = re.sub(r"(\w)- (\w)", r"\1\2", source)
    assert words(extracted) - words(source) - words(joined) == set()


ENGLISH_WORDS = {"the", "shall", "and", "of", "processor", "controller", "agreement", "annex"}


@pytest.mark.tools
@pytest.mark.parametrize("client", EXAMPLES)
def test_swedish_pdf_has_no_leftovers_or_english(example_pdf: Any, client: str) -> None:
    import re

    require_tool("pdftotext")
    doc, text = example_pdf(client, "sv")
    for leftover in ("{{", "{%", "}}", "TODO", "**", "__"):
        assert leftover not in text, leftover
    words = {word.lower() for word in re.findall(r"\w+", text)}
    assert words & ENGLISH_WORDS == set()
    flat = " ".join(text.split())
    assert all(f"{c.number}. {c.title}" in flat for c in doc.clauses)  # numbered in order


def test_long_words_get_break_opportunities_and_stay_escaped() -> None:
    from dpagen.render.html_body import LONG_WORD, keep_hyphenated

    assert str(keep_hyphenated("Nordisk E-handel <AB>")) == (
        'Nordisk <span class="nobr">E-handel</span> &lt;AB&gt;'
    )
    token = "<" + "x" * (LONG_WORD * 3) + "-y"
    html = str(keep_hyphenated(f"före {token} efter"))
    assert html.startswith("före <span style=") and html.endswith("</span> efter")
    assert "<wbr>" in html and "&lt;" in html and "<x" not in html
    inner = html.split(">", 1)[1].rsplit("<", 1)[0]
    assert inner.replace("<wbr>", "") == "&lt;" + "x" * (LONG_WORD * 3) + "-y"


def test_a_long_unbroken_value_renders(ws: Workspace) -> None:
    require_tool("pdftotext")
    token = "ABCDEFGHIJ" * 500  # a pasted key or hash: 5,000 characters without a space
    path = ws.root / f"agreements/{CLIENT}/annexes/subprocessors.yaml"
    edit(path, "      en: Helpdesk platform", f"      en: {token} Helpdesk platform")
    doc = document(ws, "en")
    pdf = ws.root / "long.pdf"
    pdf.write_bytes(render_pdf(doc, ws.templates))
    extracted = pdf_text(pdf)
    # every character is there, in lines of a page's width (a page break may fall inside)
    assert "".join(extracted.split()).count("ABCDEFGHIJ") == 500


def changelog(doc, annex_id: str):
    annex = next(a for a in doc.annexes if a.id == annex_id)
    return annex.sections[-1]


def test_every_annex_ends_with_its_change_log(ws: Workspace) -> None:
    result = run(
        ws,
        "annex",
        "bump",
        CLIENT,
        "subprocessors",
        "--effective",
        "2027-02-01",
        "--summary",
        "Clearvoice läggs till",
        "--approved-by",
        "Eva Lind",
        "--evidence",
        "E-post 2027-01-20",
    )
    assert result.exit_code == 0, result.stderr
    doc = document(ws)
    log = changelog(doc, "subprocessors")
    assert log.title == "Ändringslogg" and log.table is not None
    assert log.table.header == ("Version", "Datum", "Ändring", "Godkänd av", "Underlag")
    assert log.table.rows[1] == (
        ("2",),
        ("1 februari 2027",),
        ("Clearvoice läggs till",),
        ("Eva Lind",),
        ("E-post 2027-01-20",),
    )
    assert log.table.rows[0][3:] == (("–",), ("–",))  # not given for version 1
    assert log.table.row_keys == ("1", "2")
    assert changelog(document(ws, "en"), "subprocessors").table.header == (
        "Version",
        "Date",
        "Change",
        "Approved by",
        "Evidence",
    )


def test_an_annex_without_change_log_entries_shows_its_first_version(ws: Workspace) -> None:
    path = ws.root / f"agreements/{CLIENT}/annexes/security.yaml"
    text = path.read_text(encoding="utf-8")
    log = text.split("changelog:\n", 1)[1].split("\nmeasures:", 1)[0]
    path.write_text(text.replace(f"changelog:\n{log}\n", ""), encoding="utf-8")
    for lang, first in (("sv", "Första versionen"), ("en", "First version")):
        doc = document(ws, lang)
        table = changelog(doc, "security").table
        effective = next(a for a in doc.annexes if a.id == "security").effective
        assert table.rows == ((("1",), (doc.date,), (first,), ("–",), ("–",)),)
        assert doc.date in effective
        assert table.row_keys == ("1",)
    assert "Ändringslogg\nVersion | Datum" in render_text(document(ws)).decode()


def test_the_footer_names_the_annex_versions(ws: Workspace) -> None:
    import datetime as dt

    from dpagen.releases.issue import annex_document

    bump = ["annex", "bump", CLIENT, "security", "--effective", "2027-02-01", "--summary", "x"]
    assert run(ws, *bump).exit_code == 0
    doc = document(ws)
    assert doc.annex_versions == "Bilaga 1 v1 · Bilaga 2 v2 · Bilaga 3 v1"
    assert document(ws, "en").annex_versions == "Annex 1 v1 · Annex 2 v2 · Annex 3 v1"
    single = annex_document(doc, "security", (), dt.date(2027, 2, 1))
    assert single.annex_versions == "Bilaga 2 v2"
    html = render_html(single, ws.templates).decode()
    assert '<div class="running-versions">Bilaga 2 v2</div>' in html
    data = render_docx(doc, ws.templates)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        footers = [archive.read(n).decode() for n in archive.namelist() if "footer" in n]
    assert footers and all("Bilaga 1 v1 · Bilaga 2 v2 · Bilaga 3 v1" in f for f in footers)


def docx_parts(data: bytes) -> tuple[etree._Element, str]:
    """The body of a DOCX as XML, and its styles as text."""
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
        return root.find(f"{W}body"), archive.read("word/styles.xml").decode()


def test_docx_has_a_filled_in_table_of_contents_field(ws: Workspace) -> None:
    doc = document(ws)
    body, styles = docx_parts(render_docx(doc, ws.templates))
    (toc,) = body.iter(f"{W}sdt")
    assert toc.find(f".//{W}docPartGallery").get(f"{W}val") == "Table of Contents"
    instructions = "".join(node.text or "" for node in toc.iter(f"{W}instrText"))
    assert instructions.strip().startswith("TOC \\o")
    assert [c.get(f"{W}fldCharType") for c in toc.iter(f"{W}fldChar")] == [
        "begin",
        "separate",
        "end",
    ]
    lines = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in toc.iter(f"{W}p")]
    entries = contents(outline(doc))
    assert lines == [doc.contents_heading] + [f"{e.number}{e.title}" for e in entries]
    # each line links to a bookmark around its heading's text
    marks = {
        mark.get(f"{W}name"): "".join(t.text or "" for t in mark.getparent().iter(f"{W}t"))
        for mark in body.iter(f"{W}bookmarkStart")
    }
    links = [link.get(f"{W}anchor") for link in toc.iter(f"{W}hyperlink")]
    assert [marks[name] for name in links] == [e.title for e in entries]
    assert 'w:styleId="TOC1"' in styles and 'w:styleId="DpaContentsHeading"' in styles


def test_docx_rows_never_split_and_headings_keep_with_what_follows(ws: Workspace) -> None:
    doc = document(ws)
    body, styles = docx_parts(render_docx(doc, ws.templates))
    rows = list(body.iter(f"{W}tr"))
    assert rows and all(row.find(f"{W}trPr/{W}cantSplit") is not None for row in rows)
    used = {node.get(f"{W}val") for node in body.iter(f"{W}pStyle")}
    for style in ("Heading1", "DpaHeading", "DpaAnnexTitle", "DpaAnnexSection"):
        assert style in used
        definition = styles.split(f'w:styleId="{style}"', 1)[1].split("</w:style>", 1)[0]
        assert "<w:keepNext/>" in definition, style
    children = list(body)
    leads = [
        p
        for p, following in zip(children, children[1:], strict=False)
        if p.find(f"{W}pPr/{W}pStyle[@{W}val='DpaLead']") is not None and following.tag == f"{W}tbl"
    ]
    assert leads and all(p.find(f"{W}pPr/{W}keepNext") is not None for p in leads)
    # a sub-processor's record is kept together: every row but the last keeps with the next
    blocks = outline(doc)
    record = next(
        i for i, b in enumerate(blocks) if isinstance(b, Para) and b.identity.startswith("subp")
    )
    table = blocks[record + 1]
    assert isinstance(table, TableBlock)
    name = table.table.rows[0][1][0]
    (tbl,) = [t for t in body.iter(f"{W}tbl") if name in "".join(t.itertext())]
    kept = [row.find(f".//{W}pPr/{W}keepNext") is not None for row in tbl.iter(f"{W}tr")]
    assert kept == [True] * (len(kept) - 1) + [False]


def test_docx_values_are_not_proofed_or_hyphenated(ws: Workspace) -> None:
    doc = document(ws)
    body, _ = docx_parts(render_docx(doc, ws.templates))
    email = doc.parties[1].contacts[0][1].split(", ")[-2]
    runs = [r for r in body.iter(f"{W}r") if "".join(r.itertext()) == email]
    assert "@" in email and runs
    assert all(r.find(f"{W}rPr/{W}noProof") is not None for r in runs)
    for r in runs:
        paragraph = r.getparent()
        assert paragraph.find(f"{W}pPr/{W}suppressAutoHyphens") is not None
    names = [r for r in body.iter(f"{W}r") if "".join(r.itertext()) == "Nordisk"]
    assert names and all(r.find(f"{W}rPr/{W}noProof") is not None for r in names)
    plain_words = [r for r in body.iter(f"{W}r") if " ska " in "".join(r.itertext())]
    assert plain_words and all(r.find(f"{W}rPr/{W}noProof") is None for r in plain_words)
