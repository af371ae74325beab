"""Releases: issue an agreement or one annex as an immutable lock, and render it again exactly.

The lock's record holds every input the documents were made from (party data, agreement, annexes,
resolved terms and variants, the edition and the text of every clause version in it) plus the
hashes of the templates and fonts. Rendering a release uses only the record, so later changes to
the library or the client's files cannot change an issued document.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dpagen.checks.legal import check_agreement
from dpagen.checks.validate import validate_workspace
from dpagen.document.assemble import annex_versions, assemble
from dpagen.document.dates import long_date
from dpagen.document.labels import Labels
from dpagen.document.model import Document, DocumentKind
from dpagen.errors import ProblemsFound, RenderError, UsageError
from dpagen.files.atomic import remove_stale_temporaries
from dpagen.files.file_lock import exclusive
from dpagen.inputs.clause_library import ClauseDef, Edition, Library, TermSpec
from dpagen.inputs.load import AgreementInput, Inputs, has_errors
from dpagen.inputs.schema import LANGUAGES
from dpagen.inputs.yaml_positions import YamlFile
from dpagen.releases.environment import rendering_environment
from dpagen.releases.record import (
    RECORD_FORMAT,
    EditionRecord,
    Lock,
    RecordedInputs,
    ReleaseKind,
    ReleaseRecord,
    canonical,
    create_lock,
    lock_text,
    read_locks,
    record_hash,
    sha256,
)
from dpagen.releases.recreation import write_files
from dpagen.version import __version__
from dpagen.workspace import Workspace, outside_problem

RELEASE_FORMATS = ("pdf", "docx")
RELEASE_LOCK = ".release.lock"  # held while a release of the client is made


def lock_folder(ws: Workspace, client: str) -> Path:
    """Where a client's release locks are kept: ``agreements/<client>/releases``."""
    return ws.client_dir(client) / "releases"


def template_hashes(templates: Path) -> dict[str, str]:
    """SHA-256 of every file of the templates folder (layouts and fonts).

    Raises:
        RenderError: a file is a link to somewhere outside the templates folder.
    """
    hashes = {}
    for path in sorted(templates.rglob("*")):
        if path.is_file():
            refused = outside_problem(path, templates, "templates/")
            if refused is not None:
                raise RenderError(f"{path}: {refused.message}", refused.hint)
            hashes[path.relative_to(templates).as_posix()] = sha256(path.read_bytes())
    return hashes


def working_record(
    inputs: Inputs, client: str, environment: Mapping[str, str] | None = None
) -> RecordedInputs:
    """The inputs part of a release record for ``client``'s working copy.

    ``environment`` is recorded as the rendering environment; a release passes this machine's.
    """
    agreement = inputs.agreements[client]
    edition = agreement.edition
    assert edition is not None
    library = inputs.library
    texts: dict[str, str] = {}
    for clause_id, version in edition.clauses:
        clause = library.clauses[clause_id]
        for variant in clause.variants or [None]:
            for lang in LANGUAGES:
                path = clause.text_path(version, variant, lang)
                texts[path.relative_to(inputs.workspace.clauses).as_posix()] = library.source(path)
    return RecordedInputs(
        format=RECORD_FORMAT,
        client=client,
        dpagen_version=__version__,
        edition=EditionRecord(
            id=edition.id,
            date=edition.date,
            clauses=tuple(f"{clause_id}@{version}" for clause_id, version in edition.clauses),
            annexes=tuple(edition.annexes),
            variants={
                clause_id: tuple(library.clauses[clause_id].variants)
                for clause_id, _ in edition.clauses
            },
            sectors={
                clause_id: library.clauses[clause_id].sectors
                for clause_id, _ in edition.clauses
                if library.clauses[clause_id].sectors
            },
            terms={
                clause_id: tuple(library.clauses[clause_id].terms)
                for clause_id, _ in edition.clauses
                if library.clauses[clause_id].terms
            },
        ),
        texts=texts,
        processor=inputs.processor,
        agreement=agreement.data,
        annexes={kind: doc.data for kind, doc in agreement.annexes.items()},
        languages=tuple(agreement.languages),
        variants=agreement.variants,
        terms=agreement.terms,
        templates=template_hashes(inputs.workspace.templates),
        environment=dict(environment or {}),
    )


