"""``dpagen diff``: what changed between two versions of an agreement, meaning first.

Two states (a release, or the working copy) are compared on their inputs and their assembled
document model: clauses are matched by id, so renumbering is a move and not a text edit; terms,
parties and annex rows are compared field by field; and where a clause's wording changed
(a new version, variant or deviation) its paragraphs get a word-level redline.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dpagen.changes.alignment import word_segments
from dpagen.checks.validate import validate_workspace
from dpagen.document.assemble import assemble
from dpagen.document.model import Clause, plain
from dpagen.errors import ProblemsFound, UsageError
from dpagen.inputs.load import AgreementInput, Inputs, has_errors
from dpagen.releases.issue import find_lock, inputs_from_record
from dpagen.workspace import Workspace

ROW_KEYS = {
    "activities": "name",
    "systems": "name",
    "storage": "data",
    "retention": "data",
    "instructors": "name",
    "subprocessors": "name",
    "certifications": "scheme",
}


class ChangeKind(StrEnum):
    """What sort of change a :class:`Change` is; the values are those of ``diff --format json``."""

    EDITION = "edition"
    AGREEMENT = "agreement"  # a field of agreement.yaml's agreement section
    PARTY = "party"
    TERM = "term"
    CLAUSE_ADDED = "clause-added"
    CLAUSE_REMOVED = "clause-removed"
    CLAUSE_MOVED = "clause-moved"  # renumbered
    CLAUSE_VERSION = "clause-version"
    CLAUSE_VARIANT = "clause-variant"
    DEVIATION = "deviation"
    ANNEX_VERSION = "annex-version"
    ANNEX_FIELD = "annex-field"
    ANNEX_ROW_ADDED = "annex-row-added"
    ANNEX_ROW_REMOVED = "annex-row-removed"
    PARAGRAPH_CHANGED = "paragraph-changed"  # in a DOCX that came back from outside
    PARAGRAPH_REMOVED = "paragraph-removed"
    PARAGRAPH_ADDED = "paragraph-added"
    PARAGRAPH_MOVED = "paragraph-moved"


@dataclass(frozen=True)
class Change:
    """One change between two states; ``path`` says where, ``old`` and ``new`` what."""

    kind: ChangeKind
    path: str
    old: Any = None
    new: Any = None
    redline: tuple[str, ...] = ()  # paragraphs with [-deleted-] and {+inserted+} words


@dataclass(frozen=True)
class State:
    """One side of a comparison."""

    label: str
    inputs: Inputs
    client: str

    @property
    def agreement(self) -> AgreementInput:
        """The client's loaded agreement."""
        return self.inputs.agreements[self.client]


def load_state(ws: Workspace, client: str, ref: str) -> State:
    """The working copy (``ref`` = ``working``) or release ``ref`` of ``client``.

    Raises:
        UsageError: ``ref`` is neither ``working`` nor a release number.
        ProblemsFound: the working copy does not validate.
    """
    if ref == "working":
        inputs, problems = validate_workspace(ws, [client])
        if has_errors(problems):
            raise ProblemsFound(problems, hint="The working copy must validate to be compared")
        return State("working copy", inputs, client)
    if not ref.isdigit():
        raise UsageError(f"'{ref}' is not a release number or 'working'")
    lock = find_lock(ws, client, int(ref))
    return State(f"release {lock.number}", inputs_from_record(ws, lock.record, lock.path), client)


def words(old: str, new: str) -> str:
    """``new`` against ``old`` word by word: ``[-removed-]`` and ``{+added+}``."""
    marks = {"=": "{}", "-": "[-{}-]", "+": "{{+{}+}}"}
    return "".join(marks[kind].format(text) for kind, text in word_segments(old, new))


def _paragraphs(clause: Clause) -> list[str]:
    lines = []
    for sub in clause.subclauses:
        lines.append(plain(sub.runs))
        lines += [f"{item.label} {plain(item.runs)}" for item in sub.items]
    return lines


