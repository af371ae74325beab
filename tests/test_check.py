"""`dpagen check`: every mandatory requirement and every annex data rule, shown to fail."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from dpagen.checks.legal import ACTIVITY_FIELDS, ART32_GROUPS, check_workspace
from dpagen.inputs.clause_library import load_library
from dpagen.inputs.schema import requirements
from dpagen.workspace import Workspace
from tests.helpers import at, edit, run

EXAMPLES = ["ljungsjo-kommun", "nordisk-ehandel", "trygg-forsakring"]
STARTER = Workspace(Path(__file__).parent.parent / "dpagen" / "starter")
REPOSITORY = Workspace(Path(__file__).parent.parent)
ON = dt.date(2026, 12, 1)


def messages(ws: Workspace, client: str | None = None) -> str:
    _, problems = check_workspace(ws, [client] if client else None, as_of=ON)
    return "\n".join(p.format(ws.root) for p in problems)


def errors(ws: Workspace, client: str | None = None) -> list[str]:
    return [line for line in messages(ws, client).splitlines() if ": error: " in line]


def test_all_examples_pass(examples: Workspace) -> None:
    result = run(examples, "check", "--as-of", "2026-12-01")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "ok: 3 agreements meet every mandatory requirement.\n"


def covering_clauses() -> list[str]:
    library, _ = load_library(STARTER)
    mandatory = {tag for tag, r in requirements().items() if r.get("mandatory")}
    return sorted(
        clause.id
        for clause in library.clauses.values()
        if mandatory
        & (
            set(clause.covers)
            | {t for v in clause.variants.values() for t in v.get("covers") or ()}
        )
    )


@pytest.mark.parametrize("removed", covering_clauses())
def test_removing_a_covering_clause_names_the_requirement(
    examples: Workspace, removed: str
) -> None:
    root = examples.root
    library_file = root / "clauses/library.yaml"
    head, last = library_file.read_text(encoding="utf-8").rsplit("\n  - id:", 1)
    # the examples use the last edition (2026.2): the clause goes from its list
    last, found = re.subn(rf"(?<=[\[ ]){re.escape(removed)}@\d+(, |(?=\]))", "", last)
    assert found == 1, f"{removed} not in the last edition"
    library_file.write_text(f"{head}\n  - id:{last}".replace(", ]", "]"), encoding="utf-8")
    for text in (root / "clauses").glob("*/*.md"):  # other clauses may point at the removed one
        source = text.read_text(encoding="utf-8")
        text.write_text(
            re.sub(r'\{\{ ref\("' + removed + r'"(, \d+)?\) \}\}', "punkt X", source),
            encoding="utf-8",
        )
    library, _ = load_library(examples)
    clause = library.clauses[removed]
    for client in EXAMPLES:  # the removed clause's deviation, variant and terms go with it
        agreement = root / f"agreements/{client}/agreement.yaml"
        text = agreement.read_text(encoding="utf-8")
        if f"- clause: {removed}\n" in text:
            text = text[: text.index("\ndeviations:")] + "\ndeviations: []\n"
        for name in [*clause.terms, removed]:
            text = re.sub(rf"\n  {name}: .*", "", text)
        text = re.sub(r"\n(variants|terms):\n(?! )", r"\n\1: {}\n", text)
        agreement.write_text(text, encoding="utf-8")
    others = set().union(*(set(c.covers) for c in library.clauses.values() if c.id != removed))
    for client in EXAMPLES:
        found = messages(examples, client)
        variant = "general" if client != "ljungsjo-kommun" else "specific"
        lost = set(clause.covers)
        if clause.variants:
            lost |= set(clause.variants[variant].get("covers") or ())
        for tag in lost - others:
            requirement = requirements()[tag]
            if not requirement.get("mandatory"):
                continue
            when = requirement.get("when") or {}
            if removed in when or any(
                when[name] != (variant if name == "subprocessors" else None) for name in when
            ):  # a requirement tied to a variant of the removed clause no longer applies
                continue
            assert (
                f"covers requirement {tag}: " in found
                or f"no longer covers requirement {tag}" in found
            ), (client, tag)
            assert f"[GDPR {requirement['article']}]" in found


def test_every_mandatory_requirement_is_covered_by_the_library() -> None:
    library, problems = load_library(STARTER)
    assert [p for p in problems if p.severity == "error"] == []
    covered = set().union(*(set(c.covers) for c in library.clauses.values()))
    covered |= {
        t
        for c in library.clauses.values()
        for v in c.variants.values()
        for t in v.get("covers") or ()
    }
    mandatory = {tag for tag, r in requirements().items() if r.get("mandatory")}
    assert mandatory - covered == set()


def test_deviation_must_keep_covering(examples: Workspace) -> None:
    edit(
        examples.root / "agreements/nordisk-ehandel/agreement.yaml",
        "    covers: [art28_3_h, art28_1]\n",
        "    covers: [art28_1]\n",
    )
    found = errors(examples, "nordisk-ehandel")
    assert any(
        "the deviation for 'audits' no longer covers requirement art28_3_h" in e for e in found
    )


def annex(ws: Workspace, client: str, kind: str) -> Path:
    return ws.root / f"agreements/{client}/annexes/{kind}.yaml"


def _without_block(path: Path, key: str, entry: str) -> None:
    """Remove ``key:`` and its indented block from the register entry ``entry``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    first = lines.index(f"  {entry}:")
    start = next(i for i in range(first, len(lines)) if lines[i].startswith(f"    {key}:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith("      "):
        end += 1
    path.write_text("\n".join(lines[:start] + lines[end:]) + "\n", encoding="utf-8")


def test_subprocessor_outside_eea_needs_a_transfer_basis(examples: Workspace) -> None:
    _without_block(examples.register_file, "transfer", "clearvoice")
    found = errors(examples, "nordisk-ehandel")
    assert any(
        "sub-processor 'Clearvoice Analytics Inc.' processes in US, outside the EU/EEA, without "
        "a transfer basis [GDPR Arts. 44 to 46]" in e
        for e in found
    ), found


def test_free_text_transfer_mechanism_is_no_basis(examples: Workspace) -> None:
    _without_block(examples.register_file, "transfer", "clearvoice")
    edit(
        examples.register_file,
        "  clearvoice:\n",
        "  clearvoice:\n    transfer_mechanism: hej\n",
    )
    found = errors(examples, "nordisk-ehandel")
    assert any("without a transfer basis (transfer_mechanism is free text)" in e for e in found)


def test_client_specific_subprocessor_outside_eea_needs_a_transfer_basis(
    examples: Workspace,
) -> None:
    path = annex(examples, "trygg-forsakring", "subprocessors")
    with path.open("a", encoding="utf-8") as file:
        file.write(
            "  - name: Mumbai Voice Pvt Ltd\n    address: 1 Marine Drive, Mumbai\n"
            "    service: Night-time call answering\n    location: IN\n"
            "    further_subprocessors: []\n    authorised_on: 2026-11-23\n"
        )
    found = errors(examples, "trygg-forsakring")
    assert any("subprocessors.yaml:" in e and "without a transfer basis" in e for e in found)


def test_transfer_basis_outside_the_list_is_an_error(examples: Workspace) -> None:
    edit(examples.register_file, "      basis: scc\n", "      basis: hej\n")
    result = run(examples, "validate")
    assert result.exit_code == 1
    position = at(examples.register_file, "hej")
    assert f"subprocessors.yaml:{position}: error: " in result.stderr, result.stderr
    assert "hej" in result.stderr and "adequacy" in result.stderr


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("      scc_module: 3\n", "", "a transfer on basis 'scc' needs 'scc_module'"),
        (
            "      adequacy_decision: (EU) 2023/1795\n",
            "",
            "a transfer on basis 'adequacy' needs 'adequacy_decision'",
        ),
        (
            "      dpf_certified: true\n",
            "      dpf_certified: false\n",
            "the adequacy decision for the United States (EU-US Data Privacy Framework) covers "
            "only organisations certified under it",
        ),
        ("      dpf_checked_on: 2026-11-10\n", "", "the Data Privacy Framework status has no date"),
    ],
    ids=["scc-module", "adequacy-decision", "us-adequacy-without-dpf", "dpf-date"],
)
def test_each_transfer_basis_needs_its_particulars(
    examples: Workspace, old: str, new: str, message: str
) -> None:
    edit(examples.register_file, old, new)
    result = run(examples, "validate")
    assert result.exit_code == 1
    assert f"error: {message}" in result.stderr, result.stderr


