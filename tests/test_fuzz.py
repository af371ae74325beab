"""Fuzzing: structured, mostly valid inputs with random perturbations never crash dpagen.

Each example takes the starter workspace's own files as YAML trees (the agreement, its three
annexes, ``dpagen.yaml``, the sub-processor register, the library and clause definitions) or its
Markdown clause texts, and perturbs a few places: odd strings (control and bidi characters,
Jinja, Markdown, XML and YAML specials, very long text), wrong types, huge and negative numbers,
odd dates, missing and unknown keys, entries regenerated in the shape of their neighbours, deep
nesting and aliases. Then it validates the workspace and, when that finds no error, checks,
assembles and renders every agreement as text and HTML. Whatever the input, the only exception
allowed is a :class:`~dpagen.errors.DpagenError`, every problem has a place and a message, and no
value reaches the HTML as markup.

``make test`` runs a few dozen examples per test; ``make fuzz`` (scripts/fuzz.py) runs them with
the ``fuzz`` profile of tests/conftest.py for as long as it is given.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, currently_in_test_context, event, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from dpagen.checks.legal import check_agreement
from dpagen.checks.validate import validate_workspace
from dpagen.document.assemble import assemble
from dpagen.errors import DpagenError
from dpagen.inputs.load import has_errors
from dpagen.inputs.yaml_positions import load_yaml
from dpagen.render.html import render_html
from dpagen.render.text import render_text
from dpagen.workspace import Workspace
from tests.conftest import CLIENT

CLIENT_FILES = [
    f"agreements/{CLIENT}/agreement.yaml",
    f"agreements/{CLIENT}/annexes/instructions.yaml",
    f"agreements/{CLIENT}/annexes/security.yaml",
    f"agreements/{CLIENT}/annexes/subprocessors.yaml",
]
WORKSPACE_FILES = [
    "dpagen.yaml",
    "subprocessors.yaml",
    "clauses/library.yaml",
    "clauses/subprocessors/clause.yaml",
    "clauses/breach/clause.yaml",
    "clauses/audits/clause.yaml",
]
TEXT_FILES = [
    "clauses/parties/1.sv.md",
    "clauses/breach/1.en.md",
    "clauses/subprocessors/1.general.sv.md",
    "clauses/audits/1.en.md",
]
MARKER = "<script>alert(1)</script>"  # a value that must never reach the HTML as markup

# `make test` runs the same 40 examples per test every time (derandomized: a failure there is
# reproducible, never luck); `make fuzz` uses the `fuzz` profile of conftest.py: random examples,
# as many as it is given time for
FUZZING = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
budget = (
    settings()
    if FUZZING
    else settings(
        max_examples=40,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
)

ODD_TEXT = [
    "",
    " ",
    "\n",
    "a\nb",
    "\t",
    "\x00",
    "\x07",
    "\x1b[31mred",
    "\x85",
    "\u2028",
    "\u200b",
    "\u202e",
    "\ufeff",
    "\U0001f600",
    "ÅÄÖ åäö",
    "İı ß ﬁ",
    "{{ 7*7 }}",
    "{{ processor.name }}",
    "{{ terms.breach_notice_hours }}",
    '{{ ref("breach") }}',
    '{{ annex("nope") }}',
    "{{ ''.__class__.__mro__ }}",
    "{% for x in y %}",
    "{% raw %}",
    "{#",
    "}}",
    MARKER,
    "<b>&amp;</b>",
    "&",
    "<",
    "]]>",
    "<w:p/>",
    "**bold** _it_ `code`",
    "# Heading",
    "- item",
    "1. item",
    "(a) item",
    "> quote",
    "| a | b |",
    "[x](javascript:alert(1))",
    "![i](file:///etc/passwd)",
    "\\",
    "'",
    '"',
    "%",
    "~",
    "null",
    "yes",
    "NO",
    "2026-02-30",
    "556677-8899",
    "SE",
    "US",
    "sv",
    "en",
    "general",
    "ord ",
]
KEYS = ["sv", "en", "de", "ref", "id", "name", "version", "date", "text", "terms", "variants"]


def texts() -> st.SearchStrategy[str]:
    """Strings a user might (or should not) write."""
    odd = st.sampled_from(ODD_TEXT)
    return st.one_of(
        odd,
        st.text(max_size=30),
        st.builds(lambda text, times: text * times, odd, st.integers(100, 3000)),
        st.builds(lambda a, b, c: a + b + c, st.text(max_size=8), odd, st.text(max_size=8)),
    )


def scalars() -> st.SearchStrategy[Any]:
    """Any scalar YAML can hold, odd ones included."""
    return st.one_of(
        texts(),
        st.integers(min_value=-1000, max_value=1000),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(),
        st.booleans(),
        st.none(),
        st.dates(),
        st.datetimes(),
        st.binary(max_size=6),
    )


def values() -> st.SearchStrategy[Any]:
    """Scalars, and small lists and mappings of them."""
    keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=10), st.integers(), st.none())
    return st.recursive(
        scalars(),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)
        ),
        max_leaves=8,
    )


def rarely(draw: st.DrawFn, one_in: int) -> bool:
    return draw(st.integers(0, one_in - 1)) == 0


@st.composite
def shaped(draw: st.DrawFn, template: Any, key: Any = None) -> Any:
    """A new value in the shape of ``template`` (found under ``key``), mostly a valid one.

    The keys and types stay, free text gets odd content, other values mostly stay the same;
    now and then a key is missing or a value is anything at all.
    """
    if rarely(draw, 40):
        return draw(values())
    if isinstance(template, dict):
        return {
            name: draw(shaped(value, name))
            for name, value in template.items()
            if not rarely(draw, 30)
        }
    if isinstance(template, list):
        if not template:
            return draw(st.lists(values(), max_size=2))
        count = draw(st.integers(0, len(template) + 1))
        return [draw(shaped(draw(st.sampled_from(template)), key)) for _ in range(count)]
    if isinstance(template, str) and key in FREE_TEXT:
        choice = draw(st.integers(0, 2))
        if choice == 0:
            return draw(texts())
        return template + draw(texts()) if choice == 1 else template
    if rarely(draw, 10):
        if isinstance(template, bool):
            return draw(st.booleans())
        if isinstance(template, int):
            return draw(st.one_of(st.integers(-5, 500), st.integers()))
        if isinstance(template, dt.date):
            return draw(st.dates())
        return draw(scalars())
    return template


def nodes(tree: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """Every value in ``tree`` with its path of keys and indexes (the root excluded).

    A value met again (an alias, or a cycle) is listed once.
    """
    found: list[tuple[tuple[Any, ...], Any]] = []
    seen = {id(tree)}
    pending: list[tuple[tuple[Any, ...], Any]] = [((), tree)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict | list):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                found.append(((*path, key), item))
                if id(item) not in seen:
                    seen.add(id(item))
                    pending.append(((*path, key), item))
    return found


def parent(tree: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        tree = tree[step]
    return tree


# keys whose values are free text: an odd string there is still a valid file
FREE_TEXT = {"sv", "en", "name", "role", "street", "city", "summary", "note", "reason", "text"}
FREE_TEXT |= {"description", "notes", "service", "address", "title", "period", "action"}
# mostly perturbations that keep the file valid, so that assembling and rendering get exercised
OPERATIONS = ["free text"] * 6 + ["text", "scalar", "delete", "add", "reshape", "grow", "nest"]
OPERATIONS += ["alias"]


def mutate(draw: st.DrawFn, tree: Any) -> None:
    """Apply one random perturbation to ``tree`` in place."""
    everything = nodes(tree)
    if not everything:
        return
    operation = draw(st.sampled_from(OPERATIONS))
    strings = [(p, v) for p, v in everything if isinstance(v, str)]
    free = [(p, v) for p, v in strings if set(p[-2:]) & FREE_TEXT]
    if operation == "free text" and free:
        path, value = draw(st.sampled_from(free))
        where = draw(st.integers(0, len(value)))
        parent(tree, path)[path[-1]] = value[:where] + draw(texts()) + value[where:]
        return
    if operation in ("text", "free text") and strings:
        path, _ = draw(st.sampled_from(strings))
        parent(tree, path)[path[-1]] = draw(texts())
        return
    path, value = draw(st.sampled_from(everything))
    holder = parent(tree, path)
    if operation == "delete":
        del holder[path[-1]]
    elif operation == "add" and isinstance(value, dict):
        similar = [f"{key}s" for key in value] + [str(key)[:-1] for key in value]
        key = draw(st.one_of(st.sampled_from(KEYS + similar), st.text(max_size=12)))
        value[key] = draw(values())
    elif operation == "reshape":
        holder[path[-1]] = draw(shaped(value))
    elif operation == "grow" and isinstance(value, list) and value:
        item = draw(st.sampled_from(value))
        value.append(item if draw(st.booleans()) else draw(shaped(item)))  # same object: alias
    elif operation == "nest":
        depth = draw(st.integers(1, 150))
        for _ in range(depth):
            value = [value] if draw(st.booleans()) else {"x": value}
        holder[path[-1]] = value
    elif operation == "alias":
        holder[path[-1]] = parent(tree, path) if draw(st.booleans()) else tree  # a cycle
    else:
        holder[path[-1]] = draw(scalars())


yaml = YAML(typ="safe", pure=True)
yaml.default_flow_style = False
yaml.allow_unicode = True
yaml.width = 4096


def dump(tree: Any) -> bytes:
    stream = io.StringIO()
    yaml.dump(tree, stream)
    return stream.getvalue().encode("utf-8")


def count_example() -> None:
    """Tell scripts/fuzz.py that one more example ran."""
    counter = os.environ.get("DPAGEN_FUZZ_COUNT")
    if counter:
        with Path(counter).open("ab") as stream:
            stream.write(b".")


@pytest.fixture(scope="module")
def workspace(_pristine: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the starter workspace; each example changes files and puts them back."""
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    shutil.copytree(_pristine, root)
    return root


