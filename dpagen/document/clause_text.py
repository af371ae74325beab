"""Clause texts: Markdown with Jinja placeholders, run in a sandbox and parsed into sub-clauses.

A clause file starts with ``# Title``; each following paragraph becomes a numbered sub-clause and
a bulleted list after a paragraph becomes its ``(a)``, ``(b)`` items. Placeholders run in an
immutable Jinja sandbox where an undefined value is an error, and every substituted value is
Markdown-escaped, so a client's data always renders literally. The sandbox is narrowed to what
contract wording needs: ``{{ }}`` placeholders and ``{% if %}``, no Jinja globals, only filters
that cannot blow up a text, and bounded ``*``, ``**`` and ``%``, so no clause text or deviation
can loop, read a file or exhaust memory.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markdown_it import MarkdownIt
from markdown_it.token import Token

from dpagen.document.model import Run, Runs
from dpagen.errors import Problem
from dpagen.inputs.yaml_positions import UNPRINTABLE

CONTEXT_NAMES = frozenset({"processor", "controller", "agreement", "terms", "ref", "annex", "lang"})
# name: as the agreement names the party ("Ljungsjö kommun, genom kommunstyrelsen"); legal_name:
# the legal person alone; body: the authority that is controller ("kommunstyrelsen") or empty
PARTY_ATTRIBUTES = ("name", "legal_name", "body", "sector", "org_no", "address", "signatory")
CONTEXT_ATTRIBUTES = {
    "processor": PARTY_ATTRIBUTES,
    "controller": PARTY_ATTRIBUTES,
    "agreement": (
        "id",
        "version",
        "date",
        "main_agreement",
        "main_agreement_date",
        "main_agreement_reference",
    ),
}
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_WHITESPACE = re.compile(r"\s+")
_FILTERS = ("abs", "capitalize", "d", "default", "int", "lower", "round", "title", "trim", "upper")
_STATEMENTS = {nodes.Output, nodes.If}
_KEYWORDS = {"FromImport": "from", "Assign": "set", "AssignBlock": "set", "CallBlock": "call"}
_KEYWORDS.update(FilterBlock="filter", ExprStmt="do", EvalContextModifier="autoescape")
_MAX_SIZE = 100_000  # longest text or list a placeholder may compute, as jinja's range limit


class NotAValue(Exception):
    """A placeholder gave something other than a text or a number (a mapping, a function)."""


class Values:
    """Named values for a clause text: ``processor.name`` works, dict methods do not."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> Any:
        return self._values[name]


def escape_markdown(value: Any) -> str:
    """Render ``value`` so that Markdown shows it literally, on one line."""
    if isinstance(value, jinja2.Undefined):
        str(value)  # raises the undefined error with its name
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise NotAValue(_kind(value))
    text = _WHITESPACE.sub(" ", str(value)).strip()
    return _PUNCTUATION.sub(r"\\\1", text)


def _kind(value: Any) -> str:
    if isinstance(value, Values):
        return "a group of values"
    if callable(value):
        return "a function"
    if isinstance(value, bool):
        return "true or false"
    return f"a {type(value).__name__}"


class _ClauseEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise SecurityError("formatting with % is not allowed")
        if operator == "*" and isinstance(left, int) != isinstance(right, int):
            sized, times = (left, right) if isinstance(right, int) else (right, left)
            if hasattr(sized, "__len__") and len(sized) * times > _MAX_SIZE:
                raise SecurityError(f"the result would be longer than {_MAX_SIZE}")
        numbers = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and numbers and abs(left).bit_length() * right > 8 * _MAX_SIZE:
            raise SecurityError("the number would be too large")
        return super().call_binop(context, operator, left, right)


def make_environment() -> ImmutableSandboxedEnvironment:
    """The sandboxed, strict Jinja environment every clause text runs in."""
    environment = _ClauseEnvironment(
        undefined=jinja2.StrictUndefined,
        finalize=escape_markdown,
        autoescape=False,
        keep_trailing_newline=True,
    )
    environment.globals.clear()  # range, lipsum, cycler, joiner, namespace, dict
    environment.filters = {name: environment.filters[name] for name in _FILTERS}
    return environment


_ENV = make_environment()
_MARKDOWN = MarkdownIt("commonmark", {"html": False})


@dataclass(frozen=True)
class Paragraph:
    """A parsed paragraph with the list items that follow it."""

    runs: Runs
    items: tuple[Runs, ...]


@dataclass(frozen=True)
class ParsedClause:
    """A clause text after Jinja and Markdown: its title and paragraphs."""

    title: str
    paragraphs: tuple[Paragraph, ...]