def test_subprocessor_must_declare_its_own_subprocessors(examples: Workspace) -> None:
    edit(examples.register_file, "    further_subprocessors: []\n", "")  # driftpartner's
    found = errors(examples, "ljungsjo-kommun")
    assert any(
        "sub-processor 'Driftpartner Sundsvall AB' does not declare its own sub-processors" in e
        for e in found
    ), found


def test_later_tier_outside_eea_needs_a_transfer_basis(examples: Workspace) -> None:
    edit(
        examples.register_file,
        "        location: SE\n        service:\n",
        "        location: IN\n        service:\n",
    )  # Samtalsmolnet's data-centre operator
    found = errors(examples, "ljungsjo-kommun")
    assert any(
        "'Nordlink Datacenter AB', a sub-processor of 'Samtalsmolnet Sverige AB', processes in IN"
        in e
        for e in found
    ), found


def test_missing_contact_person_and_tia_are_warned(examples: Workspace) -> None:
    _without_block(examples.register_file, "contact_person", "clearvoice")
    edit(examples.register_file, "      tia: {reference: TIA-2026-04, date: 2026-11-10}\n", "")
    found = messages(examples, "nordisk-ehandel")
    assert "warning: sub-processor 'Clearvoice Analytics Inc.' has no contact person" in found
    assert (
        "warning: sub-processor 'Clearvoice Analytics Inc.' receives data under scc without a "
        "documented transfer impact assessment" in found
    )


