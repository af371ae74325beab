"""Validation reports every problem in every file at once, positioned, without tracebacks."""

from __future__ import annotations

from dpagen.workspace import Workspace
from tests.helpers import at, edit, line_of, run

AGREEMENT = "agreements/nordisk-ehandel/agreement.yaml"
SUBPROCESSORS = "agreements/nordisk-ehandel/annexes/subprocessors.yaml"


def test_clean_example_passes(ws: Workspace) -> None:
    result = run(ws, "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok: 1 agreement, 29 clauses, 2 editions checked.\n"
    assert result.stderr == ""


def test_five_faults_in_three_files_are_all_reported(ws: Workspace) -> None:
    root = ws.root
    edit(root / AGREEMENT, "    city: Göteborg\n", "")  # missing required key
    edit(root / AGREEMENT, "org_no: 556677-8899", "org_no: 556677-8898")  # bad check digit
    edit(root / SUBPROCESSORS, "version: 1\n", "version: one\n")  # wrong type
    edit(root / SUBPROCESSORS, "subprocessors:\n", "version: 2\nsubprocessors:\n")  # duplicate key
    edit(
        root / "dpagen.yaml",
        "      phone: +46 8 555 010 00\n",
        "      phone: +46 8 555 010 00\n      titel: Avtal\n",
    )  # unknown key
    result = run(ws, "validate")
    agreement, subprocessors = root / AGREEMENT, root / SUBPROCESSORS
    first = line_of(subprocessors, "version: one")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"{AGREEMENT}:{at(agreement, '556677-8898')}: error: client.org_no: '556677-8898' is "
        "not a valid Swedish organisation number\n"
        "    hint: write it as NNNNNN-NNNN and check the digits; the last digit is a check digit\n"
        f"{AGREEMENT}:{at(agreement, 'address:')}: error: missing required key 'city' in "
        "client.address\n"
        "    hint: add 'city:' with a value\n"
        f"{SUBPROCESSORS}:{at(subprocessors, 'one', after='version: ')}: error: version: "
        "expected a whole number, found the text 'one'\n"
        f"{SUBPROCESSORS}:{at(subprocessors, 'version: 2')}: error: duplicate key 'version' "
        f"(first defined on line {first})\n"
        "    hint: remove one of the two entries\n"
        f"dpagen.yaml:{at(root / 'dpagen.yaml', 'titel')}: error: unknown key 'titel' in "
        "processor.contacts.admin\n"
        "    hint: known keys here: email, name, phone, role\n"
        "5 errors, 0 warnings.\n"
    )
    assert "Traceback" not in result.output


def test_misspelt_key_gets_a_suggestion(ws: Workspace) -> None:
    edit(ws.root / AGREEMENT, "  main_agreement:", "  main_agrement:")
    result = run(ws, "validate")
    where = at(ws.root / AGREEMENT, "main_agrement")
    assert (
        f"{AGREEMENT}:{where}: error: unknown key 'main_agrement' in agreement\n"
        "    hint: did you mean 'main_agreement'?\n" in result.stderr
    )
    assert "missing required key 'main_agreement'" not in result.stderr


def test_json_output_lists_problems(ws: Workspace) -> None:
    edit(ws.root / AGREEMENT, "email: sara.nystrom@nordiskehandel.se", "email: sara.nystrom")
    result = run(ws, "validate", "--json")
    assert result.exit_code == 1
    import json

    line, column = map(int, at(ws.root / AGREEMENT, "sara.nystrom\n").split(":"))
    assert json.loads(result.stdout) == [
        {
            "path": AGREEMENT,
            "line": line,
            "column": column,
            "severity": "error",
            "message": "client.contacts.admin.email: 'sara.nystrom' is not a valid e-mail address",
            "hint": "write an address like name@example.se",
        }
    ]


def test_every_broken_file_at_once(ws: Workspace) -> None:
    (ws.root / "clauses/library.yaml").write_text("editions: [\n", encoding="utf-8")
    (ws.root / AGREEMENT).write_bytes(b"client: \xff\n")
    (ws.root / SUBPROCESSORS).write_text("a:\n\tb: 1\n", encoding="utf-8")
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert "clauses/library.yaml:2:1: error: YAML syntax error" in result.stderr
    assert f"{AGREEMENT}:1:9: error: file is not valid UTF-8 text" in result.stderr
    assert "Traceback" not in result.output


def test_empty_agreement_file(ws: Workspace) -> None:
    (ws.root / AGREEMENT).write_text("", encoding="utf-8")
    result = run(ws, "validate")
    assert f"{AGREEMENT}:1:1: error: file is empty" in result.stderr