def inputs_from_record(ws: Workspace, record: ReleaseRecord, source: Path) -> Inputs:
    """Rebuild loaded inputs from a release record, independent of the files on disk now."""
    clauses = record.edition.clause_versions
    edition = Edition(record.edition.id, record.edition.date, clauses, record.edition.annexes, 0)
    library = Library(YamlFile(source, {}))
    library.editions[edition.id] = edition
    for clause_id, version in clauses:
        variants: dict[str, dict[str, Any]] = {n: {} for n in record.edition.variants[clause_id]}
        declared = record.edition.terms.get(clause_id, ())
        library.clauses[clause_id] = ClauseDef(
            clause_id,
            ws.clauses / clause_id,
            YamlFile(source, {}),
            variants=variants,
            # which clause declares a term places its change in a diff; its type does not matter
            terms={name: TermSpec(name, clause_id, "string", "") for name in declared},
            versions={version: edition.date},
            sectors=record.edition.sectors.get(clause_id, ()),
        )
    for name, text in record.texts.items():
        library.preload(ws.clauses / name, text)
    config = YamlFile(source, {"processor": record.processor, "defaults": {}})
    agreement_doc = YamlFile(source, record.agreement)
    client = record.client
    agreement = AgreementInput(
        client,
        agreement_doc,
        annexes={kind: YamlFile(source, data) for kind, data in record.annexes.items()},
        edition=edition,
        languages=record.languages,
        variants=dict(record.variants),
        terms=dict(record.terms),
        deviations={d["clause"]: i for i, d in enumerate(agreement_doc.sequence("deviations"))},
    )
    return Inputs(ws, config, library, agreements={client: agreement})


def annex_document(
    doc: Document, annex_id: str, changes: tuple[str, ...], effective: dt.date
) -> Document:
    """One annex of ``doc`` as a document of its own, with what changed in it."""
    label = Labels(doc.lang)
    annex = next(a for a in doc.annexes if a.id == annex_id)
    return dataclasses.replace(
        doc,
        kind=DocumentKind.ANNEX,
        title=f"{annex.label} – {annex.title}",
        facts=(doc.facts[0], (label("annex_version"), annex.effective), *doc.facts[3:]),
        clauses=(),
        annexes=(annex,),
        header=f"{annex.label} · {doc.agreement_id} · version {annex.version}",
        iso_date=effective.isoformat(),
        changes_heading=label("changes"),
        changes=changes,
        annex_versions=annex_versions((annex,), doc.lang),
    )


def _changes(record: ReleaseRecord, lang: str) -> tuple[str, ...]:
    label = Labels(lang)
    since = record.previous_annex_version or 0
    return tuple(
        label(
            "change_line",
            version=entry.version,
            date=long_date(entry.date, lang),
            summary=entry.summary_in(lang),
        )
        for entry in record.annex_changelog(record.issued_annex)
        if entry.version > since
    )


def release_file_name(record: ReleaseRecord, lang: str, fmt: str) -> str:
    """File name of one issued document."""
    base = f"{record.client}-r{record.release}"
    if record.kind is ReleaseKind.ANNEX:
        base += f"-{record.issued_annex}-v{record.annex_version(record.issued_annex)}"
    elif record.kind is ReleaseKind.CONTACTS:
        base += "-contacts"
    return f"{base}.{lang}.{fmt}"