def test_activity_location_outside_eea_needs_a_recipient(examples: Workspace) -> None:
    path = annex(examples, "trygg-forsakring", "instructions")
    edit(path, "locations: [SE]", "locations: [SE, IN]")
    found = errors(examples, "trygg-forsakring")
    assert any("processing in IN, outside the EU/EEA" in e for e in found)


@pytest.mark.parametrize("field", sorted(ACTIVITY_FIELDS))
def test_activity_must_state_each_element(examples: Workspace, field: str) -> None:
    path = annex(examples, "trygg-forsakring", "instructions")
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{field}:"))
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (
        len(lines[end]) - len(lines[end].lstrip()) > indent or not lines[end].strip()
    ):
        end += 1
    path.write_text("\n".join(lines[:start] + lines[end:]) + "\n", encoding="utf-8")
    found = errors(examples, "trygg-forsakring")
    assert any(f"does not state its {ACTIVITY_FIELDS[field]} [GDPR Art. 28(3)]" in e for e in found)


def test_sensitive_data_needs_safeguards(examples: Workspace) -> None:
    path = annex(examples, "trygg-forsakring", "instructions")
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n(\s+)safeguards:(\n\1  .*)+", "", text, count=1)
    path.write_text(text, encoding="utf-8")
    found = errors(examples, "trygg-forsakring")
    assert any("sensitive data needs safeguards" in e and "[GDPR Art. 9" in e for e in found)


@pytest.mark.parametrize("hours,severity", [(73, "error"), (48, "warning"), (24, None)])
def test_breach_deadline(examples: Workspace, hours: int, severity: str | None) -> None:
    edit(
        examples.root / "agreements/trygg-forsakring/agreement.yaml",
        "breach_notice_hours: 12",
        f"breach_notice_hours: {hours}",
    )
    found = messages(examples, "trygg-forsakring")
    if severity is None:
        assert "breach notice within" not in found
    else:
        assert re.search(rf": {severity}: breach notice within {hours} hours", found)


def test_general_authorisation_needs_notice_and_objection_terms(examples: Workspace) -> None:
    folder = examples.root / "clauses/subprocessors"
    clause = (folder / "clause.yaml").read_text(encoding="utf-8")
    clause = re.sub(r"\n  subprocessor_(notice|objection)_days:(\n    .*)+", "", clause)
    (folder / "clause.yaml").write_text(clause, encoding="utf-8")
    for text in folder.glob("*.general.*.md"):
        source = text.read_text(encoding="utf-8")
        source = source.replace("{{ terms.subprocessor_notice_days }}", "30")
        source = source.replace("{{ terms.subprocessor_objection_days }}", "14")
        text.write_text(source, encoding="utf-8")
    agreement = examples.root / "agreements/nordisk-ehandel/agreement.yaml"
    agreement.write_text(
        re.sub(r"\n  subprocessor_\w+_days: \d+", "", agreement.read_text()), encoding="utf-8"
    )
    found = errors(examples, "nordisk-ehandel")
    assert any("general authorisation of sub-processors needs a notice period" in e for e in found)
    assert any("needs a window for objecting" in e for e in found)


@pytest.mark.parametrize("group", sorted(ART32_GROUPS))
def test_security_covers_the_art32_groups(examples: Workspace, group: str) -> None:
    path = annex(examples, "nordisk-ehandel", "security")
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index(f"  {group}:")
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    path.write_text("\n".join(lines[:start] + lines[end:]) + "\n", encoding="utf-8")
    found = errors(examples, "nordisk-ehandel")
    assert any(f"no measures under '{group}' [GDPR {ART32_GROUPS[group]}]" in e for e in found)


def test_expired_certificate_is_a_warning(examples: Workspace) -> None:
    _, problems = check_workspace(examples, ["nordisk-ehandel"], as_of=dt.date(2031, 1, 1))
    assert [p.severity for p in problems if "expired" in p.message] == ["warning"]


def test_public_retention_needs_a_disposal_decision(examples: Workspace) -> None:
    path = annex(examples, "ljungsjo-kommun", "instructions")
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n(\s+)disposal_decision:.*(\n\1  .*)*", "", text, count=1)
    path.write_text(text, encoding="utf-8")
    found = errors(examples, "ljungsjo-kommun")
    assert any("disposal decision (gallringsbeslut)" in e for e in found)


