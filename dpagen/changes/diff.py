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
from typing import Any

from dpagen.changes.alignment import word_segments
from dpagen.changes.change import Change as Change  # re-exported for the diff modules
from dpagen.changes.change import ChangeKind as ChangeKind
from dpagen.changes.input_changes import FieldChanges, annex_changes
from dpagen.changes.places import Places
from dpagen.checks.validate import validate_workspace
from dpagen.document.assemble import assemble
from dpagen.document.model import Clause, Document, plain
from dpagen.errors import ProblemsFound, UsageError
from dpagen.inputs.load import AgreementInput, Inputs, has_errors
from dpagen.releases.issue import find_lock, inputs_from_record
from dpagen.workspace import Workspace


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


@dataclass(frozen=True)
class Comparison:
    """The changes shown in the reader's language, and how many read the same in it."""

    changes: list[Change]
    hidden: int = 0  # changes only to the other language's text


def compare_states(old: State, new: State, lang: str = "sv") -> Comparison:
    """Every change from ``old`` to ``new`` as read in ``lang``, in document order."""
    places = Places(lang)
    found = FieldChanges(places)
    a, b = old.agreement, new.agreement
    doc_a, doc_b = _assembled(old, lang), _assembled(new, lang)
    if a.edition and b.edition and a.edition.id != b.edition.id:
        found.changes.append(
            Change(
                ChangeKind.EDITION,
                "edition",
                a.edition.id,
                b.edition.id,
                place=places.label("edition"),
            )
        )
    agreement_a = {k: v for k, v in a.data["agreement"].items() if k not in _NOT_COMPARED}
    agreement_b = {k: v for k, v in b.data["agreement"].items() if k not in _NOT_COMPARED}
    found.fields(
        ChangeKind.AGREEMENT, "agreement", "", agreement_a, agreement_b, places.agreement_field
    )
    for side, before, after in (
        ("processor", old.inputs.processor, new.inputs.processor),
        ("client", a.data["client"], b.data["client"]),
    ):
        found.fields(
            ChangeKind.PARTY,
            side,
            "",
            before,
            after,
            lambda parts, side=side: places.party(side, parts),
        )
    clause_changes = _clause_changes(doc_a, doc_b, old.agreement, new.agreement, lang)
    found.changes += _term_changes(old, new, doc_a, doc_b, clause_changes, places)
    found.changes += clause_changes
    numbers = {annex.id: annex.number for annex in (*doc_a.annexes, *doc_b.annexes)}
    for kind in [*a.annexes, *[k for k in b.annexes if k not in a.annexes]]:
        data_a = a.annexes[kind].data if kind in a.annexes else {}
        data_b = b.annexes[kind].data if kind in b.annexes else {}
        annex_changes(found, kind, numbers.get(kind), data_a, data_b)
    return Comparison(found.changes, found.hidden)


def diff_states(old: State, new: State, lang: str = "sv") -> list[Change]:
    """Every change from ``old`` to ``new`` as read in ``lang``, in document order."""
    return compare_states(old, new, lang).changes


_NOT_COMPARED = ("edition", "languages")  # the edition is its own change; languages are not text


def _assembled(state: State, lang: str) -> Document:
    languages = state.agreement.languages
    return assemble(state.inputs, state.client, lang if lang in languages else languages[0])


def _term_changes(
    old: State,
    new: State,
    doc_a: Document,
    doc_b: Document,
    clause_changes: list[Change],
    places: Places,
) -> list[Change]:
    """A changed term, placed at the clause that declares it, with that clause's redline."""
    library = new.inputs.library
    terms_a, terms_b = old.agreement.terms, new.agreement.terms
    declared = {name: cid for cid, clause in library.clauses.items() for name in clause.terms}
    worded = {change.path for change in clause_changes if change.redline}
    clauses_a = {clause.id: clause for clause in doc_a.clauses}
    clauses_b = {clause.id: clause for clause in doc_b.clauses}
    changes = []
    for name in [*terms_a, *[k for k in terms_b if k not in terms_a]]:
        if terms_a.get(name) == terms_b.get(name):
            continue
        cid = declared.get(name, "")
        clause = clauses_b.get(cid) or clauses_a.get(cid)
        place = places.clause(clause.number, clause.title) if clause else name
        redline: tuple[str, ...] = ()
        if clause and f"clauses.{cid}" not in worded:
            redline = clause_redline(clauses_a.get(cid), clauses_b.get(cid))
            worded.add(f"clauses.{cid}")  # a second term of the clause repeats nothing
        changes.append(
            Change(
                ChangeKind.TERM,
                f"terms.{name}",
                terms_a.get(name),
                terms_b.get(name),
                redline,
                place=place,
            )
        )
    return changes


