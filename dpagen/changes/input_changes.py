"""Changes of the agreement's data fields, parties and annexes, item by item.

Annex list items (activities, systems, storage and retention rules, instructors,
sub-processors, certifications) are matched by identity: first by an ``id:`` both versions
give, then by their natural key (:mod:`dpagen.inputs.identity`), so adding, removing or
reordering one item never makes its neighbours look changed. A reorder is reported as a move of
the fewest items that explain it.

Each change is placed and worded in the reader's language (:mod:`dpagen.changes.places`); a
change that reads the same in that language (a fix of the other language's text only) is
counted as hidden rather than shown as "'x' → 'x'".
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from dpagen.changes.change import Change, ChangeKind
from dpagen.changes.places import Places
from dpagen.inputs.identity import NATURAL_KEYS, identity, match_identities

LIST_KEYS: dict[str, dict[str, str]] = {
    **NATURAL_KEYS,
    "security": {"certifications": "scheme"},
}


@dataclass
class FieldChanges:
    """Changes found so far, and how many read the same in the reader's language."""

    places: Places
    changes: list[Change] = field(default_factory=list)
    hidden: int = 0

    def add(self, change: Change, name: str = "") -> None:
        """Keep ``change`` unless both of its values read the same in the reader's language."""
        both = change.old is not None and change.new is not None
        if both and self.places.value(change.old, name) == self.places.value(change.new, name):
            self.hidden += 1
            return
        self.changes.append(change)

    def fields(
        self, kind: ChangeKind, path: str, place: str, old: Any, new: Any, label: Any
    ) -> None:
        """One change per leaf field that differs; ``label(parts)`` places a leaf."""
        a, b = flat(old), flat(new)
        for parts in [*a, *[k for k in b if k not in a]]:
            if a.get(parts) == b.get(parts):
                continue
            leaf = ".".join((path, *parts)) if parts else path
            where = ", ".join(p for p in (place, label(list(parts))) if p)
            self.add(Change(kind, leaf, a.get(parts), b.get(parts), place=where), _name(parts))


def flat(value: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Nested mappings as leaf paths; a text in several languages is one leaf."""
    if isinstance(value, dict) and value and not set(value) <= {"sv", "en"}:
        result: dict[tuple[str, ...], Any] = {}
        for key, inner in value.items():
            result.update(flat(inner, (*prefix, str(key))))
        return result
    return {prefix: value}


def _name(parts: tuple[str, ...] | list[str]) -> str:
    return parts[-1] if parts else ""


def annex_changes(
    found: FieldChanges, kind: str, number: int | None, old: dict[str, Any], new: dict[str, Any]
) -> None:
    """Every change of annex ``kind`` (numbered ``number`` in the new version)."""
    places = found.places
    annex = places.annex(number, kind)
    names = [*old, *[k for k in new if k not in old]]
    first = [
        n for n in ("version", "effective_date") if n in names
    ]  # the annex's own, then its content
    for name in [*first, *[n for n in names if n not in first]]:
        a, b = old.get(name), new.get(name)
        if name == "changelog" or a == b:
            continue
        path = f"annexes.{kind}.{name}"
        if name in LIST_KEYS.get(kind, {}) and isinstance(a, list) and isinstance(b, list):
            _list_changes(found, kind, name, a, b, annex)
        elif name in ("version", "effective_date"):
            found.changes.append(
                Change(ChangeKind.ANNEX_VERSION, path, a, b, place=f"{annex}, {places.field(name)}")
            )
        else:
            found.fields(
                ChangeKind.ANNEX_FIELD,
                path,
                annex,
                a,
                b,
                lambda parts, name=name: places.annex_field(kind, [name, *parts]),
            )


def _list_changes(
    found: FieldChanges, kind: str, items: str, old: list[Any], new: list[Any], annex: str
) -> None:
    places = found.places
    key = LIST_KEYS[kind][items]
    pairs = match_items(old, new, key)
    paired_old = {i for i, _ in pairs}
    paired_new = {j: i for i, j in pairs}
    moved = moved_items(pairs)

    def where(row: Any) -> tuple[str, str]:
        name = row.get(key) if isinstance(row, dict) else row
        shown = name.get("sv") or next(iter(name.values()), "") if isinstance(name, dict) else name
        return f"annexes.{kind}.{items}[{shown}]", f"{annex}, {places.item(items, name)}"

    for i, row in enumerate(old):
        if i not in paired_old:
            path, place = where(row)
            found.changes.append(Change(ChangeKind.ANNEX_ROW_REMOVED, path, row, place=place))
    for j, row in enumerate(new):
        path, place = where(row)
        if j not in paired_new:
            found.changes.append(Change(ChangeKind.ANNEX_ROW_ADDED, path, None, row, place=place))
            continue
        i = paired_new[j]
        if (i, j) in moved:
            move = Change(ChangeKind.ANNEX_ROW_MOVED, path, i + 1, j + 1, place=place)
            found.changes.append(move)
        before = {k: v for k, v in old[i].items() if k != "id"} if isinstance(old[i], dict) else {}
        after = {k: v for k, v in row.items() if k != "id"} if isinstance(row, dict) else {}
        found.fields(
            ChangeKind.ANNEX_FIELD,
            path,
            place,
            before,
            after,
            lambda parts: places.item_field(kind, items, parts) if parts else "",
        )


def match_items(old: list[Any], new: list[Any], key: str) -> list[tuple[int, int]]:
    """Pairs (old index, new index) of the same item (see ``match_identities``)."""

    def identities(rows: list[Any]) -> list[str]:
        return [identity(row if isinstance(row, dict) else {key: row}, key) for row in rows]

    return match_identities(identities(old), identities(new))


def moved_items(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The pairs to call moved: all but a longest run that keeps its order."""
    ordered = sorted(pairs)
    tails: list[int] = []  # tails[k]: smallest new index ending a kept run of length k + 1
    tail_at: list[int] = []
    previous: list[int] = [-1] * len(ordered)
    for position, (_, j) in enumerate(ordered):
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(position)
        else:
            tails[k] = j
            tail_at[k] = position
        previous[position] = tail_at[k - 1] if k else -1
    kept: set[int] = set()
    position = tail_at[-1] if tail_at else -1
    while position >= 0:
        kept.add(position)
        position = previous[position]
    return {pair for position, pair in enumerate(ordered) if position not in kept}
