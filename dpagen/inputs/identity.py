"""What each annex list item stands for, so that versions are compared item by item.

An item is identified by its ``id:`` where it has one, else by its natural key: an activity, a
system, an instructor or a sub-processor by its name, a storage or retention rule by the data it
covers. The natural key is the item's value in every language, so a Swedish and an English
document agree on it.

An identity carries both, so that an item which gains an id between two versions (as when ids
are added to an existing annex) is still the same item: :func:`match_identities` pairs items by
id where both versions give one, and otherwise by natural key.
"""

from __future__ import annotations

import json
from typing import Any

NATURAL_KEYS = {
    "instructions": {
        "activities": "name",
        "systems": "name",
        "storage": "data",
        "retention": "data",
        "instructors": "name",
    },
    "subprocessors": {"subprocessors": "name"},
}

_ID = "id:"
_SEPARATOR = "\x1f"  # between an id and the natural key; never part of either


def identity(item: dict[str, Any], key: str) -> str:
    """The identity of ``item``: ``id:ID`` and its natural key ``key``, or the natural key alone.

    The natural key is canonical JSON of the item's ``key`` value.
    """
    natural = json.dumps(item.get(key), sort_keys=True, ensure_ascii=False, default=str)
    if item.get("id") is not None:
        return f"{_ID}{item['id']}{_SEPARATOR}{natural}"
    return natural


def _parts(identity_text: str) -> tuple[str, str | None, str]:
    """(group, id or None, natural key) of an identity, which may have a ``group/`` prefix."""
    group, rest = "", identity_text
    head, slash, tail = identity_text.partition("/")
    if slash and head.isidentifier():
        group, rest = head, tail
    if rest.startswith(_ID) and _SEPARATOR in rest:
        item_id, _, natural = rest[len(_ID) :].partition(_SEPARATOR)
        return group, item_id, natural
    return group, None, rest


def match_identities(old: list[str], new: list[str]) -> list[tuple[int, int]]:
    """Pairs (old index, new index) of the same item, sorted.

    First by an id both give; then, among the rest, by natural key where at least one of the two
    has no id (two different ids are two items, whatever their names), in order for repeats.
    """
    parsed_old = [_parts(text) for text in old]
    parsed_new = [_parts(text) for text in new]
    by_id = {(g, i): j for j, (g, i, _) in enumerate(parsed_new) if i is not None}
    pairs: list[tuple[int, int]] = []
    taken: set[int] = set()
    for index, (group, item_id, _) in enumerate(parsed_old):
        j = by_id.get((group, item_id)) if item_id is not None else None
        if j is not None:
            pairs.append((index, j))
            taken.add(j)
    paired_old = {i for i, _ in pairs}
    waiting: dict[tuple[str, str], list[int]] = {}
    for j, (group, _, natural) in enumerate(parsed_new):
        if j not in taken:
            waiting.setdefault((group, natural), []).append(j)
    for index, (group, item_id, natural) in enumerate(parsed_old):
        if index in paired_old:
            continue
        candidates = waiting.get((group, natural), [])
        for position, j in enumerate(candidates):
            if item_id is None or parsed_new[j][1] is None:
                pairs.append((index, j))
                del candidates[position]
                break
    return sorted(pairs)


def same_keys(old: list[str], new: list[str]) -> list[str]:
    """``old`` with each item that is also in ``new`` renamed to its identity there.

    Then two versions' identities compare equal exactly for the same item, whatever ids were
    added or removed between them.
    """
    renamed = list(old)
    for i, j in match_identities(old, new):
        renamed[i] = new[j]
    return renamed