def _clause_changes(
    doc_a: Document,
    doc_b: Document,
    agreement_a: AgreementInput,
    agreement_b: AgreementInput,
    lang: str,
) -> list[Change]:
    places = Places(lang)
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
                    place=places.clause(clause.number, clause.title),
                )
            )
    for clause in doc_b.clauses:
        path = f"clauses.{clause.id}"
        place = places.clause(clause.number, clause.title)
        before = clauses_a.get(clause.id)
        if before is None:
            changes.append(
                Change(
                    ChangeKind.CLAUSE_ADDED,
                    path,
                    None,
                    clause.number,
                    clause_redline(None, clause),
                    place=place,
                )
            )
            continue
        if before.number != clause.number:
            changes.append(
                Change(ChangeKind.CLAUSE_MOVED, path, before.number, clause.number, place=place)
            )
        wording = []
        if before.version != clause.version:
            wording.append(
                Change(ChangeKind.CLAUSE_VERSION, path, before.version, clause.version, place=place)
            )
        if before.variant != clause.variant:
            wording.append(
                Change(ChangeKind.CLAUSE_VARIANT, path, before.variant, clause.variant, place=place)
            )
        negotiated = (_negotiated(agreement_a, clause.id), _negotiated(agreement_b, clause.id))
        if negotiated[0] != negotiated[1]:
            texts = [_negotiated_wording(d, lang) for d in negotiated]
            wording.append(Change(ChangeKind.DEVIATION, path, texts[0], texts[1], place=place))
        if wording:
            redline = clause_redline(before, clause)
            wording[0] = dataclasses.replace(wording[0], redline=redline)
        changes += wording
    return changes


def _negotiated_wording(deviation: Any, lang: str) -> Any:
    """A deviation's wording in ``lang``: its text, or its paragraph changes; None for none."""
    if not deviation:
        return None
    if "paragraphs" in deviation:
        return [
            {key: (value.get(lang) if key == "text" else value) for key, value in change.items()}
            for change in deviation["paragraphs"]
        ]
    return deviation.get("text", {}).get(lang)


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
    return _clause_changes(
        _assembled(standard, lang), _assembled(state, lang), standard_agreement, agreement, lang
    )


def change_json(change: Change) -> dict[str, Any]:
    """A change as JSON-ready data."""
    data = dataclasses.asdict(change)
    data["kind"] = change.kind.value
    data["redline"] = list(change.redline)
    return data


def describe(change: Change, lang: str = "sv") -> str:
    """One line for people, in ``lang``: where the change is, then what it is."""
    places = Places(lang)
    path, old, new, kind = change.path, change.old, change.new, change.kind
    place = change.place or path
    if kind is ChangeKind.EDITION:
        before, after = (places.label("edition_value", edition=e) for e in (old, new))
        return f"{place}: {before} → {after}"
    if kind in (ChangeKind.CLAUSE_ADDED, ChangeKind.ANNEX_ROW_ADDED):
        return f"{place}: {places.verb('added')}"
    if kind in (ChangeKind.CLAUSE_REMOVED, ChangeKind.ANNEX_ROW_REMOVED):
        return f"{place}: {places.verb('removed')}"
    if kind is ChangeKind.CLAUSE_MOVED:
        return f"{place}: {places.verb('renumbered', old=old)}"
    if kind is ChangeKind.ANNEX_ROW_MOVED:
        return f"{place}: {places.verb('moved', old=old, new=new)}"
    if kind is ChangeKind.CLAUSE_VERSION:
        return f"{place}: {places.verb('version', old=old, new=new)}"
    if kind is ChangeKind.CLAUSE_VARIANT:
        return f"{place}: {places.verb('variant', old=old, new=new)}"
    if kind is ChangeKind.DEVIATION:
        state = "removed" if new is None else "added" if old is None else "changed"
        return f"{place}: {places.verb(f'negotiated_{state}')}"
    if kind in (
        ChangeKind.PARAGRAPH_CHANGED,
        ChangeKind.PARAGRAPH_REMOVED,
        ChangeKind.PARAGRAPH_ADDED,
        ChangeKind.PARAGRAPH_MOVED,
    ):
        if kind is ChangeKind.PARAGRAPH_MOVED:
            return f"{old}: {places.verb('moved_to', new=new)}"
        return f"{path}: {places.verb(kind.value.split('-')[1])}"
    name = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return f"{place}: {places.value(old, name)} → {places.value(new, name)}"


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

    summary = [describe(change, lang) for change in diff_states(old, new, lang)]
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
