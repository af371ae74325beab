"""Library results as JSON: the one conversion every ``--json`` output (and the web) uses.

Dataclasses become objects with their fields in order, enums their values, dates ISO strings,
paths POSIX strings and tuples lists; everything else must already be JSON.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data."""
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, PurePath):
        return value.as_posix()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    raise TypeError(f"cannot show {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """``value`` as indented JSON text, non-ASCII letters kept as they are."""
    return json.dumps(jsonable(value), ensure_ascii=False, indent=2)


def count(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless ``n`` is one: "1 agreement", "3 agreements"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def text_table(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows of cells as lines of aligned columns (the first row is usually a header)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