class Trees(dict):
    """The starter's YAML files as plain trees, by path (with a short repr for reports)."""

    def __repr__(self) -> str:
        return "<the starter's YAML files>"


@pytest.fixture(scope="module")
def trees(workspace: Path) -> Trees:
    """The YAML files as plain trees, as dpagen loads them."""
    result = Trees()
    for name in CLIENT_FILES + WORKSPACE_FILES:
        document, problems = load_yaml(workspace / name)
        assert not problems
        result[name] = document.data
    return result


@contextlib.contextmanager
def written(root: Path, files: dict[str, bytes]) -> Iterator[None]:
    """The workspace with ``files`` in place of its own, restored afterwards."""
    originals = {name: (root / name).read_bytes() for name in files}
    try:
        for name, data in files.items():
            (root / name).write_bytes(data)
        yield
    finally:
        for name, data in originals.items():
            (root / name).write_bytes(data)


def outcome(text: str) -> None:
    """Count ``text`` in hypothesis' statistics (``--hypothesis-show-statistics``)."""
    if currently_in_test_context():
        event(text)


def exercise(root: Path) -> None:
    """Validate; when that finds no error, check, assemble and render every agreement.

    Any exception but a DpagenError fails the example.
    """
    count_example()
    ws = Workspace(root)
    try:
        inputs, problems = validate_workspace(ws)
    except DpagenError:
        outcome("validate raised a DpagenError")
        return
    for problem in problems:
        where = f"{problem.path}:{problem.line}:{problem.column}: {problem.message!r}"
        assert problem.line >= 1 and problem.column >= 1 and problem.message.strip(), where
        assert problem.path == root or root in problem.path.parents, where
    if has_errors(problems):
        outcome("problems found")
        return
    outcome("valid: checked, assembled and rendered")
    for client, agreement in inputs.agreements.items():
        with contextlib.suppress(DpagenError):
            check_agreement(inputs, client)
        for lang in agreement.languages:
            try:
                doc = assemble(inputs, client, lang)
                render_text(doc)
                html = render_html(doc, ws.templates)
            except DpagenError:
                continue
            assert MARKER.encode() not in html


