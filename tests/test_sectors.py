"""Sector modules: clauses that only agreements with a client of their sector include."""

from __future__ import annotations

from pathlib import Path

from dpagen.document.assemble import assemble
from dpagen.inputs.load import load_inputs
from dpagen.releases.issue import inputs_from_record
from dpagen.releases.record import lock_paths, read_lock
from dpagen.workspace import Workspace
from tests.helpers import edit, run

PUBLIC, PRIVATE = "ljungsjo-kommun", "nordisk-ehandel"


def add_module(ws: Workspace, sectors: str = "[public]", text: str = "") -> None:
    """Clause 'module' for ``sectors``, appended to edition 2026.2 of a copy of the library."""
    folder = ws.root / "clauses" / "module"
    folder.mkdir()
    (folder / "clause.yaml").write_text(
        f"id: module\nsectors: {sectors}\nversions:\n  1: {{date: 2026-01-15, note: First.}}\n",
        encoding="utf-8",
    )
    body = text or "Modulens text för {{ controller.body }}."
    for lang in ("sv", "en"):
        (folder / f"1.{lang}.md").write_text(f"# Modul\n\n{body}\n", encoding="utf-8")
    edit(ws.root / "clauses/library.yaml", "governing-law@2]", "governing-law@2, module@1]")


def clause_titles(ws: Workspace, client: str) -> list[tuple[int, str]]:
    inputs, problems = load_inputs(ws, [client])
    assert not [p for p in problems if p.severity == "error"], problems
    return [(c.number, c.title) for c in assemble(inputs, client, "sv").clauses]


def test_a_module_is_only_in_agreements_of_its_sector(examples: Workspace) -> None:
    before = len(clause_titles(examples, PUBLIC))
    add_module(examples)
    public = clause_titles(examples, PUBLIC)
    assert public[-1] == (before + 1, "Modul")
    assert "Modul" not in [title for _, title in clause_titles(examples, PRIVATE)]
    inputs, _ = load_inputs(examples, [PUBLIC])
    text = " ".join(
        run.text
        for sub in assemble(inputs, PUBLIC, "sv").clauses[-1].subclauses
        for run in sub.runs
    )
    assert text == "Modulens text för kommunstyrelsen."


def test_a_client_without_sector_counts_as_private(examples: Workspace) -> None:
    add_module(examples, "[private]")
    edit(examples.root / f"agreements/{PRIVATE}/agreement.yaml", "  sector: private\n", "")
    assert clause_titles(examples, PRIVATE)[-1][1] == "Modul"
    assert "Modul" not in [title for _, title in clause_titles(examples, PUBLIC)]


def test_texts_can_depend_on_the_sector(examples: Workspace) -> None:
    path = examples.root / "clauses/governing-law/2.sv.md"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n{% if controller.sector == "public" %}Offentlig.{% else %}Privat.{% endif %}\n',
        encoding="utf-8",
    )
    for client, expected in ((PUBLIC, "Offentlig."), (PRIVATE, "Privat.")):
        inputs, _ = load_inputs(examples, [client])
        last = assemble(inputs, client, "sv").clauses[-1].subclauses[-1]
        assert "".join(run.text for run in last.runs) == expected


def test_unknown_sector_in_a_clause_is_positioned(examples: Workspace) -> None:
    add_module(examples, "[kommun]")
    result = run(examples, "validate")
    assert result.exit_code == 1
    assert "clauses/module/clause.yaml:2:" in result.stderr and "kommun" in result.stderr


def test_a_reference_to_a_module_of_another_sector_is_an_error(examples: Workspace) -> None:
    add_module(examples)
    path = examples.root / "clauses/governing-law/2.sv.md"
    path.write_text(
        path.read_text(encoding="utf-8") + '\nSe {{ ref("module") }}.\n', encoding="utf-8"
    )
    result = run(examples, "validate", PRIVATE)
    assert result.exit_code == 1
    assert (
        "ref('module'): clause 'module' is a sector module that agreements with a private "
        "client do not include" in result.stderr
    ), result.stderr
    assert run(examples, "validate", PUBLIC).exit_code == 0


