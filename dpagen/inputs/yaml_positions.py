"""Safe YAML loading that remembers where every key and value stands.

ruamel.yaml parses (YAML 1.2, so ``NO`` stays a country code and ``yes`` a string); this module
builds plain dicts, lists and scalars from the node tree itself, so no tag can construct a Python
object, duplicate keys and unknown tags are positioned problems, and every path into the document
maps to a line and column for error messages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from dpagen.errors import Problem
from dpagen.workspace import outside_problem

PathKey = tuple[Any, ...]
Position = tuple[int, int]

_MAX_NODES = 200_000  # bounds alias expansion ("billion laughs")
# The pure-Python parser reads about 0.25 MB of YAML a second; 5 MB keeps the worst case near
# 20 seconds and holds far more than a real file (an annex with 5,000 rows is about 1 MB).
MAX_BYTES = 5_000_000
# characters XML 1.0 (and so a DOCX) cannot hold; only escapes such as "\x07" can make them
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAG = "tag:yaml.org,2002:"


class YamlProblem(Exception):
    """Raised inside the builder; converted into a :class:`Problem` by :func:`load_yaml`."""

    def __init__(self, message: str, node: Node | None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.hint = hint


@dataclass
class YamlFile:
    """A loaded YAML file: plain data plus the positions of its values and keys."""

    path: Path
    data: Any
    values: dict[PathKey, Position] = field(default_factory=dict)
    keys: dict[PathKey, Position] = field(default_factory=dict)
    indents: dict[PathKey, int] = field(default_factory=dict)  # of block scalars' lines (|, >)

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
    def __init__(self, doc: YamlFile, lines: list[str]) -> None:
        self.doc = doc
        self.lines = lines
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
            if isinstance(node, ScalarNode) and node.style in ("|", ">"):
                self.doc.indents[path] = self._indent(node)
            return _scalar(node)
        finally:
            self.active.discard(id(node))

    def _indent(self, node: Node) -> int:
        """The indentation of a block scalar's text: that of its first line that is not empty."""
        for text in self.lines[node.start_mark.line + 1 : node.end_mark.line + 1]:
            if text.strip():
                return len(text) - len(text.lstrip(" "))
        return 0

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
            if str(value_node.tag) == _TAG + "null" and value_node.value == "":
                # "key:" with nothing after it: the parser places the value on the next line
                end = key_node.end_mark
                self.doc.values[(*path, key)] = (end.line + 1, end.column + 2)
            result[key] = self.build(value_node, (*path, key))
        return result


_TAG_HINT = "dpagen files use plain YAML only: remove the '!' tag"


def _scalar(node: Node) -> Any:
    tag, text = str(node.tag), node.value
    if tag == _TAG + "str":
        found = UNPRINTABLE.search(text)
        if found:
            raise YamlProblem(
                f"the value contains the control character U+{ord(found.group()):04X}",
                node,
                "remove the escape sequence; texts may hold printable characters, tabs and "
                "line breaks only",
            )
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