def test_languages_must_match(examples: Workspace) -> None:
    text = examples.root / "clauses/breach/1.en.md"
    text.write_text(text.read_text(encoding="utf-8") + "\nAn extra paragraph.\n", encoding="utf-8")
    found = errors(examples)
    assert any("clause 'breach' differs between sv and en" in e for e in found)


def test_render_refuses_unless_draft(examples: Workspace, tmp_path: Path) -> None:
    edit(
        examples.root / "agreements/trygg-forsakring/agreement.yaml",
        "breach_notice_hours: 12",
        "breach_notice_hours: 96",
    )
    result = run(examples, "render", "trygg-forsakring", "--format", "txt", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "Fix these, or render with --draft" in result.stderr
    result = run(
        examples, "render", "trygg-forsakring", "--format", "txt", "--draft", "--out", str(tmp_path)
    )
    assert result.exit_code == 0
    assert (tmp_path / "trygg-forsakring/trygg-forsakring-v1-draft.sv.txt").is_file()


def test_deviation_languages_must_match(examples: Workspace) -> None:
    path = examples.root / "agreements/nordisk-ehandel/agreement.yaml"
    edit(
        path,
        "is not being complied with.\n",
        "is not being complied with.\n\n            A second paragraph in English only.\n",
    )
    found = errors(examples, "nordisk-ehandel")
    assert any(
        "agreement.yaml:" in e
        and "clause 'audits' differs between sv and en: 6 and 7 paragraphs" in e
        for e in found
    )


def test_a_deviation_that_drops_a_covered_requirement_or_names_the_parties_is_warned(
    examples: Workspace,
) -> None:
    path = examples.root / "agreements/nordisk-ehandel/agreement.yaml"
    edit(path, "    covers: [art28_3_h, art28_1]\n", "    covers: [art28_3_h]\n")
    edit(
        path, "            Audits shall primarily", "            {{ controller.name }} audits shall"
    )
    result = run(examples, "check", "nordisk-ehandel")
    assert result.exit_code == 0, result.stderr  # warnings: the agreement may still be issued
    assert (
        f"agreements/nordisk-ehandel/agreement.yaml:{at(path, '[art28_3_h]')}: "
        "warning: the deviation for 'audits' drops requirement art28_1, which the standard "
        "clause covers [GDPR Art. 28(1)]"
    ) in result.stderr
    assert (
        "warning: the deviation for 'audits' names the parties (controller.name) where the "
        "standard terms use the defined terms"
    ) in result.stderr
    assert result.stdout == "ok: 1 agreement meets every mandatory requirement (2 warnings).\n"


def test_a_public_body_names_the_authority_that_is_controller(examples: Workspace) -> None:
    path = examples.root / "agreements/ljungsjo-kommun/agreement.yaml"
    text = run(examples, "render", "ljungsjo-kommun", "--format", "txt", "--lang", "sv")
    assert text.exit_code == 0, text.stderr
    rendered = (examples.root / "out/ljungsjo-kommun/ljungsjo-kommun-v1.sv.txt").read_text(
        encoding="utf-8"
    )
    assert "(a) Ljungsjö kommun, genom kommunstyrelsen, organisationsnummer 212000-9143" in rendered
    assert "\nLjungsjö kommun, genom kommunstyrelsen | Kundservice Norden AB\n" in rendered
    edit(path, "  controller_body: {sv: kommunstyrelsen, en: the Municipal Executive Board}\n", "")
    result = run(examples, "check", "ljungsjo-kommun")
    assert result.exit_code == 0
    assert (
        f"agreements/ljungsjo-kommun/agreement.yaml:{at(path, 'public')}: warning: Ljungsjö "
        "kommun is a public body: the controller is the authority (nämnd, styrelse) that decides "
        "on the processing, which the agreement does not name"
    ) in result.stderr


def test_public_signatory_without_authority_is_warned(examples: Workspace) -> None:
    path = examples.root / "agreements/ljungsjo-kommun/agreement.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    authority:\n")
    path.write_text(text[:start] + text[text.index("agreement:\n") :], encoding="utf-8")
    found = messages(examples, "ljungsjo-kommun")
    assert (
        f"agreement.yaml:{at(path, 'name: Marie')}: warning: Marie Engström signs for a public "
        "body without a stated authority" in found
    ), found


def test_security_annex_without_backups_is_warned(examples: Workspace) -> None:
    path = annex(examples, "trygg-forsakring", "security")
    lines = path.read_text(encoding="utf-8").splitlines()
    start = lines.index("  backups:")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
    path.write_text("\n".join(lines[:start] + lines[end:]) + "\n", encoding="utf-8")
    found = messages(examples, "trygg-forsakring")
    assert "warning: no 'backups' row" in found
