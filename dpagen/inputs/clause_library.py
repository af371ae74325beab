"""The clause library: clauses with immutable numbered versions, variants, terms and editions.

``clauses/library.yaml`` lists the editions; each ``clauses/<id>/`` holds ``clause.yaml`` and one
Markdown text per version, variant and language (``2.sv.md``, ``1.general.en.md``).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpagen.document import clause_text
from dpagen.errors import DpagenError, Problem
from dpagen.inputs.schema import LANGUAGES, validate_loaded
from dpagen.inputs.yaml_positions import YamlFile, decode_utf8, load_yaml, size_problem
from dpagen.workspace import Workspace, outside_problem

ANNEX_KINDS = ("instructions", "security", "subprocessors")
_TEXT_FILE = re.compile(
    r"(?P<version>[1-9][0-9]*)(?:\.(?P<variant>[a-z][a-z0-9-]*))?\.(?P<lang>[a-z]{2})\.md"
)


class RefusedFile(DpagenError):
    """A clause text dpagen will not read: a link out of the workspace, or too large."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message, problem.hint)
        self.problem = problem


@dataclass(frozen=True)
class TermSpec:
    """A parameter a clause text uses as ``{{ terms.NAME }}``."""

    name: str
    clause: str
    type: str
    description: str
    default: Any = None
    has_default: bool = False
    min: int | None = None
    max: int | None = None
    variants: tuple[str, ...] = ()


@dataclass
class ClauseDef:
    """One clause of the library, with its versions and the texts of each."""

    id: str
    folder: Path
    doc: YamlFile
    covers: tuple[str, ...] = ()
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)
    terms: dict[str, TermSpec] = field(default_factory=dict)
    versions: dict[int, dt.date] = field(default_factory=dict)
    # the client sectors whose agreements include the clause (a sector module); empty: all
    sectors: tuple[str, ...] = ()

    def applies_to(self, sector: str) -> bool:
        """Whether an agreement with a client of ``sector`` includes this clause."""
        return not self.sectors or sector in self.sectors

    def text_path(self, version: int, variant: str | None, lang: str) -> Path:
        """The file holding one version's text in one language (and variant)."""
        middle = f".{variant}" if variant else ""
        return self.folder / f"{version}{middle}.{lang}.md"

    def default_variant(self) -> str | None:
        """The first listed variant, or ``None`` for a clause without variants."""
        return next(iter(self.variants), None)


@dataclass(frozen=True)
class Edition:
    """A dated, ordered set of clause versions plus the annexes the agreement includes."""

    id: str
    date: dt.date
    clauses: tuple[tuple[str, int], ...]
    annexes: tuple[str, ...]
    index: int  # position in library.yaml, for error messages


