"""Clause texts: sandbox, undefined placeholders, references, structure, escaping."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from dpagen.document import clause_text
from dpagen.document.model import plain
from dpagen.workspace import Workspace
from tests.helpers import edit, run

BREACH_SV = "clauses/breach/1.sv.md"


def test_sandbox_refuses_attribute_escape(ws: Workspace) -> None:
    text = (ws.root / BREACH_SV).read_text(encoding="utf-8")
    (ws.root / BREACH_SV).write_text(
        text + "\nHack: {{ ''.__class__.__mro__ }}\n", encoding="utf-8"
    )
    line = text.count("\n") + 2
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert (
        f"{BREACH_SV}:{line}:13: error: refused by the sandbox: access to attribute "
        "'__class__' of 'str' object is unsafe."
    ) in result.stderr
    assert "Traceback" not in result.output


def test_undefined_placeholder_names_file_and_line(ws: Workspace) -> None:
    edit(
        ws.root / BREACH_SV,
        "{{ terms.breach_notice_hours }}",
        "{{ terms.breach_notice_hours }} {{ client_name }}",
    )
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert f"{BREACH_SV}:3:" in result.stderr
    assert "error: unknown placeholder 'client_name'" in result.stderr


def test_unknown_attribute_is_caught_without_any_client(ws: Workspace) -> None:
    line = (ws.root / BREACH_SV).read_text(encoding="utf-8").splitlines()[2]
    column = line.index("{{ terms.breach_notice_hours }}") + len("{{ processor.") + 1
    edit(ws.root / BREACH_SV, "{{ terms.breach_notice_hours }}", "{{ processor.nme }}")
    __import__("shutil").rmtree(ws.root / "agreements/nordisk-ehandel")
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{BREACH_SV}:3:{column}: error: unknown placeholder 'processor.nme'\n"
        "    hint: did you mean 'processor.name'?\n1 error, 0 warnings.\n"
    )


def test_undefined_value_at_run_time_names_the_line(ws: Workspace) -> None:
    edit(ws.root / BREACH_SV, "{{ terms.breach_notice_hours }}", "{{ agreement.main_agreement.x }}")
    result = run(ws, "validate")
    assert result.exit_code == 1
    assert f"{BREACH_SV}:3:" in result.stderr
    assert "error: undefined placeholder: no value named 'x'" in result.stderr


def test_sub_clause_reference_must_exist(ws: Workspace) -> None:
    edit(ws.root / BREACH_SV, 'ref("security")', 'ref("security", 9)')
    result = run(ws, "validate")
    assert (
        "error: ref('security', 9): clause 'security' has 4 paragraphs\n"
        "    hint: refer to an existing paragraph, or to the whole clause with ref(id)"
        in result.stderr
    )
    edit(ws.root / BREACH_SV, 'ref("security", 9)', 'ref("security", 2)')
    assert run(ws, "validate").exit_code == 0


def test_broken_clause_file_is_reported_once(ws: Workspace) -> None:
    edit(ws.root / "clauses/breach/clause.yaml", "covers: [", "covers: [art99, ")
    result = run(ws, "validate")
    assert result.stderr.count(": error: ") == 1
    assert "error: covers.0: unknown requirement tag 'art99'" in result.stderr


def test_undeclared_term(ws: Workspace) -> None:
    edit(ws.root / BREACH_SV, "{{ terms.breach_notice_hours }}", "{{ terms.breach_hours }}")
    result = run(ws, "validate")
    assert "error: term 'breach_hours' is not declared in breach/clause.yaml" in result.stderr


def test_reference_to_unknown_clause(ws: Workspace) -> None:
    edit(ws.root / BREACH_SV, 'ref("security")', 'ref("securty")')
    result = run(ws, "validate")
    assert (
        "error: reference to unknown clause 'securty'\n    hint: did you mean 'security'?"
        in result.stderr
    )


def test_template_syntax_error(ws: Workspace) -> None:
    edit(ws.root / BREACH_SV, "{{ terms.breach_notice_hours }}", "{{ terms.breach_notice_hours }")
    result = run(ws, "validate")
    assert f"{BREACH_SV}:3:" in result.stderr and "template syntax error" in result.stderr


def test_unsupported_markdown(ws: Workspace) -> None:
    text = (ws.root / BREACH_SV).read_text(encoding="utf-8")
    (ws.root / BREACH_SV).write_text(text + "\n## Underrubrik\n\n1. numrerad\n", encoding="utf-8")
    result = run(ws, "validate")
    assert "error: only the first line may be a heading (# Title)" in result.stderr
    assert "error: unsupported Markdown (ordered_list)" in result.stderr


def test_missing_text_file_and_stray_file(ws: Workspace) -> None:
    (ws.root / "clauses/breach/1.en.md").rename(ws.root / "clauses/breach/2.en.md")
    result = run(ws, "validate")
    assert (
        "clauses/breach/clause.yaml:10:3: error: missing text file 1.en.md for version 1"
        in result.stderr
    )
    assert (
        "clauses/breach/2.en.md:1:1: warning: text file 2.en.md belongs to no declared "
        "version, variant and language"
    ) in result.stderr


def test_edition_with_unknown_clause_version(ws: Workspace) -> None:
    edit(ws.root / "clauses/library.yaml", "breach@1", "breach@2")
    result = run(ws, "validate")
    assert "error: clause 'breach' has no version 2\n    hint: versions: 1" in result.stderr


def test_clause_id_must_match_folder(ws: Workspace) -> None:
    edit(ws.root / "clauses/breach/clause.yaml", "id: breach", "id: breaches")
    result = run(ws, "validate")
    assert "error: clause id 'breaches' differs from its folder name 'breach'" in result.stderr


def test_languages_out_of_step_is_a_warning(ws: Workspace) -> None:
    text = (ws.root / "clauses/breach/1.en.md").read_text(encoding="utf-8")
    (ws.root / "clauses/breach/1.en.md").write_text(
        text + "\nAn extra paragraph.\n", encoding="utf-8"
    )
    result = run(ws, "validate")
    assert result.exit_code == 0
    assert (
        "clauses/breach/1.en.md:1:1: warning: the English text has a different number of "
        "paragraphs or list items than the Swedish text"
    ) in result.stderr


def render_value(value: str) -> str:
    source = "# T\n\nNamn: {{ controller.name }} slut.\n"
    template = clause_text.compile_text(source, Path("t.md"))
    text = clause_text.render_text(template, source, Path("t.md"), {"controller": {"name": value}})
    parsed, problems = clause_text.parse_markdown(text, Path("t.md"))
    assert problems == []
    return plain(parsed.paragraphs[0].runs)


def test_hostile_value_renders_literally() -> None:
    name = "Ågren & Söner <AB> {{ 7*7 }} *fet*"
    assert render_value(name) == f"Namn: {name} slut."


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1))
def test_any_value_renders_literally(value: str) -> None:
    expected = " ".join(value.split())
    assert render_value(value) == f"Namn: {expected} slut." if expected else "Namn: slut."