def clause_redline(old: Clause | None, new: Clause | None) -> tuple[str, ...]:
    """Paragraph-by-paragraph redline of two wordings of a clause."""
    a = _paragraphs(old) if old else []
    b = _paragraphs(new) if new else []
    out = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "replace" and i2 - i1 == j2 - j1:
            out += [words(x, y) for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
            continue
        out += [f"[-{x}-]" for x in a[i1:i2]]
        out += [f"{{+{y}+}}" for y in b[j1:j2]]
    return tuple(out)


def _flat(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, dict) and not (value and set(value) <= {"sv", "en"}):
        result: dict[str, Any] = {}
        for key, inner in value.items():
            result.update(_flat(inner, f"{prefix}.{key}" if prefix else str(key)))
        return result
    return {prefix: value}


def _fields(kind: ChangeKind, path: str, old: Any, new: Any) -> list[Change]:
    a, b = _flat(old, path), _flat(new, path)
    return [
        Change(kind, key, a.get(key), b.get(key))
        for key in [*a, *[k for k in b if k not in a]]
        if a.get(key) != b.get(key)
    ]


def _row_key(row: Any, key: str) -> str:
    value = row.get(key) if isinstance(row, dict) else row
    if isinstance(value, dict):
        value = value.get("sv") or next(iter(value.values()), "")
    return str(value)


def _annex_changes(kind: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    for field in [*old, *[k for k in new if k not in old]]:
        if field == "changelog" or old.get(field) == new.get(field):
            continue
        path = f"annexes.{kind}.{field}"
        a, b = old.get(field), new.get(field)
        if field in ROW_KEYS and isinstance(a, list) and isinstance(b, list):
            key = ROW_KEYS[field]
            rows_a = {_row_key(row, key): row for row in a}
            rows_b = {_row_key(row, key): row for row in b}
            for name in rows_a.keys() - rows_b.keys():
                changes.append(
                    Change(ChangeKind.ANNEX_ROW_REMOVED, f"{path}[{name}]", rows_a[name])
                )
            for name in [n for n in rows_b if n not in rows_a]:
                changes.append(
                    Change(ChangeKind.ANNEX_ROW_ADDED, f"{path}[{name}]", None, rows_b[name])
                )
            for name in [n for n in rows_a if n in rows_b]:
                changes += _fields(
                    ChangeKind.ANNEX_FIELD, f"{path}[{name}]", rows_a[name], rows_b[name]
                )
        elif field in ("version", "effective_date"):
            changes.append(Change(ChangeKind.ANNEX_VERSION, path, a, b))
        else:
            changes += _fields(ChangeKind.ANNEX_FIELD, path, a, b)
    return changes


def diff_states(old: State, new: State, lang: str = "sv") -> list[Change]:
    """Every change from ``old`` to ``new``, in document order."""
    changes: list[Change] = []
    a, b = old.agreement, new.agreement
    if a.edition and b.edition and a.edition.id != b.edition.id:
        changes.append(Change(ChangeKind.EDITION, "edition", a.edition.id, b.edition.id))
    changes += _fields(ChangeKind.AGREEMENT, "agreement", a.data["agreement"], b.data["agreement"])
    changes = [c for c in changes if c.path not in ("agreement.edition", "agreement.languages")]
    changes += _fields(ChangeKind.PARTY, "processor", old.inputs.processor, new.inputs.processor)
    changes += _fields(ChangeKind.PARTY, "client", a.data["client"], b.data["client"])
    for name in [*a.terms, *[k for k in b.terms if k not in a.terms]]:
        if a.terms.get(name) != b.terms.get(name):
            changes.append(
                Change(ChangeKind.TERM, f"terms.{name}", a.terms.get(name), b.terms.get(name))
            )
    changes += _clause_changes(old, new, lang)
    for kind in [*a.annexes, *[k for k in b.annexes if k not in a.annexes]]:
        data_a = a.annexes[kind].data if kind in a.annexes else {}
        data_b = b.annexes[kind].data if kind in b.annexes else {}
        changes += _annex_changes(kind, data_a, data_b)
    return changes


def _clause_changes(old: State, new: State, lang: str) -> list[Change]:
    lang_a = lang if lang in old.agreement.languages else old.agreement.languages[0]
    lang_b = lang if lang in new.agreement.languages else new.agreement.languages[0]
    doc_a = assemble(old.inputs, old.client, lang_a)
    doc_b = assemble(new.inputs, new.client, lang_b)
    clauses_a = {c.id: c for c in doc_a.clauses}
    clauses_b = {c.id: c for c in doc_b.clauses}
    changes = []
    for clause in doc_a.clauses:
        if clause.id not in clauses_b:
            changes.append(
                Change(
                    ChangeKind.CLAUSE_REMOVED,
                    f"clauses.{clause.id}",
                    clause.number,
                    None,
                    clause_redline(clause, None),
                )
            )
    for clause in doc_b.clauses:
        path = f"clauses.{clause.id}"
        before = clauses_a.get(clause.id)
        if before is None:
            changes.append(
                Change(
                    ChangeKind.CLAUSE_ADDED, path, None, clause.number, clause_redline(None, clause)
                )
            )
            continue
        if before.number != clause.number:
            changes.append(Change(ChangeKind.CLAUSE_MOVED, path, before.number, clause.number))
        wording = []
        if before.version != clause.version:
            wording.append(Change(ChangeKind.CLAUSE_VERSION, path, before.version, clause.version))
        if before.variant != clause.variant:
            wording.append(Change(ChangeKind.CLAUSE_VARIANT, path, before.variant, clause.variant))
        negotiated = (_negotiated(old.agreement, clause.id), _negotiated(new.agreement, clause.id))
        if negotiated[0] != negotiated[1]:
            texts = [(d or {}).get("text", {}).get(lang) if d else None for d in negotiated]
            wording.append(Change(ChangeKind.DEVIATION, path, texts[0], texts[1]))
        if wording:
            redline = clause_redline(before, clause)
            wording[0] = dataclasses.replace(wording[0], redline=redline)
        changes += wording
    return changes


def _negotiated(agreement: AgreementInput, clause_id: str) -> Any:
    """The deviation for ``clause_id`` as written (texts and reason), or None."""
    index = agreement.deviations.get(clause_id)
    return None if index is None else agreement.data["deviations"][index]


def diff_against_standard(state: State, lang: str = "sv") -> list[Change]:
    """The client's negotiated deviations and non-default variants, against its edition."""
    agreement = state.agreement
    library = state.inputs.library
    assert agreement.edition is not None
    defaults = state.inputs.config.mapping("defaults", "terms")
    terms = {  # the standard wording may use terms of variants the client did not choose
        name: defaults.get(name, spec.default)
        for name, spec in library.edition_terms(agreement.edition).items()
        if spec.has_default or name in defaults
    }
    standard_agreement = dataclasses.replace(
        agreement,
        deviations={},
        variants={cid: library.clauses[cid].default_variant() for cid in agreement.variants},
        terms={**terms, **agreement.terms},
    )
    standard_inputs = dataclasses.replace(
        state.inputs, agreements={state.client: standard_agreement}
    )
    standard = State(
        f"edition {agreement.edition.id if agreement.edition else '?'}",
        standard_inputs,
        state.client,
    )
    return _clause_changes(standard, state, lang)


def change_json(change: Change) -> dict[str, Any]:
    """A change as JSON-ready data."""
    data = dataclasses.asdict(change)
    data["kind"] = change.kind.value
    data["redline"] = list(change.redline)
    return data


def describe(change: Change) -> str:
    """One line for people."""
    path, old, new, kind = change.path, change.old, change.new, change.kind
    name = path.split(".", 1)[-1]
    if kind is ChangeKind.EDITION:
        return f"edition: {old} → {new}"
    if kind is ChangeKind.TERM:
        return f"term {name}: {_show(old)} → {_show(new)}"
    if kind is ChangeKind.CLAUSE_ADDED:
        return f"clause {name} added as clause {new}"
    if kind is ChangeKind.CLAUSE_REMOVED:
        return f"clause {name} (clause {old}) removed"
    if kind is ChangeKind.CLAUSE_MOVED:
        return f"clause {name} renumbered {old} → {new}"
    if kind in (ChangeKind.CLAUSE_VERSION, ChangeKind.CLAUSE_VARIANT):
        return f"clause {name}: {kind.value.split('-')[1]} {old} → {new}"
    if kind is ChangeKind.DEVIATION:
        state = "removed" if new is None else "added" if old is None else "changed"
        return f"clause {name}: negotiated text {state}"
    if kind in (
        ChangeKind.PARAGRAPH_CHANGED,
        ChangeKind.PARAGRAPH_REMOVED,
        ChangeKind.PARAGRAPH_ADDED,
        ChangeKind.PARAGRAPH_MOVED,
    ):
        return f"{path} {kind.value.split('-')[1]}"
    if kind is ChangeKind.ANNEX_ROW_ADDED:
        return f"{path}: added"
    if kind is ChangeKind.ANNEX_ROW_REMOVED:
        return f"{path}: removed"
    return f"{path}: {_show(old)} → {_show(new)}"


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, dict) and set(value) <= {"sv", "en"}:
        return repr(value.get("sv") or value.get("en"))
    return repr(value) if isinstance(value, str) else str(value)


def redline_document(old: State, new: State, lang: str = "sv", fmt: str = "docx") -> bytes:
    """The new version against the old one, as DOCX with tracked changes, HTML or PDF.

    The HTML and PDF pages start with the change summary and mark the changes in the text.
    """
    doc_old = assemble(old.inputs, old.client, lang)
    doc_new = assemble(new.inputs, new.client, lang)
    templates = new.inputs.workspace.templates
    if fmt == "docx":
        from dpagen.render.redline import render_redline_docx

        return render_redline_docx(doc_old, doc_new, templates)
    from dpagen.render.redline_html import render_redline_html

    summary = [describe(change) for change in diff_states(old, new, lang)]
    html = render_redline_html(
        doc_old, doc_new, summary, _state_name(old, lang), _state_name(new, lang), templates
    )
    if fmt == "html":
        return html
    from dpagen.render.pdf import html_to_pdf

    return html_to_pdf(html, templates, doc_new.iso_date)


def _state_name(state: State, lang: str) -> str:
    from dpagen.document.labels import Labels

    label = Labels(lang)
    if state.label.startswith("release "):
        return label("redline.release", number=state.label.split()[1])
    return label("redline.working")


def redline_docx(old: State, new: State, lang: str = "sv") -> bytes:
    """The new version as DOCX with Word tracked changes against the old one."""
    return redline_document(old, new, lang, "docx")


def amendment_document(old: State, new: State, lang: str = "sv", fmt: str = "pdf") -> bytes:
    """A short change document for the client: each change with its old and new wording."""
    from dpagen.document.dates import long_date
    from dpagen.render.amendment import render_amendment_html

    doc_old = assemble(old.inputs, old.client, lang)
    doc_new = assemble(new.inputs, new.client, lang)
    dates = [new.agreement.data["agreement"]["date"]]
    for kind, doc in new.agreement.annexes.items():
        before = old.agreement.annexes.get(kind)
        if before is None or before.data != doc.data:
            dates.append(doc.data["effective_date"])
    html = render_amendment_html(doc_old, doc_new, long_date(max(dates), lang))
    if fmt == "html":
        return html
    from dpagen.render.pdf import html_to_pdf

    return html_to_pdf(html, new.inputs.workspace.templates, doc_new.iso_date)
