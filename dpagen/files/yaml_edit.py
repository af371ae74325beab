"""Edit a YAML file in place, keeping its comments, key order, quoting and layout."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from dpagen.files.atomic import write_atomic


def _round_trip() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 4096  # never re-wrap long texts
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(
        type(None), lambda r, _: r.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    """Load ``path`` for round-trip editing, apply ``change`` to its data, write it back safely.

    Only call this on a file that has passed validation: it is parsed again here by ruamel's
    round-trip loader, which keeps what a person wrote.
    """
    write_atomic(path, edited_yaml(path.read_text(encoding="utf-8"), change).encode("utf-8"))


def edited_yaml(text: str, change: Callable[[Any], None]) -> str:
    """``text`` (valid YAML) with ``change`` applied to its data, keeping its layout."""
    yaml = _round_trip()
    data = yaml.load(text)
    change(data)
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def dumped_yaml(data: Any) -> str:
    """New data (built with :func:`mapping`) as YAML text in the layout of the edited files."""
    buffer = io.StringIO()
    _round_trip().dump(data, buffer)
    return buffer.getvalue()


def mapping(**values: Any) -> Any:
    """A new mapping that ruamel writes in block style, keys in the given order."""
    from ruamel.yaml.comments import CommentedMap

    result = CommentedMap()
    for key, value in values.items():
        if value is not None:
            result[key] = value
    return result