def decode_utf8(raw: bytes, path: Path) -> tuple[str | None, Problem | None]:
    """The text of a file's bytes (a UTF-8 BOM is dropped), or the problem where it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, Problem(
            path, line, column, "file is not valid UTF-8 text", "save the file with UTF-8 encoding"
        )


# Parsed files by content, so that loading the same text again (every validation of a workspace,
# every check the web front end runs) skips the pure-Python parser. Entries are pickled, so each
# caller gets its own copy to change; large texts are not kept.
_PARSED: dict[str, bytes] = {}
_PARSED_ENTRIES = 1024
_PARSED_TEXT = 200_000  # characters
_ANYWHERE = Path("<text>")


def parse_yaml(text: str, path: Path) -> tuple[YamlFile, list[Problem]]:
    """Parse YAML ``text`` (from ``path``) into a :class:`YamlFile`, never raising on bad input."""
    cached = _PARSED.get(text)
    if cached is None:
        doc, problems = _parse(text, _ANYWHERE)
        cached = pickle.dumps((doc, problems), protocol=pickle.HIGHEST_PROTOCOL)
        if len(text) <= _PARSED_TEXT:
            if len(_PARSED) >= _PARSED_ENTRIES:
                del _PARSED[next(iter(_PARSED))]  # the oldest
            _PARSED[text] = cached
    doc, problems = pickle.loads(cached)
    doc.path = path
    return doc, [dataclasses.replace(problem, path=path) for problem in problems]


def _parse(text: str, path: Path) -> tuple[YamlFile, list[Problem]]:
    doc = YamlFile(path, None)
    version = _version_problem(text, path) if "%YAML" in text else None
    if version is not None:
        return doc, [version]
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
    except ReaderError as exc:
        before = text[: exc.position]
        return doc, [
            Problem(
                path,
                before.count("\n") + 1,
                exc.position - (before.rfind("\n") + 1) + 1,
                f"YAML syntax error: the character U+{exc.character:04X} is not allowed",
                "remove it; YAML files hold printable characters, tabs and line breaks only",
            )
        ]
    except RecursionError:
        return doc, [_too_deep(path)]
    except MarkedYAMLError as exc:
        return doc, [_syntax_problem(exc, path)]
    except Exception as exc:  # ruamel raises plain errors for a few malformed inputs
        return doc, [Problem(path, 1, 1, f"YAML syntax error: {exc}")]
    if root is None:
        return doc, []
    builder = _Builder(doc, text.splitlines())
    try:
        doc.data = builder.build(root, ())
    except YamlProblem as exc:
        line, column = _position(exc.node) if exc.node is not None else (1, 1)
        return YamlFile(path, None), [Problem(path, line, column, exc.message, exc.hint)]
    except RecursionError:
        return YamlFile(path, None), [_too_deep(path)]
    return doc, builder.problems


_UNCLOSED = {
    "while parsing a flow sequence": ("[", "expected ',' or"),
    "while parsing a flow mapping": ("{", "expected ',' or"),
    "while scanning a quoted scalar": ("quote", "found unexpected end of stream"),
}


def _syntax_problem(exc: MarkedYAMLError, path: Path) -> Problem:
    """The problem for a parser error; it names the line of a bracket or quote never closed."""
    mark = exc.problem_mark or exc.context_mark
    message = (exc.problem or exc.context or "invalid YAML").strip()
    context = (exc.context or "").strip()
    opened, symptom = _UNCLOSED.get(context, ("", "\0"))
    start = exc.context_mark
    elsewhere = start is not None and mark is not None and start.line != mark.line
    if elsewhere and start is not None and message.startswith(symptom):
        message = f"{message}; the {opened} on line {start.line + 1} is never closed"
    if context and message.startswith("but "):
        message = f"{context}, {message}"  # expected a single document, but found another
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(
        path,
        line,
        column,
        f"YAML syntax error: {message}",
        "check indentation, colons and quotes around this place",
    )


def _too_deep(path: Path) -> Problem:
    return Problem(
        path, 1, 1, "document is nested too deeply", "write the lists and mappings out flatter"
    )


def _version_problem(text: str, path: Path) -> Problem | None:
    """A ``%YAML`` directive for another version than 1.2 (1.1 reads ``NO`` as false)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("---"):
            return None
        if line.startswith("%YAML") and line.split()[1:2] != ["1.2"]:
            return Problem(
                path,
                number,
                1,
                f"unsupported directive '{line.strip()}': dpagen reads YAML 1.2",
                "remove the line",
            )
    return None


def size_problem(path: Path) -> Problem | None:
    """The problem to report when the file at ``path`` is larger than ``MAX_BYTES``, else None.

    Raises:
        OSError: the file cannot be examined.
    """
    size = path.stat().st_size
    if size <= MAX_BYTES:
        return None
    return Problem(
        path,
        1,
        1,
        f"file is too large ({size / 1e6:.1f} MB; at most {MAX_BYTES / 1e6:.0f} MB)",
        "split it, or remove what does not belong in it",
    )


def load_yaml(path: Path, within: Path | None = None) -> tuple[YamlFile, list[Problem]]:
    """Load the YAML file at ``path``, returning problems (unreadable, syntax, tags, duplicates).

    With ``within`` (the workspace), a file that is a link to a place outside it is not read.
    """
    refused = outside_problem(path, within) if within is not None else None
    if refused is not None:
        return YamlFile(path, None), [refused]
    try:
        too_large = size_problem(path)
        if too_large is not None:
            return YamlFile(path, None), [too_large]
        raw = path.read_bytes()
    except OSError as exc:
        return YamlFile(path, None), [Problem(path, 1, 1, f"cannot read file: {exc.strerror}")]
    text, problem = decode_utf8(raw, path)
    if problem is not None or text is None:
        return YamlFile(path, None), [problem] if problem else []
    return parse_yaml(text, path)


def load_package_yaml(name: str) -> Any:
    """A YAML data file shipped inside the dpagen package (schemas, labels, requirements)."""
    from importlib.resources import files

    resource = files("dpagen").joinpath(name)
    doc, problems = parse_yaml(resource.read_text(encoding="utf-8"), Path(name))
    if problems:  # a broken package file is a bug in dpagen, not a user error
        raise RuntimeError(problems[0].format())
    return doc.data