def test_a_deviation_for_a_module_the_agreement_lacks_is_an_error(examples: Workspace) -> None:
    add_module(examples)
    path = examples.root / f"agreements/{PRIVATE}/agreement.yaml"
    edit(
        path,
        "deviations:\n",
        "deviations:\n  - clause: module\n    reason: Test.\n    text: {sv: Annan., en: Other.}\n",
    )
    result = run(examples, "validate", PRIVATE)
    assert result.exit_code == 1
    assert (
        "deviation for clause 'module', a sector module that agreements with a private client "
        "do not include" in result.stderr
    ), result.stderr


def test_coverage_counts_only_the_modules_included(examples: Workspace, tmp_path: Path) -> None:
    add_module(examples, "[finance]")
    edit(examples.root / "clauses/module/clause.yaml", "sectors:", "covers: [art28_3_b]\nsectors:")
    edit(examples.root / "clauses/confidentiality/clause.yaml", "covers: [art28_3_b]", "covers: []")
    result = run(examples, "check", PRIVATE)
    assert result.exit_code == 1
    assert "art28_3_b" in result.stderr


MODULES = {"public": "public-sector", "finance": "finance-sector", "health": "health-sector"}


def module_ids(ws: Workspace, client: str, lang: str = "sv") -> set[str]:
    inputs, _ = load_inputs(ws, [client])
    return {c.id for c in assemble(inputs, client, lang).clauses} & set(MODULES.values())


def test_each_example_has_only_its_sectors_module(examples: Workspace) -> None:
    assert module_ids(examples, PUBLIC) == {"public-sector"}
    assert module_ids(examples, "trygg-forsakring") == {"finance-sector"}
    assert module_ids(examples, PRIVATE) == set()


def test_a_health_client_gets_the_health_module(examples: Workspace) -> None:
    path = examples.root / f"agreements/{PRIVATE}/agreement.yaml"
    edit(path, "  sector: private\n", "  sector: health\n")
    assert module_ids(examples, PRIVATE) == {"health-sector"}
    assert module_ids(examples, PRIVATE, "en") == {"health-sector"}


def test_public_wording_only_for_a_public_client(examples: Workspace) -> None:
    for client, public in ((PUBLIC, True), (PRIVATE, False), ("trygg-forsakring", False)):
        inputs, _ = load_inputs(examples, [client])
        document = assemble(inputs, client, "sv")
        text = "\n".join(
            "".join(run.text for run in sub.runs) for c in document.clauses for sub in c.subclauses
        )
        assert ("arkivlagen (1990:782)" in text) is public, client
        assert ("allmänna handlingar" in text) is public, client
        titles = [c.title for c in document.clauses]
        retention = "Lagring och gallring under avtalstiden"
        assert (retention in titles) is public, (client, titles)


def test_a_release_keeps_the_sector_selection(examples: Workspace) -> None:
    result = run(examples, "release", PRIVATE, "--note", "Signerat", "--date", "2026-12-18")
    assert result.exit_code == 0, result.stderr
    diff = run(examples, "diff", PRIVATE)  # the release against the working copy
    assert diff.exit_code == 0, diff.stderr
    assert diff.stdout == f"{PRIVATE}: release 1 → working copy\n  no changes\n"
    inputs, _ = load_inputs(examples, [PRIVATE])
    lock = lock_paths(examples.root / f"agreements/{PRIVATE}/releases")[0]
    recorded = inputs_from_record(examples, read_lock(lock).record, lock)
    document = assemble(recorded, PRIVATE, "sv")
    titles = [c.title for c in document.clauses]
    assert "Särskilda bestämmelser för myndigheter" not in titles
    assert len(titles) == len(assemble(inputs, PRIVATE, "sv").clauses)