def render_record(
    ws: Workspace, record: ReleaseRecord, source: Path, names: Collection[str] | None = None
) -> dict[str, bytes]:
    """Every file of a release (or only those named), by name, rendered from its record alone."""
    from dpagen.render.docx import render_docx
    from dpagen.render.pdf import render_pdf

    inputs = inputs_from_record(ws, record, source)
    lock_bytes = json.dumps(
        record.to_json(), default=str, sort_keys=True, ensure_ascii=False, indent=1
    ).encode("utf-8")
    stamp = f"dpagen release {record.release} lock {record_hash(record)}"
    files: dict[str, bytes] = {}
    for lang in record.languages:
        wanted = [
            fmt
            for fmt in record.formats
            if names is None or release_file_name(record, lang, fmt) in names
        ]
        if not wanted:
            continue
        doc = assemble(inputs, record.client, lang)
        if record.kind is ReleaseKind.ANNEX:
            annex = record.issued_annex
            effective = record.annex_effective_date(annex)
            doc = annex_document(doc, annex, _changes(record, lang), effective)
        elif record.kind is ReleaseKind.CONTACTS:
            from dpagen.releases.contact_notice import contact_notice_document

            doc = contact_notice_document(doc, record, lang)
        for fmt in wanted:
            if fmt == "pdf":
                data = render_pdf(doc, ws.templates, lock=lock_bytes)
            else:
                data = render_docx(doc, ws.templates, stamp=stamp)
            files[release_file_name(record, lang, fmt)] = data
    return files


@dataclass(frozen=True)
class Release:
    """An issued release: its lock and the files written."""

    lock: Path
    number: int
    files: list[Path]


def issued_files_folder(ws: Workspace, out: Path | None, client: str, number: int) -> Path:
    """Where the files of a release are written: ``OUTPUT/<client>/releases/NNNN``.

    OUTPUT is ``out`` when given, else the workspace's ``defaults.output`` (usually ``out/``).
    """
    from dpagen.output.paths import workspace_output_root

    return workspace_output_root(ws, out) / client / "releases" / f"{number:04d}"


def create_release(
    ws: Workspace,
    client: str,
    *,
    note: str,
    annex: str | None = None,
    date: dt.date | None = None,
    formats: tuple[str, ...] = RELEASE_FORMATS,
    out: Path | None = None,
    contacts: bool = False,
) -> Release:
    """Issue ``client``'s agreement, one ``annex``, or (``contacts``) a contact notice.

    Raises:
        ProblemsFound: the inputs do not validate or do not pass the legal check.
        UsageError: an unknown annex or format, or an empty note.
        LockError: another release took the number (never happens under the file lock).
    """
    if not note.strip():
        raise UsageError("--note must not be empty", "say why this release is made")
    if contacts and annex is not None:
        raise UsageError("--contacts issues a notice of contact details; give no --annex")
    unknown = [fmt for fmt in formats if fmt not in RELEASE_FORMATS]
    if unknown:
        raise UsageError(f"releases are issued as pdf and docx, not '{unknown[0]}'")
    inputs, problems = validate_workspace(ws, [client])
    if has_errors(problems):
        raise ProblemsFound(problems, hint="A release needs valid inputs")
    legal = check_agreement(inputs, client, as_of=date)
    if has_errors(legal):
        raise ProblemsFound(legal, hint="A release must pass 'dpagen check'")
    agreement = inputs.agreements[client]
    if annex is not None and annex not in agreement.annexes:
        raise UsageError(
            f"{client} has no annex '{annex}'", f"annexes: {', '.join(agreement.annexes)}"
        )
    folder = lock_folder(ws, client)
    with exclusive(folder, RELEASE_LOCK):
        locks, lock_problems = read_locks(folder)
        if lock_problems:
            raise ProblemsFound(lock_problems)
        _refuse_reissued_versions(agreement, locks, annex)
        current = working_record(inputs, client, rendering_environment())
        if contacts:
            _refuse_contact_notice_that_is_not_one(agreement, locks, current)
        elif annex is None:
            _refuse_changed_agreement_under_its_version(agreement, locks, current)
        else:
            _refuse_unannounced_contacts(agreement, locks, current)
        number = max((lock.number for lock in locks), default=0) + 1
        record = ReleaseRecord.issue(
            current,
            release=number,
            date=date or dt.date.today(),
            note=note.strip(),
            annex=annex,
            formats=tuple(formats),
            previous_annex_version=_previous_version(locks, annex) if annex else None,
            contacts=contacts,
        )
        files = render_record(ws, record, folder / f"{number:04d}.lock.json")
        remove_stale_temporaries(folder)  # left by a release that was killed
        # kept beside the lock first: the workspace holds what was issued before it is issued
        write_files(folder / f"{number:04d}", files)
        written = write_files(issued_files_folder(ws, out, client, number), files)
        outputs = {name: sha256(data) for name, data in files.items()}
        path = create_lock(folder, number, lock_text(record, outputs))
    return Release(path, number, written)


