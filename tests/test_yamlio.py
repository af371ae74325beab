from __future__ import annotations

import datetime as dt
from pathlib import Path

from dpagen.inputs.yaml_positions import load_yaml, parse_yaml

FILE = Path("x.yaml")


def only_problem(text: str) -> str:
    _, problems = parse_yaml(text, FILE)
    assert len(problems) == 1
    return problems[0].format()


def test_values_keep_their_positions() -> None:
    doc, problems = parse_yaml("a:\n  b: [1, two]\n  c: 2026-12-01\nland: NO\n", FILE)
    assert problems == []
    assert doc.data == {"a": {"b": [1, "two"], "c": dt.date(2026, 12, 1)}, "land": "NO"}
    assert doc.where(("a", "b", 1)) == (2, 10)
    assert doc.where(("a", "c")) == (3, 6)
    assert doc.where(("land",), key=True) == (4, 1)
    assert doc.where(("a", "missing")) == (2, 3)


def test_duplicate_key_is_positioned_and_the_rest_is_kept() -> None:
    assert only_problem("a: 1\nb: 2\na: 3\n") == (
        "x.yaml:3:1: error: duplicate key 'a' (first defined on line 1)\n"
        "    hint: remove one of the two entries"
    )
    doc, _ = parse_yaml("a: 1\nb: 2\na: 3\n", FILE)
    assert doc.data == {"a": 1, "b": 2}


def test_tab_indentation() -> None:
    assert only_problem("a:\n\tb: 1\n").startswith(
        "x.yaml:2:1: error: tab character used for indentation"
    )


def test_python_tags_are_refused() -> None:
    message = only_problem("a: !!python/object/apply:os.system ['echo hi']\n")
    assert message.startswith("x.yaml:1:4: error: unsupported tag")


def test_local_tags_are_refused() -> None:
    assert "unsupported tag" in only_problem("a: !secret x\n")


def test_syntax_error() -> None:
    assert only_problem("a: [1, 2\n").startswith("x.yaml:2:1: error: YAML syntax error")


def test_invalid_date() -> None:
    assert only_problem("d: 2026-13-01\n").startswith(
        "x.yaml:1:4: error: '2026-13-01' is not a valid date"
    )


def test_recursive_alias() -> None:
    assert "alias refers to itself" in only_problem("a: &x [*x]\n")


def test_alias_bomb_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    assert "too large" in only_problem("\n".join(lines) + "\n")


def test_merge_keys_are_refused() -> None:
    assert "merge keys" in only_problem("base: &b {x: 1}\nother:\n  <<: *b\n")


def test_bad_utf8(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"a: ok\nb: \xff\xfe\n")
    _, problems = load_yaml(path)
    assert [(p.line, p.column, p.message) for p in problems] == [
        (2, 4, "file is not valid UTF-8 text")
    ]


def test_missing_file(tmp_path: Path) -> None:
    _, problems = load_yaml(tmp_path / "nope.yaml")
    assert problems[0].message.startswith("cannot read file")


def test_empty_file_is_none() -> None:
    doc, problems = parse_yaml("# only a comment\n", FILE)
    assert doc.data is None and problems == []


def test_the_same_text_parsed_twice_gives_independent_documents() -> None:
    text = "a:\n  b: [1, 2]\na: 3\n"
    first, first_problems = parse_yaml(text, Path("one.yaml"))
    first.data["a"]["b"].append("changed by the caller")
    second, second_problems = parse_yaml(text, Path("two.yaml"))
    assert second.data == {"a": {"b": [1, 2]}}
    assert (first.path, second.path) == (Path("one.yaml"), Path("two.yaml"))
    assert [p.path for p in first_problems] == [Path("one.yaml")]
    assert [p.path for p in second_problems] == [Path("two.yaml")]
    assert second_problems[0].format().startswith("two.yaml:3:1: error: duplicate key 'a'")
