"""``dpagen upgrade``: what a new edition changes, and what it cannot change for a client."""

from __future__ import annotations

from dpagen.workspace import Workspace
from tests.conftest import CLIENT
from tests.helpers import edit, next_edition, run

COSTS = "Varje Part står för sina egna kostnader för en granskning."
COSTS_EN = "Each Party shall bear its own costs of an audit."


def _edition_with_audits_3(ws: Workspace) -> None:
    """Edition 2027.1: 2026.2 with audits version 3, whose standard text changes who pays for
    an audit."""
    clauses = ws.root / "clauses"
    assert not (clauses / "audits/3.sv.md").exists()  # audits has versions 1 and 2
    for lang, old, new in (
        ("sv", COSTS, "Personuppgiftsbiträdet står för kostnaden för en årlig granskning."),
        ("en", COSTS_EN, "The Processor bears the cost of one audit a year."),
    ):
        text = (clauses / f"audits/2.{lang}.md").read_text(encoding="utf-8")
        assert old in text
        (clauses / f"audits/3.{lang}.md").write_text(text.replace(old, new), encoding="utf-8")
    edit(
        clauses / "audits/clause.yaml",
        "versions:\n",
        "versions:\n  3: {date: 2027-05-01, note: Audit costs.}\n",
    )
    library = (clauses / "library.yaml").read_text(encoding="utf-8")
    entry = next_edition(library)
    assert "audits@2" in entry
    (clauses / "library.yaml").write_text(
        library + entry.replace("audits@2", "audits@3"), encoding="utf-8"
    )


def test_upgrade_names_a_change_that_a_deviation_keeps_out(ws: Workspace) -> None:
    _edition_with_audits_3(ws)
    result = run(ws, "upgrade", CLIENT, "--edition", "2027.1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{CLIENT}: edition 2026.2 → 2027.1"
    assert lines[1] == (
        f"  audits 2 → 3: reaches {CLIENT} except its negotiated paragraphs, which are applied "
        "to the new text by their numbers; check that they still fit. The standard text changes:"
    )
    assert lines[2].startswith(
        "      sv: [-Varje Part-]{+Personuppgiftsbiträdet+} står för "
        "[-sina egna kostnader-]{+kostnaden+} för en{+ årlig+} granskning. Om granskningen"
    )
    assert lines[3].startswith("      en: [-Each-]{+The+} [-Party-]{+Processor+} ")
    assert lines[2].endswith("vid en granskning.") and lines[3].endswith("without undue delay.")
    assert len(lines) == 4


def test_upgrade_names_a_change_that_a_whole_clause_deviation_keeps_out(ws: Workspace) -> None:
    _edition_with_audits_3(ws)
    text = ws.agreement_file(CLIENT).read_text(encoding="utf-8")
    start = text.index("    paragraphs:\n")
    whole = "    text: {sv: Förhandlad lydelse., en: Negotiated wording.}\n"
    ws.agreement_file(CLIENT).write_text(text[:start] + whole, encoding="utf-8")
    result = run(ws, "upgrade", CLIENT, "--edition", "2027.1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        f"  audits 2 → 3: does not reach {CLIENT}, whose negotiated text replaces the clause; "
        "the standard text changes:"
    )


def test_upgrade_of_a_clause_without_deviation_is_one_line(ws: Workspace) -> None:
    _edition_with_audits_3(ws)
    edit(ws.agreement_file(CLIENT), "  - clause: audits\n", "  - clause: audits-none\n")
    edit(ws.agreement_file(CLIENT), "deviations:\n", "deviations_removed:\n")
    result = run(ws, "upgrade", CLIENT, "--edition", "2027.1")
    assert result.stdout.splitlines()[:2] == [
        f"{CLIENT}: edition 2026.2 → 2027.1",
        "  audits 2 → 3",
    ]