def _refuse_reissued_versions(
    agreement: AgreementInput, locks: list[Lock], annex: str | None
) -> None:
    """An annex version, once issued, is only ever issued again unchanged."""
    problems = []
    for kind, doc in agreement.annexes.items():
        if annex is not None and kind != annex:
            continue
        for lock in locks:
            if not lock.record.issues(kind):
                continue
            version = lock.record.annex_version(kind)
            before = lock.record.annexes[kind]
            if version == doc.data["version"] and canonical(before) != canonical(doc.data):
                problems.append(
                    doc.problem(
                        ("version",),
                        f"{kind} version {version} was issued in release {lock.number} "
                        "with other content",
                        f"record the change as a new version: dpagen annex bump {agreement.client} "
                        f"{kind} --effective DATE --summary TEXT",
                    )
                )
                break
    if problems:
        raise ProblemsFound(problems, hint="Nothing was released")


def _refuse_changed_agreement_under_its_version(
    agreement: AgreementInput, locks: list[Lock], current: RecordedInputs
) -> None:
    """A main agreement whose text changed since it was last issued needs a higher version.

    Two released texts under one version would leave the signed one and a later one
    indistinguishable in ``history`` and on the cover page.
    """
    issued = [lock for lock in locks if lock.record.kind is ReleaseKind.AGREEMENT]
    if not issued:
        return
    last = issued[-1]
    version = int(agreement.data["agreement"]["version"])
    same = last.record.agreement_content() == current.agreement_content()
    if same or version > last.record.agreement_version:
        return
    if last.record.terms_content() == current.terms_content():
        raise ProblemsFound(
            [
                agreement.doc.problem(
                    _changed_contact(last.record, current),
                    f"only contact details differ from release {last.number}; issuing them "
                    f"again as agreement version {version} would show them as signed",
                    f"send them as a notice: dpagen release {agreement.client} --contacts "
                    "--note TEXT; or, to re-issue the whole agreement, raise its version: "
                    f"dpagen agreement bump {agreement.client} --date DATE",
                )
            ],
            hint="Nothing was released",
        )
    raise ProblemsFound(
        [
            agreement.doc.problem(
                ("agreement", "version"),
                f"the agreement differs from release {last.number}, which issued version "
                f"{last.record.agreement_version}, but its version is {version}",
                f"give the new text a new version: dpagen agreement bump {agreement.client} "
                "--date DATE",
            )
        ],
        hint="Nothing was released",
    )


def _contacts_in_force(locks: list[Lock]) -> Lock | None:
    """The last release that set the parties' contact details: an agreement or a notice."""
    setting = (ReleaseKind.AGREEMENT, ReleaseKind.CONTACTS)
    return next((lock for lock in reversed(locks) if lock.record.kind in setting), None)


