"""What each annex list item stands for, so that versions are compared item by item.

An item is identified by its ``id:`` where it has one, else by its natural key: an activity, a
system, an instructor or a sub-processor by its name, a storage or retention rule by the data it
covers. The natural key is the item's value in every language, so a Swedish and an English
document agree on it.
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


def identity(item: dict[str, Any], key: str) -> str:
    """The identity of ``item``: ``id:ID``, or its natural key ``key`` as canonical JSON."""
    if item.get("id") is not None:
        return f"id:{item['id']}"
    return json.dumps(item.get(key), sort_keys=True, ensure_ascii=False, default=str)