def mutated(
    draw: st.DrawFn,
    trees: Trees,
    names: list[str],
    first: Callable[[st.DrawFn, Callable[[str], Any], Trees], None] | None = None,
) -> dict[str, bytes]:
    """One to three perturbations in one or more of the files ``names``, after ``first``."""
    changed: dict[str, Any] = {}

    def tree(name: str) -> Any:
        if name not in changed:
            changed[name] = copy.deepcopy(trees[name])
        return changed[name]

    if first is not None:
        first(draw, tree, trees)
    for _ in range(draw(st.integers(1, 3))):
        mutate(draw, tree(draw(st.sampled_from(names))))
    return {name: dump(value) for name, value in changed.items()}


def inline_subprocessor(draw: st.DrawFn, tree: Callable[[str], Any], trees: Trees) -> None:
    """Now and then a client-specific sub-processor in the annex, shaped like a register entry."""
    if draw(st.integers(0, 3)) != 0:
        return
    register = trees["subprocessors.yaml"]["subprocessors"]
    entry = dict(register[draw(st.sampled_from(sorted(register)))])
    entry["authorised_on"] = dt.date(2026, 12, 1)
    annex = tree(f"agreements/{CLIENT}/annexes/subprocessors.yaml")
    annex["subprocessors"].append(draw(shaped(entry)))