def test_unknown_edition_variant_and_term(ws: Workspace) -> None:
    edit(ws.root / AGREEMENT, "  subprocessors: general", "  subprocessors: generel")
    edit(ws.root / AGREEMENT, "  breach_notice_hours: 24", "  breach_notice_hour: 24")
    result = run(ws, "validate")
    assert (
        "error: clause 'subprocessors' has no variant 'generel'\n"
        "    hint: variants: general, specific"
    ) in result.stderr
    assert (
        "error: unknown term 'breach_notice_hour'\n    hint: did you mean 'breach_notice_hours'?"
    ) in result.stderr
    edit(ws.root / "dpagen.yaml", 'edition: "2026.2"', 'edition: "2026.9"')
    result = run(ws, "validate")
    where = at(ws.root / "dpagen.yaml", '"2026.9"')
    assert f"dpagen.yaml:{where}: error: unknown edition '2026.9'" in result.stderr


def test_term_type_and_range(ws: Workspace) -> None:
    edit(ws.root / AGREEMENT, "  breach_notice_hours: 24", "  breach_notice_hours: 0")
    edit(ws.root / AGREEMENT, "  subprocessor_notice_days: 30", "  subprocessor_notice_days: soon")
    result = run(ws, "validate")
    assert "error: term 'breach_notice_hours' must be at least 1" in result.stderr
    assert "error: term 'subprocessor_notice_days' must be a whole number" in result.stderr


def test_deviation_for_unknown_clause_and_missing_language(ws: Workspace) -> None:
    edit(ws.root / AGREEMENT, "  - clause: audits", "  - clause: audit")
    result = run(ws, "validate")
    assert (
        "error: deviation for clause 'audit', which is not in edition 2026.2\n"
        "    hint: did you mean 'audits'?"
    ) in result.stderr


def test_missing_annex_file(ws: Workspace) -> None:
    (ws.root / SUBPROCESSORS).unlink()
    result = run(ws, "validate")
    where = at(ws.root / AGREEMENT, "client:")  # the agreement as a whole: its first key
    assert (
        f"{AGREEMENT}:{where}: error: annex file annexes/subprocessors.yaml is missing"
        in result.stderr
    )


def test_missing_translation_of_an_annex_value(ws: Workspace) -> None:
    path = ws.root / SUBPROCESSORS
    lines = path.read_text(encoding="utf-8").splitlines()
    english = next(i for i, line in enumerate(lines) if line.strip().startswith("en: Helpdesk"))
    del lines[english]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(ws, "validate")
    where = f"{english}:{len(lines[english - 1]) - len(lines[english - 1].lstrip()) + 1}"
    assert f"{SUBPROCESSORS}:{where}: error: no English text for this value\n" in result.stderr
    assert "    hint: add 'en: ...' to the mapping" in result.stderr


def test_missing_translation_in_the_register(ws: Workspace) -> None:
    path = ws.register_file
    lines = path.read_text(encoding="utf-8").splitlines()
    english = next(
        i
        for i, line in enumerate(lines)
        if line.strip().startswith("en: Encryption in transit and at rest, and support")
    )
    del lines[english]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(ws, "validate")
    where = f"{english}:{len(lines[english - 1]) - len(lines[english - 1].lstrip()) + 1}"
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"subprocessors.yaml:{where}: error: no English text for this value\n"
    )


def test_validate_only_named_clients(ws: Workspace) -> None:
    result = run(ws, "validate", "nobody")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no client 'nobody' in ")


def test_term_for_a_variant_not_chosen_is_a_warning(ws: Workspace) -> None:
    edit(ws.root / AGREEMENT, "subprocessors: general", "subprocessors: specific")
    result = run(ws, "validate")
    assert result.exit_code == 0
    assert (
        "warning: term 'subprocessor_notice_days' has no effect: it applies to the general "
        "variant of 'subprocessors', which uses specific"
    ) in result.stderr


def test_foreign_subprocessor_number_is_free_text(ws: Workspace) -> None:
    edit(
        ws.register_file,
        "    name: Clearvoice Analytics Inc.\n",
        "    name: Clearvoice Analytics Inc.\n    org_no: EIN 12-3456789\n",
    )
    assert run(ws, "validate").exit_code == 0
    edit(ws.register_file, '"556812-7343"', '"556812-7344"')
    result = run(ws, "validate")
    assert (
        "error: subprocessors.samtalsmolnet.org_no: '556812-7344' is not a valid Swedish"
        in result.stderr
    )


def test_client_folder_without_agreement(ws: Workspace) -> None:
    (ws.root / "agreements/half-made").mkdir()
    result = run(ws, "validate")
    assert result.stderr == (
        "agreements/half-made:1:1: error: client folder 'half-made' has no agreement.yaml\n"
        "    hint: create it with 'dpagen new half-made ...' or remove the folder\n"
        "1 error, 0 warnings.\n"
    )
