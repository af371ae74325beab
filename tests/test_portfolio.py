"""Portfolio reports: the Art. 30(2) record and the retention schedule across all clients."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dpagen.document.dates import long_date
from dpagen.inputs.yaml_positions import load_yaml
from dpagen.workspace import Workspace
from tests.conftest import require_tool
from tests.helpers import at, edit, libreoffice_convert, pdf_text, run

CLIENTS = {"ljungsjo-kommun", "nordisk-ehandel", "trygg-forsakring"}
TITLES = {
    "sv": "Register över behandlingar (artikel 30.2)",
    "en": "Record of processing activities",
}
FOOTERS = {"sv": "Sida 1 av", "en": "Page 1 of"}


def test_records_cover_every_activity_of_every_client(examples: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "records.xlsx"
    result = run(examples, "records", "--out", str(path))
    assert result.exit_code == 0, result.stderr
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("client", "controller", "org_no")
    assert {row[0] for row in rows[1:]} == CLIENTS
    transfers = {row[0]: row[10] for row in rows[1:]}
    assert (
        "Casewell Inc. (USA): Beslut om adekvat skyddsnivå enligt artikel 45 i "
        "Dataskyddsförordningen (kommissionens genomförandebeslut (EU) 2023/1795)"
        in transfers["nordisk-ehandel"]
    )
    assert not transfers["ljungsjo-kommun"]
    assert result.stdout == f"{path} ({len(rows) - 1} rows)\n"


def test_spreadsheets_carry_no_clock_time(examples: Workspace) -> None:
    import zipfile

    from dpagen.portfolio.reports import records_table, table_bytes

    data = table_bytes(records_table(examples), "xlsx", "records")
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    assert "<dcterms:modified" in core
    assert (
        re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core)
        == ["2000-01-01T00:00:00Z"] * 2
    )


def pdf_words(path: Path) -> str:
    """The text pdftotext extracts from ``path``, with all runs of white space made one space."""
    require_tool("pdftotext")
    text = pdf_text(path)
    return " ".join(text.split())


def yaml_data(path: Path) -> dict:
    document, problems = load_yaml(path)
    assert not problems
    return document.data


@pytest.mark.tools
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_records_pdf_holds_every_controller_and_purpose(
    examples: Workspace, tmp_path: Path, lang: str
) -> None:
    path = tmp_path / "records.pdf"
    options = ["--format", "pdf", "--lang", lang, "--date", "2026-12-01", "--out", str(path)]
    result = run(examples, "records", *options)
    assert result.exit_code == 0, result.stderr
    text = pdf_words(path)
    processor = yaml_data(examples.config_file)["processor"]
    assert text.startswith(TITLES[lang])
    for fact in (processor["name"], processor["org_no"], processor["contacts"]["admin"]["email"]):
        assert fact in text
    assert long_date(dt.date(2026, 12, 1), lang) in text
    assert FOOTERS[lang] in text
    activities = 0
    for client in CLIENTS:
        folder = examples.root / "agreements" / client
        assert yaml_data(folder / "agreement.yaml")["client"]["name"] in text
        for activity in yaml_data(folder / "annexes/instructions.yaml")["activities"]:
            activities += 1
            for purpose in activity["purposes"]:
                assert " ".join(purpose[lang].split()) in text, purpose[lang]
    assert result.stdout == f"{path} ({activities} rows)\n"
    fonts = subprocess.run(
        [require_tool("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # "emb" column


def test_records_pdf_is_reproducible(examples: Workspace, tmp_path: Path) -> None:
    paths = [tmp_path / "first.pdf", tmp_path / "second.pdf"]
    for path in paths:
        result = run(
            examples, "records", "--format", "pdf", "--date", "2026-12-01", "--out", str(path)
        )
        assert result.exit_code == 0, result.stderr
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes().startswith(b"%PDF")


@pytest.mark.tools
def test_records_pdf_prints_markup_in_names_literally(examples: Workspace, tmp_path: Path) -> None:
    name = 'Nordisk <b>E-handel</b> & "Co" AB'
    edit(
        examples.root / "agreements/nordisk-ehandel/agreement.yaml",
        "  name: Nordisk E-handel AB\n",
        f"  name: '{name}'\n",
    )
    path = tmp_path / "records.pdf"
    result = run(examples, "records", "--format", "pdf", "--out", str(path))
    assert result.exit_code == 0, result.stderr
    text = pdf_words(path)
    assert name in text
    assert "&amp;" not in text and "&lt;" not in text


def test_records_date_goes_with_pdf_only(examples: Workspace) -> None:
    result = run(examples, "records", "--format", "csv", "--date", "2026-12-01")
    assert result.exit_code == 2
    assert "--date goes with --format pdf" in result.stderr
    assert run(examples, "retention", "--format", "pdf").exit_code == 2


def test_retention_schedule_in_csv(examples: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "retention.csv"
    assert run(examples, "retention", "--format", "csv", "--out", str(path)).exit_code == 0
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0] == [
        "client",
        "controller",
        "data",
        "period",
        "trigger",
        "action",
        "responsible",
        "disposal_decision",
        "annex_version",
        "effective_date",
    ]
    assert {row[0] for row in rows[1:]} == CLIENTS
    public = [row for row in rows[1:] if row[0] == "ljungsjo-kommun"]
    assert public and all("KS 2025/123" in row[7] for row in public)
    again = tmp_path / "again.csv"
    run(examples, "retention", "--format", "csv", "--out", str(again))
    assert again.read_bytes() == path.read_bytes()


def test_reports_need_valid_agreements(examples: Workspace) -> None:
    edit(examples.root / "agreements/trygg-forsakring/agreement.yaml", "version: 1", "version: x")
    result = run(examples, "records")
    assert result.exit_code == 1
    assert "Reports are made from valid agreements only." in result.stderr


@pytest.mark.tools
def test_spreadsheets_open_in_libreoffice_calc(examples: Workspace, tmp_path: Path) -> None:
    for kind in ("records", "retention"):
        path = tmp_path / f"{kind}.xlsx"
        assert run(examples, kind, "--out", str(path)).exit_code == 0
        libreoffice_convert(path, "csv", tmp_path, tmp_path / "p")
        text = (tmp_path / f"{kind}.csv").read_text(encoding="utf-8", errors="replace")
        assert all(client in text for client in CLIENTS)


def test_build_is_incremental_and_parallel(examples: Workspace, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    first = run(examples, "build", "--jobs", "2", "--format", "txt,docx", "--out", out)
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("rendered 12, up to date 0, failed 0 clients")
    second = run(examples, "build", "--jobs", "2", "--format", "txt,docx", "--out", out)
    assert second.stdout.startswith("rendered 0, up to date 12, failed 0 clients")
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*.*")}
    path = examples.root / "agreements/trygg-forsakring/annexes/security.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("- sv:"))
    lines[index] = lines[index] + " Kontrolleras varje månad."
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    third = run(examples, "build", "--jobs", "2", "--format", "txt,docx", "--out", out)
    assert third.stdout.startswith("rendered 2, up to date 10, failed 0 clients"), third.stdout
    changed = sorted(
        p.name
        for p, stamp in stamps.items()
        if p.stat().st_mtime_ns != stamp and not p.name.startswith(".")
    )
    assert changed == ["trygg-forsakring-v1.sv.docx", "trygg-forsakring-v1.sv.txt"]


def test_build_reports_a_broken_client_and_builds_the_rest(
    examples: Workspace, tmp_path: Path
) -> None:
    path = examples.root / "agreements/trygg-forsakring/agreement.yaml"
    edit(path, "breach_notice_hours: 12", "breach_notice_hours: 0")
    result = run(examples, "build", "--format", "txt", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout.startswith("rendered 4, up to date 0, failed 1 client")
    assert "trygg-forsakring: not built\n" in result.stderr
    assert (
        f"agreements/trygg-forsakring/agreement.yaml:{at(path, '0', after='breach_notice_hours')}: "
        "error: term 'breach_notice_hours' must be at least 1"
    ) in result.stderr
    assert not (tmp_path / "trygg-forsakring").exists()