@budget
@given(data=st.data())
def test_fuzzed_agreement_and_annexes(workspace: Path, trees: Trees, data) -> None:
    with written(workspace, mutated(data.draw, trees, CLIENT_FILES, inline_subprocessor)):
        exercise(workspace)


@budget
@given(data=st.data())
def test_fuzzed_workspace_register_and_library(workspace: Path, trees: Trees, data) -> None:
    with written(workspace, mutated(data.draw, trees, WORKSPACE_FILES)):
        exercise(workspace)


SNIPPETS = [
    "{{ terms.breach_notice_hours }}",
    "{{ terms.no_such_term }}",
    "{{ terms }}",
    "{{ processor }}",
    "{{ controller.name | upper }}",
    "{{ processor.name | no_such_filter }}",
    '{{ ref("breach") }}',
    '{{ ref("no-such-clause") }}',
    '{{ ref("breach", 99) }}',
    "{{ ref() }}",
    "{{ ref(1) }}",
    '{{ annex("security") }}',
    '{{ annex("nope") }}',
    "{{ annex(None) }}",
    "{{ 7/0 }}",
    "{{ terms.breach_notice_hours + 'a' }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ range(3) | list }}",
    "{{ x.y.z }}",
    "{% for i in range(2) %}x{% endfor %}",
    "{% set x = 1 %}{{ x }}",
    "{% if %}",
    "{% raw %}{{ %}",
    "{# comment #}",
    "{{",
    "}}",
    "{%",
    "\n# Heading\n",
    "\n## Sub-heading\n",
    "\n###### Deep\n",
    "\n- item\n- item\n",
    "\n1. one\n2. two\n",
    "\n(a) item\n",
    "\n> quote\n",
    "\n```\ncode\n```\n",
    "\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    MARKER,
    "<!-- comment -->",
    "&amp; &lt; &#0; &#xD800;",
    "]]>",
    "[link](http://example.com)",
    "![image](x.png)",
    "**bold** *it* _u_ `code`",
    "\\",
    "\n---\n",
    "\x00",
    "\x07",
    "\u202e",
    "\ufeff",
    "  \n",
    "\t",
    "[^1]",
]


@budget
@given(data=st.data())
def test_fuzzed_clause_texts(workspace: Path, data) -> None:
    files: dict[str, bytes] = {}
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(TEXT_FILES))
        text = files.get(name, (workspace / name).read_bytes()).decode("utf-8")
        at = data.draw(st.integers(0, len(text)))
        snippet = data.draw(st.one_of(st.sampled_from(SNIPPETS), texts()))
        files[name] = (text[:at] + snippet + text[at:]).encode("utf-8")
    with written(workspace, files):
        exercise(workspace)


# Found by fuzzing: a register entry whose `services` list held a mapping,
# `services: [{x: telephony}]`, stopped validation with "TypeError: unhashable type: 'dict'" in
# register._unknown_services (an "internal error" in the CLI); fixed in dpagen/inputs/register.py.
def test_found_by_fuzzing_a_mapping_among_a_register_entrys_services(
    workspace: Path, trees: Trees
) -> None:
    tree = copy.deepcopy(trees["subprocessors.yaml"])
    tree["subprocessors"]["samtalsmolnet"]["services"] = [{"x": "telephony"}]
    with written(workspace, {"subprocessors.yaml": dump(tree)}):
        exercise(workspace)
        _, problems = validate_workspace(Workspace(workspace))
    assert [p.message for p in problems if p.severity == "error"] == [
        "subprocessors.samtalsmolnet.services.0: expected a text, found a mapping"
    ]