@dataclass
class Library:
    """The loaded clause library."""

    doc: YamlFile
    clauses: dict[str, ClauseDef] = field(default_factory=dict)
    editions: dict[str, Edition] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)  # clause folders whose clause.yaml is invalid
    root: Path | None = None  # the workspace: clause texts are read only from inside it
    valid: bool = True  # library.yaml itself has no errors, so an edition it lacks is unknown
    unread: bool = False  # clauses/ was not read (it leads outside the workspace)
    _sources: dict[Path, str] = field(default_factory=dict)

    def preload(self, path: Path, text: str) -> None:
        """Use ``text`` as the content of ``path`` (a release's record, not today's file)."""
        self._sources[path] = text

    def source(self, path: Path) -> str:
        """The text of a clause file (read once).

        Raises:
            RefusedFile: the file is a link to a file outside the workspace, or too large.
            OSError, UnicodeDecodeError: it cannot be read as UTF-8 text.
        """
        if path not in self._sources:
            refused = outside_problem(path, self.root) if self.root is not None else None
            refused = refused or size_problem(path)
            if refused is not None:
                raise RefusedFile(refused)
            self._sources[path] = path.read_bytes().decode("utf-8-sig")
        return self._sources[path]

    @property
    def complete(self) -> bool:
        """Every clause loaded, so a term none of them declares is unknown."""
        return not self.broken and not self.unread

    def edition_terms(self, edition: Edition) -> dict[str, TermSpec]:
        """Every term declared by the clauses of ``edition``."""
        result: dict[str, TermSpec] = {}
        for clause_id, _ in edition.clauses:
            clause = self.clauses.get(clause_id)
            if clause:
                result.update(clause.terms)
        return result

    def agreement_clauses(self, edition: Edition, sector: str) -> tuple[tuple[str, int], ...]:
        """The clauses of ``edition`` an agreement with a client of ``sector`` includes."""
        return tuple(
            (clause_id, version)
            for clause_id, version in edition.clauses
            if clause_id not in self.clauses or self.clauses[clause_id].applies_to(sector)
        )

    def all_terms(self) -> dict[str, TermSpec]:
        """Every term declared by any clause."""
        result: dict[str, TermSpec] = {}
        for clause in self.clauses.values():
            result.update(clause.terms)
        return result

    def edition_problem(self, name: str, doc: YamlFile, path: tuple[Any, ...]) -> Problem:
        """The problem for an unknown edition ``name`` referenced at ``path`` in ``doc``."""
        known = list(self.editions)
        close = difflib.get_close_matches(name, known, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known editions: {', '.join(known)}"
        return doc.problem(path, f"unknown edition '{name}'", hint)


def load_library(ws: Workspace) -> tuple[Library, list[Problem]]:
    """Load and check the whole clause library; all problems are returned."""
    doc, problems = load_yaml(ws.library_file, ws.root)
    library = Library(doc, root=ws.root)
    problems = validate_loaded(doc, problems, "library")
    library.valid = not any(problem.severity == "error" for problem in problems)
    refused = ws.outside(ws.clauses)
    if refused is not None:
        problems.append(refused)
        library.unread = True
    elif ws.clauses.is_dir():
        for folder in sorted(p for p in ws.clauses.iterdir() if p.is_dir()):
            clause, clause_problems = _load_clause(folder, ws.root)
            problems += clause_problems
            if clause is not None:
                library.clauses[clause.id] = clause
            else:  # reported once; references to it are not reported again
                library.broken.add(folder.name)
    problems += _load_editions(library)
    for clause in library.clauses.values():
        problems += _check_texts(library, clause)
    return library, problems


def _load_clause(folder: Path, root: Path) -> tuple[ClauseDef | None, list[Problem]]:
    path = folder / "clause.yaml"
    if not path.is_file():
        return None, [
            Problem(
                folder,
                1,
                1,
                f"clause folder '{folder.name}' has no clause.yaml",
                "add clause.yaml or remove the folder",
            )
        ]
    doc, loaded = load_yaml(path, root)
    problems = validate_loaded(doc, loaded, "clause")
    if doc.data is None or len(problems) > len(loaded):
        return None, problems
    data = doc.data
    clause = ClauseDef(
        id=folder.name,  # what the edition and texts refer to, even when the id below differs
        folder=folder,
        doc=doc,
        covers=tuple(data.get("covers", ())),
        variants=dict(data.get("variants") or {}),
        sectors=tuple(data.get("sectors") or ()),
    )
    if data["id"] != folder.name:
        problems.append(
            doc.problem(
                ("id",),
                f"clause id '{data['id']}' differs from its folder name '{folder.name}'",
                "make them the same",
            )
        )
    for version, info in (data.get("versions") or {}).items():
        clause.versions[version] = info["date"]
    for name, spec in (data.get("terms") or {}).items():
        variants = tuple(spec.get("variants") or ())
        for variant in variants:
            if variant not in clause.variants:
                problems.append(
                    doc.problem(
                        ("terms", name, "variants"),
                        f"term '{name}' names unknown variant '{variant}'",
                    )
                )
        clause.terms[name] = TermSpec(
            name=name,
            clause=clause.id,
            type=spec["type"],
            description=spec["description"],
            default=spec.get("default"),
            has_default="default" in spec,
            min=spec.get("min"),
            max=spec.get("max"),
            variants=variants,
        )
        if "default" in spec:
            problems += check_term_value(
                clause.terms[name], spec["default"], doc, ("terms", name, "default")
            )
    for version in clause.versions:
        for variant in clause.variants or [None]:
            for lang in LANGUAGES:
                text = clause.text_path(version, variant, lang)
                if not text.is_file():
                    problems.append(
                        doc.problem(
                            ("versions", version),
                            f"missing text file {text.name} for version {version}",
                            f"create {text.relative_to(folder.parent.parent)}",
                            key=True,
                        )
                    )
    for file in sorted(folder.glob("*.md")):
        match = _TEXT_FILE.fullmatch(file.name)
        if (
            not match
            or int(match["version"]) not in clause.versions
            or match["lang"] not in LANGUAGES
            or match["variant"] not in ([*clause.variants] if clause.variants else [None])
        ):
            problems.append(
                Problem(
                    file,
                    1,
                    1,
                    f"text file {file.name} belongs to no declared version, variant and language",
                    "declare the version in clause.yaml or remove the file",
                    "warning",
                )
            )
    return clause, problems


def check_term_value(
    spec: TermSpec, value: Any, doc: YamlFile, path: tuple[Any, ...]
) -> list[Problem]:
    """Problems with ``value`` as the value of term ``spec`` at ``path`` in ``doc``."""
    name = spec.name
    if spec.type == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return [doc.problem(path, f"term '{name}' must be a whole number", spec.description)]
        if spec.min is not None and value < spec.min:
            return [doc.problem(path, f"term '{name}' must be at least {spec.min}")]
        if spec.max is not None and value > spec.max:
            return [doc.problem(path, f"term '{name}' must be at most {spec.max}")]
    elif spec.type == "string":
        if not isinstance(value, str) or not value.strip():
            return [doc.problem(path, f"term '{name}' must be a non-empty text", spec.description)]
    elif spec.type == "text":
        ok = (
            isinstance(value, str)
            and value.strip()
            or (
                isinstance(value, dict)
                and value
                and all(
                    k in LANGUAGES and isinstance(v, str) and v.strip() for k, v in value.items()
                )
            )
        )
        if not ok:
            return [
                doc.problem(
                    path,
                    f"term '{name}' must be a text or a mapping with 'sv' and 'en' texts",
                    spec.description,
                )
            ]
    return []


def _load_editions(library: Library) -> list[Problem]:
    problems: list[Problem] = []
    doc = library.doc
    for index, data in enumerate(doc.sequence("editions")):
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            continue
        refs: list[tuple[str, int]] = []
        for position, ref in enumerate(doc.sequence("editions", index, "clauses")):
            if not isinstance(ref, str) or "@" not in ref:
                continue
            clause_id, _, version_text = ref.partition("@")
            path = ("editions", index, "clauses", position)
            clause = library.clauses.get(clause_id)
            if not version_text.isdigit():
                continue
            version = int(version_text)
            if clause is None and clause_id in library.broken:
                pass
            elif clause is None:
                close = difflib.get_close_matches(clause_id, list(library.clauses), n=1)
                problems.append(
                    doc.problem(
                        path,
                        f"unknown clause '{clause_id}'",
                        f"did you mean '{close[0]}'?"
                        if close
                        else "create clauses/<id>/clause.yaml first",
                    )
                )
            elif version not in clause.versions:
                known = ", ".join(str(v) for v in sorted(clause.versions))
                problems.append(
                    doc.problem(
                        path, f"clause '{clause_id}' has no version {version}", f"versions: {known}"
                    )
                )
            if any(existing == clause_id for existing, _ in refs):
                problems.append(doc.problem(path, f"clause '{clause_id}' is listed twice"))
            refs.append((clause_id, version))
        if data["id"] in library.editions:  # the first stays, so its agreements still resolve
            problems.append(
                doc.problem(("editions", index, "id"), f"edition '{data['id']}' is defined twice")
            )
            continue
        date = data.get("date")
        library.editions[data["id"]] = Edition(
            id=data["id"],
            date=date if isinstance(date, dt.date) else dt.date.min,
            clauses=tuple(refs),
            annexes=tuple(
                kind for kind in doc.sequence("editions", index, "annexes") if kind in ANNEX_KINDS
            ),
            index=index,
        )
    return problems


def _check_texts(library: Library, clause: ClauseDef) -> list[Problem]:
    problems: list[Problem] = []
    for version in clause.versions:
        for variant in clause.variants or [None]:
            shapes = []
            for lang in LANGUAGES:
                path = clause.text_path(version, variant, lang)
                if path.is_file():
                    found, shape = _check_text(library, clause, path)
                    problems += found
                    if shape is not None:
                        shapes.append((lang, shape))
            if len(shapes) == 2 and shapes[0][1] != shapes[1][1]:
                problems.append(
                    Problem(
                        clause.text_path(version, variant, "en"),
                        1,
                        1,
                        "the English text has a different number of paragraphs "
                        "or list items than the Swedish text",
                        f"Swedish: {_shape(shapes[0][1])}; English: {_shape(shapes[1][1])}",
                        "warning",
                    )
                )
    return problems


def _shape(shape: tuple[int, ...]) -> str:
    if len(shape) > 12:  # a long text: the counts say enough
        items = sum(shape)
        return f"{len(shape)} paragraphs with {items} list item{'s' if items != 1 else ''}"
    return ", ".join(
        f"paragraph with {n} item{'s' if n != 1 else ''}" if n else "paragraph" for n in shape
    )


def _check_text(
    library: Library, clause: ClauseDef, path: Path
) -> tuple[list[Problem], tuple[int, ...] | None]:
    try:
        source = library.source(path)
    except RefusedFile as exc:
        return [exc.problem], None
    except UnicodeDecodeError as exc:
        _, problem = decode_utf8(exc.object, path)
        return [problem or Problem(path, 1, 1, "file is not valid UTF-8 text")], None
    try:
        clause_text.compile_text(source, path)
    except clause_text.ClauseTextError as exc:
        return [exc.problem], None
    problems: list[Problem] = []
    used = clause_text.usage(source)
    for name, line in used.names.items():
        if name not in clause_text.CONTEXT_NAMES:
            problems.append(
                Problem(
                    path,
                    line,
                    clause_text.line_of(source, line, name),
                    f"unknown placeholder '{name}'",
                    "use processor, controller, agreement, terms, ref() or annex()",
                )
            )
    for (name, attribute), line in used.attributes.items():
        known = clause_text.CONTEXT_ATTRIBUTES[name]
        if attribute not in known:
            close = difflib.get_close_matches(attribute, known, n=1)
            problems.append(
                Problem(
                    path,
                    line,
                    clause_text.line_of(source, line, attribute),
                    f"unknown placeholder '{name}.{attribute}'",
                    f"did you mean '{name}.{close[0]}'?"
                    if close
                    else f"{name} has: {', '.join(known)}",
                )
            )
    for name, line in used.terms.items():
        if name not in clause.terms:
            problems.append(
                Problem(
                    path,
                    line,
                    clause_text.line_of(source, line, name),
                    f"term '{name}' is not declared in {clause.id}/clause.yaml",
                    "add it under 'terms:' with a type and description",
                )
            )
    for target, line in used.refs.items():
        if target not in library.clauses and target not in library.broken:
            close = difflib.get_close_matches(target, list(library.clauses), n=1)
            problems.append(
                Problem(
                    path,
                    line,
                    clause_text.line_of(source, line, target),
                    f"reference to unknown clause '{target}'",
                    f"did you mean '{close[0]}'?" if close else "",
                )
            )
    for target, line in used.annexes.items():
        if target not in ANNEX_KINDS:
            problems.append(
                Problem(
                    path,
                    line,
                    clause_text.line_of(source, line, target),
                    f"reference to unknown annex '{target}'",
                    f"annexes: {', '.join(ANNEX_KINDS)}",
                )
            )
    parsed, markdown_problems = clause_text.parse_markdown(source, path)
    problems += markdown_problems
    shape = tuple(len(p.items) for p in parsed.paragraphs)
    return problems, shape