class ClauseTextError(Exception):
    """A clause text failed; carries the positioned problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _column(source: str, line: int, needle: str | None) -> int:
    lines = source.splitlines()
    if not 1 <= line <= len(lines):
        return 1
    text = lines[line - 1]
    for probe in (needle, "{{", "{%"):
        if probe and probe in text:
            return text.index(probe) + 1
    return 1


def _unprintable_problem(path: Path, text: str) -> Problem | None:
    """The first character of ``text`` a document cannot hold, as a problem."""
    found = UNPRINTABLE.search(text)
    if found is None:
        return None
    before = text[: found.start()]
    return Problem(
        path,
        before.count("\n") + 1,
        found.start() - (before.rfind("\n") + 1) + 1,
        f"the text contains the control character U+{ord(found.group()):04X}",
        "remove it; texts may hold printable characters, tabs and line breaks only",
    )


_COMPILED: dict[str, jinja2.Template] = {}  # accepted texts by source: templates are immutable
_COMPILED_ENTRIES = 1024


def compile_text(source: str, path: Path) -> jinja2.Template:
    """Compile a clause text, raising :class:`ClauseTextError` on a syntax error."""
    compiled = _COMPILED.get(source)
    if compiled is None:
        compiled = _compile(source, path)
        if len(_COMPILED) >= _COMPILED_ENTRIES:
            del _COMPILED[next(iter(_COMPILED))]  # the oldest
        _COMPILED[source] = compiled
    return compiled


def _compile(source: str, path: Path) -> jinja2.Template:
    refused = _unprintable_problem(path, source)
    try:
        tree = _ENV.parse(source)
        refused = refused or _refused_syntax(tree, source, path)
        template = _ENV.from_string(tree)
    except jinja2.TemplateSyntaxError as exc:
        line = exc.lineno or 1
        refused = refused or Problem(
            path,
            line,
            _column(source, line, None),
            f"template syntax error: {exc.message}",
            "check the {{ }} and {% %} placeholders on this line",
        )
    except Exception as exc:  # jinja raises a few plain errors for odd input
        refused = refused or Problem(path, 1, 1, f"template error: {exc}")
    if refused is not None:
        raise ClauseTextError(refused)
    return template


def _refused_syntax(tree: nodes.Template, source: str, path: Path) -> Problem | None:
    """The first statement other than ``{% if %}``, or use of ``self``, in a parsed text."""
    for node in tree.find_all((nodes.Stmt, nodes.Name)):
        if isinstance(node, nodes.Name) and node.name == "self":
            return Problem(
                path,
                node.lineno,
                _column(source, node.lineno, "self"),
                "unknown placeholder 'self'",
                "use processor, controller, agreement, terms, ref() or annex()",
            )
        if isinstance(node, nodes.Stmt) and type(node) not in _STATEMENTS:
            name = type(node).__name__
            keyword = _KEYWORDS.get(name, name.lower())
            return Problem(
                path,
                node.lineno,
                _column(source, node.lineno, keyword),
                f"'{{% {keyword} %}}' is not allowed in a clause text",
                "clause texts use {{ }} placeholders and {% if %} only",
            )
    return None


def render_text(template: jinja2.Template, source: str, path: Path, context: dict[str, Any]) -> str:
    """Run ``template`` with ``context``; errors name the clause file, line and column."""
    try:
        text = template.render(context)
    except Exception as exc:
        line = _template_line(exc)
        message, needle, hint = _explain(exc)
        problem = Problem(path, line, _column(source, line, needle), message, hint)
        raise ClauseTextError(problem) from None
    made = _unprintable_problem(path, text)
    if made is not None:  # a placeholder made it, e.g. "\x07"; its line is close enough
        raise ClauseTextError(made)
    return text


def _template_line(exc: BaseException) -> int:
    line = 1
    trace = exc.__traceback__ if exc.__traceback__ else sys.exc_info()[2]
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _explain(exc: Exception) -> tuple[str, str | None, str]:
    text = str(exc)
    if isinstance(exc, NotAValue):
        return (
            f"a placeholder gives {text}, not a text or a number",
            None,
            'use a single value such as processor.name, terms.NAME or ref("id")',
        )
    if isinstance(exc, SecurityError):
        attribute = re.search(r"attribute '([^']+)'", text)
        return (
            f"refused by the sandbox: {text}",
            attribute.group(1) if attribute else None,
            "clause texts may only use the documented placeholders",
        )
    if isinstance(exc, jinja2.UndefinedError):
        name = re.search(r"'([^']+)' is undefined|has no attribute '([^']+)'", text)
        needle = next((group for group in name.groups() if group), None) if name else None
        if name and name.group(2):
            text = f"no value named '{name.group(2)}'"
        return (
            f"undefined placeholder: {text}",
            needle,
            "use only processor, controller, agreement, terms, ref() and annex(); "
            "declare terms in clause.yaml",
        )
    return f"placeholder failed: {text}", None, ""


def parse_markdown(
    text: str, path: Path, *, line_offset: int = 0
) -> tuple[ParsedClause, list[Problem]]:
    """Parse rendered clause Markdown into a title and paragraphs, reporting unsupported markup."""
    tokens = _MARKDOWN.parse(text)
    problems: list[Problem] = []
    title = ""
    paragraphs: list[Paragraph] = []
    index = 0

    def problem(token: Token, message: str, hint: str = "") -> None:
        line = (token.map[0] + 1 if token.map else 1) + line_offset
        problems.append(Problem(path, line, 1, message, hint))

    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open":
            inline = tokens[index + 1]
            if token.tag != "h1" or title or paragraphs:
                problem(
                    token,
                    "only the first line may be a heading (# Title)",
                    "write sub-clauses as plain paragraphs; dpagen numbers them",
                )
            else:
                title = "".join(run.text for run in _runs(inline.children or []))
            index += 3
        elif token.type == "paragraph_open":
            if not title:
                problem(token, "a clause text must start with its title as '# Title'")
                title = "?"
            paragraphs.append(Paragraph(_runs(tokens[index + 1].children or []), ()))
            index += 3
        elif token.type == "bullet_list_open":
            end = _closing(tokens, index)
            items, nested = _items(tokens[index + 1 : end])
            if nested:
                problem(token, "lists cannot be nested in a clause text")
            if not paragraphs:
                problem(token, "a list must follow a paragraph that introduces it")
            else:
                last = paragraphs[-1]
                paragraphs[-1] = Paragraph(last.runs, last.items + tuple(items))
            index = end + 1
        else:
            problem(
                token,
                f"unsupported Markdown ({token.type.replace('_open', '')})",
                "use paragraphs, '- ' lists, **bold** and *italic* only",
            )
            index = _closing(tokens, index) + 1 if token.nesting == 1 else index + 1
    if not title and not problems:
        problems.append(
            Problem(
                path, 1 + line_offset, 1, "a clause text must start with its title as '# Title'"
            )
        )
    return ParsedClause(title, tuple(paragraphs)), problems


def _closing(tokens: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        depth += tokens[index].nesting
        if depth == 0:
            return index
    return len(tokens) - 1


def _items(tokens: list[Token]) -> tuple[list[Runs], bool]:
    items: list[Runs] = []
    nested = False
    depth = 0
    for token in tokens:
        if token.type == "bullet_list_open" or token.type == "ordered_list_open":
            nested = True
        if token.type == "list_item_open":
            depth += 1
            items.append(())
        elif token.type == "list_item_close":
            depth -= 1
        elif token.type == "inline" and items:
            joined = items[-1] + ((Run(" "),) if items[-1] else ()) + _runs(token.children or [])
            items[-1] = _merge(joined)
    return items, nested


def _runs(children: Iterable[Token]) -> Runs:
    runs: list[Run] = []
    bold = italic = False
    for child in children:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bold, italic))
        elif child.type in ("text", "code_inline", "html_inline") or child.type == "image":
            runs.append(Run(child.content, bold, italic))
    return _merge(tuple(runs))


def _merge(runs: Runs) -> Runs:
    merged: list[Run] = []
    for run in runs:
        if merged and (merged[-1].bold, merged[-1].italic) == (run.bold, run.italic):
            merged[-1] = Run(merged[-1].text + run.text, run.bold, run.italic)
        elif run.text:
            merged.append(run)
    return tuple(merged)


@dataclass(frozen=True)
class Usage:
    """What a clause text refers to: names, terms, clause references and annexes, with lines."""

    names: dict[str, int]
    attributes: dict[tuple[str, str], int]  # ("processor", "name") → line
    terms: dict[str, int]
    refs: dict[str, int]
    annexes: dict[str, int]


def usage(template_source: str) -> Usage:
    """Statically collect what ``template_source`` uses (it must compile)."""
    tree = _ENV.parse(template_source)
    names: dict[str, int] = {}
    terms: dict[str, int] = {}
    refs: dict[str, int] = {}
    annexes: dict[str, int] = {}
    assigned = {node.name for node in tree.find_all(nodes.Name) if node.ctx in ("store", "param")}
    for node in tree.find_all(nodes.Name):
        if node.ctx == "load" and node.name not in assigned:
            names.setdefault(node.name, node.lineno)
    attributes: dict[tuple[str, str], int] = {}
    for attribute in tree.find_all(nodes.Getattr):
        if isinstance(attribute.node, nodes.Name) and attribute.node.name == "terms":
            terms.setdefault(attribute.attr, attribute.lineno)
        elif isinstance(attribute.node, nodes.Name) and attribute.node.name in CONTEXT_ATTRIBUTES:
            attributes.setdefault((attribute.node.name, attribute.attr), attribute.lineno)
    for item in tree.find_all(nodes.Getitem):
        if (
            isinstance(item.node, nodes.Name)
            and item.node.name == "terms"
            and isinstance(item.arg, nodes.Const)
        ):
            terms.setdefault(str(item.arg.value), item.lineno)
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in ("ref", "annex") and call.args:
            first = call.args[0]
            if isinstance(first, nodes.Const) and isinstance(first.value, str):
                target = refs if call.node.name == "ref" else annexes
                target.setdefault(first.value, call.lineno)
    return Usage(names, attributes, terms, refs, annexes)


def line_of(source: str, line: int, needle: str) -> int:
    """Column of ``needle`` on ``line`` of ``source`` (1 when not found)."""
    return _column(source, line, needle)
