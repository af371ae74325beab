"""Random edits of annex lists: the diff names exactly the edits made, in Swedish and in English.

Items are inserted, deleted, edited and put in another order in one annex list of an example
client; the comparison must report each inserted item as added, each deleted one as removed,
each edited field once, and the reorder as moves of as few items as explain it, and nothing
else. The expected answer is kept while the edits are made, not derived from the diff.
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dpagen.changes.diff import ChangeKind, State, compare_states, describe
from dpagen.inputs.load import Inputs, load_inputs
from dpagen.inputs.yaml_positions import YamlFile
from dpagen.workspace import Workspace

CLIENT = "nordisk-ehandel"
# (annex, list, the key that names an item, a field to edit, its English label in the diff)
LISTS = [
    ("instructions", "activities", "name", "duration", "Duration of the processing"),
    ("instructions", "retention", "data", "period", "Retention period"),
    ("instructions", "systems", "name", "access", "Access"),
    ("subprocessors", "subprocessors", "name", "service", "Processing"),
]
_LOADED: dict[Path, Inputs] = {}


def _inputs(root: Path) -> Inputs:
    if root not in _LOADED:
        inputs, problems = load_inputs(Workspace(root), [CLIENT])
        assert not [p for p in problems if p.severity == "error"], problems
        _LOADED[root] = inputs
    return _LOADED[root]


def _with_list(inputs: Inputs, annex: str, items: str, rows: list[Any]) -> State:
    agreement = inputs.agreements[CLIENT]
    doc = agreement.annexes[annex]
    data = {**doc.data, items: rows}
    annexes = {**agreement.annexes, annex: YamlFile(doc.path, data)}
    changed = dataclasses.replace(agreement, annexes=annexes)
    return State("edited", dataclasses.replace(inputs, agreements={CLIENT: changed}), CLIENT)


def _name(row: dict[str, Any], key: str, lang: str) -> str:
    value = row[key]
    return value[lang] if isinstance(value, dict) else value


def _kept_in_order(old: list[str], new: list[str]) -> int:
    """The length of a longest common subsequence (items common to both, each once)."""
    best = [[0] * (len(new) + 1) for _ in range(len(old) + 1)]
    for i, a in enumerate(old):
        for j, b in enumerate(new):
            best[i + 1][j + 1] = best[i][j] + 1 if a == b else max(best[i][j + 1], best[i + 1][j])
    return best[-1][-1]


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_diff_lists_exactly_the_edits_made(_pristine_examples: Path, data: st.DataObject) -> None:
    annex, items, key, field, field_en = data.draw(st.sampled_from(LISTS), label="list")
    inputs = _inputs(_pristine_examples)
    original = inputs.agreements[CLIENT].annexes[annex].data[items]
    rows = copy.deepcopy(original)
    added: set[str] = set()
    removed: set[str] = set()
    edited: set[str] = set()
    for step in range(data.draw(st.integers(0, 5), label="edits")):
        operation = data.draw(st.sampled_from(["insert", "delete", "edit"]), label="operation")
        originals = [r for r in rows if _name(r, key, "sv") not in added]
        if operation == "insert":
            row = copy.deepcopy(original[0])
            row.pop("id", None)
            name = {"sv": f"Tillkommande post {step}", "en": f"Added entry {step}"}
            row[key] = name if isinstance(original[0][key], dict) else name["sv"]
            rows.insert(data.draw(st.integers(0, len(rows)), label="at"), row)
            added.add(name["sv"])
        elif operation == "delete" and originals:
            row = data.draw(st.sampled_from(originals), label="deleted")
            rows.remove(row)
            removed.add(_name(row, key, "sv"))
            edited.discard(_name(row, key, "sv"))
        elif operation == "edit" and originals:
            row = data.draw(st.sampled_from(originals), label="edited")
            row[field] = {"sv": f"ändrad text {step}", "en": f"changed text {step}"}
            edited.add(_name(row, key, "sv"))
    order = data.draw(st.permutations(range(len(rows))), label="order")
    rows = [rows[k] for k in order]
    old = State("original", inputs, CLIENT)
    new = _with_list(inputs, annex, items, rows)
    for lang in ("sv", "en"):
        found = compare_states(old, new, lang)
        assert found.hidden == 0
        by_kind: dict[ChangeKind, list[Any]] = {}
        for change in found.changes:
            by_kind.setdefault(change.kind, []).append(change)
        assert set(by_kind) <= {
            ChangeKind.ANNEX_ROW_ADDED,
            ChangeKind.ANNEX_ROW_REMOVED,
            ChangeKind.ANNEX_ROW_MOVED,
            ChangeKind.ANNEX_FIELD,
        }, [describe(c, lang) for c in found.changes]

        def named(kind: ChangeKind, found: dict[ChangeKind, list[Any]] = by_kind) -> list[str]:
            return [c.path.split("[", 1)[1].split("]", 1)[0] for c in found.get(kind, [])]

        assert sorted(named(ChangeKind.ANNEX_ROW_ADDED)) == sorted(added)
        assert sorted(named(ChangeKind.ANNEX_ROW_REMOVED)) == sorted(removed)
        assert sorted(named(ChangeKind.ANNEX_FIELD)) == sorted(edited)
        for change in by_kind.get(ChangeKind.ANNEX_FIELD, []):
            assert change.path.endswith(f"].{field}")
            row = next(r for r in rows if f"[{_name(r, key, 'sv')}]" in change.path)
            line = describe(change, lang)
            assert f"'{_name(row, key, lang)}'" in line and f"'{row[field][lang]}'" in line
            if lang == "en":
                assert f", {field_en}: " in line
        common_old = [_name(r, key, "sv") for r in original if _name(r, key, "sv") not in removed]
        common_new = [_name(r, key, "sv") for r in rows if _name(r, key, "sv") not in added]
        moved = set(named(ChangeKind.ANNEX_ROW_MOVED))
        assert len(moved) == len(common_old) - _kept_in_order(common_old, common_new)
        still = [n for n in common_old if n not in moved]
        assert still == [n for n in common_new if n not in moved]
