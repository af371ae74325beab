"""Safe YAML loading that remembers where every key and value stands.

ruamel.yaml parses (YAML 1.2, so ``NO`` stays a country code and ``yes`` a string); this module
builds plain dicts, lists and scalars from the node tree itself, so no tag can construct a Python
object, duplicate keys and unknown tags are positioned problems, and every path into the document
maps to a line and column for error messages.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .errors import Problem

PathKey = tuple[Any, ...]
Position = tuple[int, int]

_MAX_NODES = 200_000  # bounds alias expansion ("billion laughs")
_TAG = "tag:yaml.org,2002:"


class YamlProblem(Exception):
    """Raised inside the builder; converted into a :class:`Problem` by :func:`load_yaml`."""

    def __init__(self, message: str, node: Node | None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.hint = hint


@dataclass
class Document:
    """A loaded YAML file: plain data plus the positions of its values and keys."""

    path: Path
    data: Any
    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)

    def where(self, path: PathKey, *, key: bool = False) -> Position:
        """Best position for ``path``: the value (or key), else the nearest enclosing value."""
        probe = tuple(path)
        if key and probe in self.keys:
            return self.keys[probe]
        while probe:
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (1, 1))

    def problem(
        self,
        path: PathKey,
        message: str,
        hint: str = "",
        *,
        key: bool = False,
        severity: str = "error",
    ) -> Problem:
        """A :class:`Problem` positioned at ``path`` in this file."""
        line, column = self.where(path, key=key)
        return Problem(self.path, line, column, message, hint, severity)

    def mapping(self, *path: Any) -> dict[Any, Any]:
        """The mapping at ``path``, or an empty one where the file has something else."""
        value = self.get(*path)
        return value if isinstance(value, dict) else {}

    def sequence(self, *path: Any) -> list[Any]:
        """The list at ``path``, or an empty one where the file has something else."""
        value = self.get(*path)
        return value if isinstance(value, list) else []

    def get(self, *path: Any, default: Any = None) -> Any:
        """Walk ``path`` through the data; ``default`` where any step is missing."""
        value = self.data
        for step in path:
            in_dict = isinstance(value, dict) and step in value
            in_list = isinstance(value, list) and isinstance(step, int) and 0 <= step < len(value)
            if in_dict or in_list:
                value = value[step]
            else:
                return default
        return value


def _position(node: Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _Builder:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.count = 0
        self.active: set[int] = set()
        self.problems: list[Problem] = []  # problems that do not stop the rest of the file

    def build(self, node: Node, path: PathKey) -> Any:
        self.count += 1
        if self.count > _MAX_NODES:
            raise YamlProblem("document is too large (too many values or aliases)", node)
        self.doc.values.setdefault(path, _position(node))
        if id(node) in self.active:
            raise YamlProblem("an alias refers to itself", node)
        self.active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path)
            if isinstance(node, SequenceNode):
                if str(node.tag) != _TAG + "seq":
                    raise YamlProblem(f"unsupported tag {node.tag}", node, _TAG_HINT)
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return _scalar(node)
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: MappingNode, path: PathKey) -> dict[Any, Any]:
        if str(node.tag) != _TAG + "map":
            raise YamlProblem(f"unsupported tag {node.tag}", node, _TAG_HINT)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if str(key_node.tag) == _TAG + "merge":
                raise YamlProblem(
                    "merge keys (<<) are not supported", key_node, "write the keys out in full"
                )
            if not isinstance(key_node, ScalarNode):
                raise YamlProblem("a key must be a plain value", key_node)
            key = _scalar(key_node)
            if isinstance(key, (dt.date, float)) or key is None:
                key = str(key_node.value)
            if key in result:
                first = self.doc.keys[(*path, key)]
                line, column = _position(key_node)
                self.problems.append(
                    Problem(
                        self.doc.path,
                        line,
                        column,
                        f"duplicate key '{key}' (first defined on line {first[0]})",
                        "remove one of the two entries",
                    )
                )
                continue
            self.doc.keys[(*path, key)] = _position(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result


_TAG_HINT = "dpagen files use plain YAML only: remove the '!' tag"


def _scalar(node: Node) -> Any:
    tag, text = str(node.tag), node.value
    if tag == _TAG + "str":
        return text
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return text.lower() == "true"
    if tag == _TAG + "int":
        cleaned = text.replace("_", "")
        for prefix, base in (("0o", 8), ("0x", 16), ("0b", 2)):
            if cleaned.lower().startswith(prefix):
                return int(cleaned[2:], base)
        return int(cleaned)
    if tag == _TAG + "float":
        lowered = text.lower()
        if lowered in (".inf", "+.inf"):
            return float("inf")
        if lowered == "-.inf":
            return float("-inf")
        if lowered == ".nan":
            return float("nan")
        return float(text.replace("_", ""))
    if tag == _TAG + "timestamp":
        try:
            if len(text) == 10:
                return dt.date.fromisoformat(text)
            return dt.datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
        except ValueError:
            raise YamlProblem(
                f"'{text}' is not a valid date", node, "write dates as YYYY-MM-DD, e.g. 2026-12-01"
            ) from None
    raise YamlProblem(f"unsupported tag {node.tag}", node, _TAG_HINT)


def _decode(raw: bytes, path: Path) -> tuple[str | None, Problem | None]:
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Problem(
            path, line, column, "file is not valid UTF-8 text", "save the file with UTF-8 encoding"
        )


def parse_yaml(text: str, path: Path) -> tuple[Document, list[Problem]]:
    """Parse YAML ``text`` (from ``path``) into a :class:`Document`, never raising on bad input."""
    doc = Document(path, None)
    if "\t" in text:
        for number, line_text in enumerate(text.splitlines(), start=1):
            stripped = line_text.lstrip(" ")
            if stripped.startswith("\t"):
                column = len(line_text) - len(stripped) + 1
                return doc, [
                    Problem(
                        path,
                        number,
                        column,
                        "tab character used for indentation",
                        "indent with spaces; YAML does not allow tabs",
                    )
                ]
    try:
        root = YAML(typ="rt", pure=True).compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = (exc.problem or exc.context or "invalid YAML").strip()
        return doc, [
            Problem(
                path,
                line,
                column,
                f"YAML syntax error: {message}",
                "check indentation, colons and quotes around this place",
            )
        ]
    except Exception as exc:  # ruamel raises plain errors for a few malformed inputs
        return doc, [Problem(path, 1, 1, f"YAML syntax error: {exc}")]
    if root is None:
        return doc, []
    builder = _Builder(doc)
    try:
        doc.data = builder.build(root, ())
    except YamlProblem as exc:
        line, column = _position(exc.node) if exc.node is not None else (1, 1)
        return Document(path, None), [Problem(path, line, column, exc.message, exc.hint)]
    except RecursionError:
        return Document(path, None), [Problem(path, 1, 1, "document is nested too deeply")]
    return doc, builder.problems


def load_yaml(path: Path) -> tuple[Document, list[Problem]]:
    """Load the YAML file at ``path``, returning problems (unreadable, syntax, tags, duplicates)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Document(path, None), [Problem(path, 1, 1, f"cannot read file: {exc.strerror}")]
    text, problem = _decode(raw, path)
    if problem is not None or text is None:
        return Document(path, None), [problem] if problem else []
    return parse_yaml(text, path)


def load_package_yaml(name: str) -> Any:
    """A YAML data file shipped inside the dpagen package (schemas, labels, requirements)."""
    from importlib.resources import files

    resource = files("dpagen").joinpath(name)
    doc, problems = parse_yaml(resource.read_text(encoding="utf-8"), Path(name))
    if problems:  # a broken package file is a bug in dpagen, not a user error
        raise RuntimeError(problems[0].format())
    return doc.data