def _refuse_contact_notice_that_is_not_one(
    agreement: AgreementInput, locks: list[Lock], current: RecordedInputs
) -> None:
    """A contact notice needs an issued agreement, new contact details and nothing else new."""
    issued = [lock for lock in locks if lock.record.kind is ReleaseKind.AGREEMENT]
    if not issued:
        raise UsageError(
            f"{agreement.client} has no issued agreement whose contacts could change",
            f"issue the agreement first: dpagen release {agreement.client} --note TEXT",
        )
    last = issued[-1]
    if last.record.terms_content() != current.terms_content():
        raise ProblemsFound(
            [
                agreement.doc.problem(
                    ("agreement", "version"),
                    f"the agreement differs from release {last.number} in more than contact "
                    "details; a contact notice cannot issue that",
                    f"issue the agreement as a new version: dpagen agreement bump "
                    f"{agreement.client} --date DATE, then dpagen release {agreement.client}",
                )
            ],
            hint="Nothing was released",
        )
    in_force = _contacts_in_force(locks)
    assert in_force is not None
    if in_force.record.contact_details() == current.contact_details():
        raise UsageError(
            f"the contact details are those of release {in_force.number}; nothing to announce",
            "change a contact person, address or data protection officer first",
        )


def _refuse_unannounced_contacts(
    agreement: AgreementInput, locks: list[Lock], current: RecordedInputs
) -> None:
    """Refuse an annex release that would show contact details not yet announced.

    The annex would print them as if they were part of the agreement's text.
    """
    in_force = _contacts_in_force(locks)
    if in_force is None or in_force.record.contact_details() == current.contact_details():
        return
    raise ProblemsFound(
        [
            agreement.doc.problem(
                _changed_contact(in_force.record, current),
                f"contact details differ from release {in_force.number}, and the annex would "
                "show the new ones",
                f"announce them first: dpagen release {agreement.client} --contacts --note TEXT",
            )
        ],
        hint="Nothing was released",
    )


def _changed_contact(before: RecordedInputs, after: RecordedInputs) -> tuple[str, ...]:
    """Where in agreement.yaml the client's contact details first differ (or its ``client``)."""
    from dpagen.changes.input_changes import flat

    old, new = flat(before.contact_details()["client"]), flat(after.contact_details()["client"])
    changed = [parts for parts in [*new, *old] if old.get(parts) != new.get(parts)]
    return ("client", *changed[0]) if changed else ("client",)


def _previous_version(locks: list[Lock], annex: str) -> int | None:
    versions = [lock.record.annex_version(annex) for lock in locks if lock.record.issues(annex)]
    return max(versions) if versions else None


def find_lock(ws: Workspace, client: str, number: int) -> Lock:
    """Release ``number`` of ``client``.

    Raises:
        UsageError: there is no such release.
        ProblemsFound: the lock has been edited.
    """
    locks, problems = read_locks(lock_folder(ws, client))
    for lock in locks:
        if lock.number == number:
            return lock
    if problems:
        raise ProblemsFound(problems)
    known = ", ".join(str(lock.number) for lock in locks) or "none yet"
    raise UsageError(f"{client} has no release {number}", f"releases: {known}")


def changed_templates(lock: Lock, current: dict[str, str]) -> tuple[str, str] | None:
    """Why ``lock`` cannot be re-created with templates hashing to ``current``: message, hint."""
    issued = lock.record.templates
    changed = sorted(
        name for name in set(current) | set(issued) if current.get(name) != issued.get(name)
    )
    if not changed:
        return None
    return (
        f"release {lock.number} cannot be re-created byte for byte: templates changed since it "
        f"was issued: {', '.join(changed)}",
        "restore those files from version control as they were at the release",
    )


def rerender_release(
    ws: Workspace, client: str, number: int, out: Path | None = None
) -> list[Path]:
    """Write release ``number``'s issued files again, byte for byte (see ``restore_release``).

    Raises:
        RenderError: a file is not kept beside the lock and re-renders differently.
    """
    from dpagen.releases.recreation import restore_release

    return restore_release(ws, client, number, out)
