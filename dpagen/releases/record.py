"""Release locks: typed release records, canonical JSON with dates, and safe creation of locks.

A lock is ``agreements/<client>/releases/NNNN.lock.json``. Its ``record`` holds everything needed
to render the release again (inputs, clause texts, template hashes); ``record_hash`` is the SHA-256
of the canonical record, and ``outputs`` the SHA-256 of every file the release produced. Locks are
created with a hard link, which fails rather than overwrite, under an exclusive file lock.

This module is the only one that reads or writes a record's JSON: everywhere else a record is a
:class:`ReleaseRecord`. ``ReleaseRecord.from_json`` checks every field dpagen interprets, so a
lock with a missing or mistyped field is reported like an unreadable one; ``to_json`` gives back
exactly the object that was read, so the canonical form and ``record_hash`` never change.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from dpagen.errors import DpagenError, Problem
from dpagen.files.atomic import output_error, temporary_file

LOCK_NAME = re.compile(r"(\d{4})\.lock\.json")


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _encode(value: Any) -> Any:
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    raise TypeError(f"cannot store {type(value).__name__} in a lock")


def _decode(value: dict[str, Any]) -> Any:
    if set(value) == {"$date"}:
        return dt.date.fromisoformat(value["$date"])
    return value


def canonical(value: Any) -> bytes:
    """The canonical JSON of ``value`` (sorted keys, dates tagged), as UTF-8."""
    return json.dumps(
        value, default=_encode, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


# the version of the record's layout; format 2 added the rendering environment. A lock of a
# format not listed here is refused.
RECORD_FORMAT = 2
READABLE_FORMATS = (1, 2)


class ReleaseKind(StrEnum):
    """What a release issued: the whole agreement, one annex, or a notice of contact details.

    A contact notice changes no signed text: the parties' new addresses and contacts only.
    """

    AGREEMENT = "agreement"
    ANNEX = "annex"
    CONTACTS = "contacts"


# the parts of a party that a written notice changes (the notices clause), not a new version
CONTACT_FIELDS = ("address", "contacts", "dpo")


class RecordError(ValueError):
    """A record without a field dpagen needs, or with a field of the wrong type."""


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list):
        return "a list"
    return "an object"


@dataclass(frozen=True)
class _Fields:
    """One JSON object of a record, read field by field; an error names the field's path."""

    data: dict[str, Any]
    where: str  # "record", "record.edition", …

    @classmethod
    def of(cls, value: Any, where: str) -> _Fields:
        if not isinstance(value, dict):
            raise RecordError(f"{where} should be an object, not {_json_type(value)}")
        return cls(value, where)

    def only(self, names: Collection[str]) -> None:
        """Refuse fields this format does not have: they would be lost when written again."""
        unknown = sorted(set(self.data) - set(names))
        if unknown:
            raise RecordError(f"{self.where} has the unknown field '{unknown[0]}'")

    def raw(self, name: str) -> Any:
        if name not in self.data:
            raise RecordError(f"{self.where}.{name} is missing")
        return self.data[name]

    def _typed(self, name: str, value: Any, expected: tuple[type, ...], what: str) -> Any:
        # a bool is an int to Python but not a number to a reader of JSON
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            raise RecordError(f"{self.where}.{name} should be {what}, not {_json_type(value)}")
        return value

    def text(self, name: str) -> str:
        text: str = self._typed(name, self.raw(name), (str,), "a string")
        return text

    def optional_text(self, name: str) -> str | None:
        value = self.raw(name)
        return None if value is None else self.text(name)

    def number(self, name: str) -> int:
        number: int = self._typed(name, self.raw(name), (int,), "a whole number")
        return number

    def optional_number(self, name: str) -> int | None:
        value = self.raw(name)
        return None if value is None else self.number(name)

    def date(self, name: str) -> dt.date:
        date: dt.date = self._typed(name, self.raw(name), (dt.date,), "a date")
        return date

    def object(self, name: str) -> _Fields:
        return _Fields.of(self.raw(name), f"{self.where}.{name}")

    def objects(self, name: str) -> list[_Fields]:
        """A list of objects; an absent or null list is empty."""
        value = self.data.get(name)
        if value is None:
            return []
        self._typed(name, value, (list,), "a list")
        return [_Fields.of(item, f"{self.where}.{name}[{i}]") for i, item in enumerate(value)]

    def texts(self, name: str) -> tuple[str, ...]:
        """A list of strings."""
        value = self._typed(name, self.raw(name), (list,), "a list of strings")
        for i, item in enumerate(value):
            self._typed(f"{name}[{i}]", item, (str,), "a string")
        return tuple(value)

    def text_map(self, name: str, *, optional_values: bool = False) -> dict[str, Any]:
        """An object whose values are strings (or null, with ``optional_values``)."""
        inner = self.object(name)
        for key, value in inner.data.items():
            if not (optional_values and value is None):
                inner._typed(key, value, (str,), "a string")
        return inner.data


@dataclass(frozen=True)
class EditionRecord:
    """The edition a release was made from, as it was when the release was issued."""

    id: str
    date: dt.date
    clauses: tuple[str, ...]  # "clause@version", in document order
    annexes: tuple[str, ...]
    variants: Mapping[str, tuple[str, ...]]  # clause id → the variants that clause version has
    # clause id → the sectors of a sector module, and → the terms the clause declares; a record
    # made before either existed has none
    sectors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    terms: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def clause_versions(self) -> tuple[tuple[str, int], ...]:
        """The clauses as (clause id, version) pairs."""
        pairs = (ref.partition("@") for ref in self.clauses)
        return tuple((clause_id, int(version)) for clause_id, _, version in pairs)

    def to_json(self) -> dict[str, Any]:
        """The edition as stored in a lock."""
        return {
            "id": self.id,
            "date": self.date,
            "clauses": list(self.clauses),
            "annexes": list(self.annexes),
            "variants": {clause_id: list(names) for clause_id, names in self.variants.items()},
            # only when there are any, so a record made before they existed reads back as written
            # and keeps its hash
            **(
                {"sectors": {cid: list(names) for cid, names in self.sectors.items()}}
                if self.sectors
                else {}
            ),
            **(
                {"terms": {cid: list(names) for cid, names in self.terms.items()}}
                if self.terms
                else {}
            ),
        }

    @classmethod
    def from_json(cls, fields: _Fields) -> EditionRecord:
        """Read an edition from a lock's record.

        Raises:
            RecordError: a field is missing or has the wrong type.
        """
        fields.only(("id", "date", "clauses", "annexes", "variants", "sectors", "terms"))
        clauses = fields.texts("clauses")
        for i, ref in enumerate(clauses):
            clause_id, at, version = ref.partition("@")
            if not (clause_id and at and version.isascii() and version.isdigit()):
                raise RecordError(f"{fields.where}.clauses[{i}] should be CLAUSE@VERSION: '{ref}'")
        variant_fields = fields.object("variants")
        variants = {name: variant_fields.texts(name) for name in variant_fields.data}
        for ref in clauses:
            if ref.partition("@")[0] not in variants:
                raise RecordError(f"{variant_fields.where}.{ref.partition('@')[0]} is missing")
        return cls(
            id=fields.text("id"),
            date=fields.date("date"),
            clauses=clauses,
            annexes=fields.texts("annexes"),
            variants=variants,
            sectors=_clause_lists(fields, "sectors"),
            terms=_clause_lists(fields, "terms"),
        )


def _clause_lists(fields: _Fields, name: str) -> dict[str, tuple[str, ...]]:
    """An optional clause id → names mapping of an edition record."""
    if name not in fields.data:
        return {}
    lists = fields.object(name)
    return {clause_id: lists.texts(clause_id) for clause_id in lists.data}


@dataclass(frozen=True)
class ChangelogEntry:
    """One line of an annex's changelog: the version it made and what changed."""

    version: int
    date: dt.date
    summary: str | Mapping[str, str]  # one text, or one per language

    def summary_in(self, lang: str) -> str:
        """The summary in ``lang``, or in the first language it was written in."""
        if isinstance(self.summary, str):
            return self.summary
        return self.summary.get(lang) or next(iter(self.summary.values()))


def _check_annex(fields: _Fields) -> None:
    """The fields of an annex's data that a release interprets (the rest is the client's)."""
    fields.number("version")
    fields.date("effective_date")
    for entry in fields.objects("changelog"):
        entry.number("version")
        entry.date("date")
        summary = entry.raw("summary")
        if not isinstance(summary, str):
            texts = entry.text_map("summary")
            if not texts:
                raise RecordError(f"{entry.where}.summary has no text")


def _check_agreement(fields: _Fields) -> None:
    """The fields of ``agreement.yaml`` a release interprets (the rest is the client's)."""
    meta = fields.object("agreement")
    meta.number("version")
    meta.date("date")
    for deviation in fields.objects("deviations"):
        deviation.text("clause")


@dataclass(frozen=True)
class RecordedInputs:
    """Everything a release's documents are made from, as recorded in its lock.

    ``processor``, ``agreement``, ``annexes`` and ``terms`` are the client's own data as loaded
    from YAML; the fields of them that dpagen interprets have typed accessors on
    :class:`ReleaseRecord`.
    """

    format: int
    client: str
    dpagen_version: str  # the dpagen that issued the release
    edition: EditionRecord
    texts: Mapping[str, str]  # clause text file (relative to clauses/) → its text
    processor: Mapping[str, Any]
    agreement: Mapping[str, Any]  # agreement.yaml
    annexes: Mapping[str, Mapping[str, Any]]  # annex kind → annexes/<kind>.yaml
    languages: tuple[str, ...]
    variants: Mapping[str, str | None]  # clause id → chosen variant
    terms: Mapping[str, Any]  # term name → resolved value
    templates: Mapping[str, str]  # template or font file → SHA-256
    environment: Mapping[str, str]  # rendering component → version (empty before format 2)

    def agreement_content(self) -> tuple[Any, ...]:
        """What the main agreement says: everything the client's documents say but the annexes."""
        return (
            self.processor,
            self.agreement,
            self.languages,
            self.variants,
            self.terms,
            self.edition,
            self.texts,
        )

    def contact_details(self) -> dict[str, dict[str, Any]]:
        """Each party's address, contact persons and data protection officer."""
        client = self.agreement["client"]
        return {
            side: {name: party.get(name) for name in CONTACT_FIELDS}
            for side, party in (("processor", self.processor), ("client", client))
        }

    def terms_content(self) -> tuple[Any, ...]:
        """What the main agreement says apart from the parties' contact details."""

        def without_contacts(party: Mapping[str, Any]) -> dict[str, Any]:
            return {k: v for k, v in party.items() if k not in CONTACT_FIELDS}

        agreement = {**self.agreement, "client": without_contacts(self.agreement["client"])}
        return (without_contacts(self.processor), agreement, *self.agreement_content()[2:])

    def client_content(self) -> tuple[Any, ...]:
        """What the client's documents say: data, edition and clause texts.

        Not the dpagen version or the templates, which change how the documents look, not what
        they say.
        """
        return (
            self.processor,
            self.agreement,
            self.annexes,
            self.languages,
            self.variants,
            self.terms,
            self.edition,
            self.texts,
        )


@dataclass(frozen=True)
class ReleaseRecord(RecordedInputs):
    """The record of one release: its inputs, and what, when and why it was issued."""

    release: int
    date: dt.date
    note: str
    kind: ReleaseKind
    annex: str | None  # the annex an annex release issued; None for an agreement release
    formats: tuple[str, ...]
    previous_annex_version: int | None  # that annex's version in the releases before, if any

    @classmethod
    def issue(
        cls,
        inputs: RecordedInputs,
        *,
        release: int,
        date: dt.date,
        note: str,
        annex: str | None,
        formats: tuple[str, ...],
        previous_annex_version: int | None,
        contacts: bool = False,
    ) -> ReleaseRecord:
        """The record of a new release: the agreement, ``annex``, or a ``contacts`` notice."""
        kind = ReleaseKind.ANNEX if annex is not None else ReleaseKind.AGREEMENT
        return cls(
            **{f.name: getattr(inputs, f.name) for f in dataclasses.fields(RecordedInputs)},
            release=release,
            date=date,
            note=note,
            kind=ReleaseKind.CONTACTS if contacts else kind,
            annex=annex,
            formats=formats,
            previous_annex_version=previous_annex_version,
        )

    @property
    def agreement_version(self) -> int:
        """The version of the agreement in this release."""
        version: int = self.agreement["agreement"]["version"]
        return version

    @property
    def agreement_date(self) -> dt.date:
        """The date of the agreement in this release."""
        date: dt.date = self.agreement["agreement"]["date"]
        return date

    def annex_version(self, kind: str) -> int:
        """The version of annex ``kind`` in this release."""
        version: int = self.annexes[kind]["version"]
        return version

    def annex_effective_date(self, kind: str) -> dt.date:
        """The date annex ``kind`` of this release takes effect."""
        date: dt.date = self.annexes[kind]["effective_date"]
        return date

    def annex_changelog(self, kind: str) -> tuple[ChangelogEntry, ...]:
        """The changelog of annex ``kind``, oldest first as written."""
        return tuple(
            ChangelogEntry(entry["version"], entry["date"], entry["summary"])
            for entry in self.annexes[kind].get("changelog") or []
        )

    def issues(self, kind: str) -> bool:
        """True when this release issued annex ``kind`` (an agreement release issues them all)."""
        return kind in self.annexes and (self.kind is ReleaseKind.AGREEMENT or self.annex == kind)

    @property
    def issued_annexes(self) -> tuple[str, ...]:
        """The annexes this release issued, in the order of its record."""
        return tuple(kind for kind in self.annexes if self.issues(kind))

    @property
    def issued_annex(self) -> str:
        """The annex an annex release issued.

        Raises:
            ValueError: this is an agreement release.
        """
        if self.annex is None:
            raise ValueError(f"release {self.release} issued the agreement, not one annex")
        return self.annex

    def to_json(self) -> dict[str, Any]:
        """The record as stored in a lock; the same object ``from_json`` read, field for field."""
        return {
            "format": self.format,
            "client": self.client,
            "dpagen": self.dpagen_version,
            "edition": self.edition.to_json(),
            "texts": self.texts,
            "processor": self.processor,
            "agreement": self.agreement,
            "annexes": self.annexes,
            "languages": list(self.languages),
            "variants": self.variants,
            "terms": self.terms,
            "templates": self.templates,
            **({"environment": self.environment} if self.format >= 2 else {}),
            "release": self.release,
            "date": self.date,
            "note": self.note,
            "kind": self.kind.value,
            "annex": self.annex,
            "formats": list(self.formats),
            "previous_annex_version": self.previous_annex_version,
        }

    @classmethod
    def from_json(cls, data: Any) -> ReleaseRecord:
        """Read a record from a lock (JSON decoded with dates, as ``read_lock`` does).

        Raises:
            RecordError: a field is missing, unknown or has the wrong type.
        """
        fields = _Fields.of(data, "record")
        record_format = fields.number("format")
        if record_format not in READABLE_FORMATS:
            raise RecordError(
                f"record format {record_format} is not known to this dpagen (it reads formats "
                f"{', '.join(map(str, READABLE_FORMATS))})"
            )
        fields.only((*_RECORD_FIELDS, *(("environment",) if record_format >= 2 else ())))
        kind_text = fields.text("kind")
        if kind_text not in {kind.value for kind in ReleaseKind}:
            raise RecordError(
                f"record.kind should be agreement, annex or contacts, not '{kind_text}'"
            )
        kind = ReleaseKind(kind_text)
        annexes = fields.object("annexes")
        for name in annexes.data:
            _check_annex(annexes.object(name))
        annex = fields.optional_text("annex")
        if (annex is None) == (kind is ReleaseKind.ANNEX):
            raise RecordError(f"record.annex does not fit a release of kind {kind.value}")
        if annex is not None and annex not in annexes.data:
            raise RecordError(f"record.annexes.{annex} is missing")
        _check_agreement(fields.object("agreement"))
        return cls(
            format=record_format,
            client=fields.text("client"),
            dpagen_version=fields.text("dpagen"),
            edition=EditionRecord.from_json(fields.object("edition")),
            texts=fields.text_map("texts"),
            processor=fields.object("processor").data,
            agreement=fields.object("agreement").data,
            annexes=annexes.data,
            languages=fields.texts("languages"),
            variants=fields.text_map("variants", optional_values=True),
            terms=fields.object("terms").data,
            templates=fields.text_map("templates"),
            environment=fields.text_map("environment") if record_format >= 2 else {},
            release=fields.number("release"),
            date=fields.date("date"),
            note=fields.text("note"),
            kind=kind,
            annex=annex,
            formats=fields.texts("formats"),
            previous_annex_version=fields.optional_number("previous_annex_version"),
        )


_RECORD_FIELDS = (
    *("format", "client", "dpagen", "edition", "texts", "processor", "agreement", "annexes"),
    *("languages", "variants", "terms", "templates", "release", "date", "note", "kind", "annex"),
    *("formats", "previous_annex_version"),
)


def release_named_in(embedded: bytes) -> tuple[str, int]:
    """Client and release number of the copy of a record embedded in an issued PDF.

    The copy has its dates as plain strings, so it is not read as a whole record.

    Raises:
        ValueError: it is not JSON, or names no client and release.
    """
    fields = _Fields.of(json.loads(embedded), "record")
    return fields.text("client"), fields.number("release")


def record_hash(record: ReleaseRecord) -> str:
    """The hash that identifies a release's record."""
    return sha256(canonical(record.to_json()))


@dataclass(frozen=True)
class Lock:
    """A release lock as read from disk."""

    path: Path
    record: ReleaseRecord
    record_hash: str
    outputs: dict[str, str]  # file name → SHA-256
    # True when the lock's seal covers its outputs as well as its record; locks written before
    # seals existed cover only the record, so their list of files is not evidence
    sealed: bool = True

    @property
    def number(self) -> int:
        """The release number."""
        return self.record.release

    def intact(self) -> bool:
        """True when the record still has the hash written with it."""
        return record_hash(self.record) == self.record_hash


class LockError(DpagenError):
    """A lock that cannot be read, or a release that cannot be created."""


class EditedLock(LockError):
    """A lock whose record no longer has the hash written with it."""


def seal(record_json: Any, outputs: Any) -> str:
    """The hash over everything a lock says: its record and the hashes of its files."""
    return sha256(canonical({"outputs": outputs, "record": record_json}))


def lock_text(record: ReleaseRecord, outputs: dict[str, str]) -> bytes:
    """The file content of a lock (readable JSON)."""
    data = record.to_json()
    body = {
        "record": data,
        "record_hash": record_hash(record),
        "outputs": outputs,
        "seal": seal(data, outputs),
    }
    return (
        json.dumps(body, default=_encode, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
    ).encode("utf-8")


def read_lock(path: Path) -> Lock:
    """Read one lock file.

    Raises:
        EditedLock: the record does not have the hash written with it.
        LockError: the file is missing or not a lock.
    """
    try:
        body = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
        data, written_hash, outputs = body["record"], body["record_hash"], body["outputs"]
        if not (isinstance(outputs, dict) and all(isinstance(v, str) for v in outputs.values())):
            raise RecordError("outputs should be an object of file names and hashes")
        # the hashes first: an edit is reported as an edit, whatever it broke in the record
        if sha256(canonical(data)) != written_hash:
            raise EditedLock(f"{path}: release lock has been edited")
        sealed = "seal" in body
        if sealed and body["seal"] != seal(data, outputs):
            raise EditedLock(f"{path}: release lock has been edited")
        if not sealed and isinstance(data, dict) and data.get("format") != 1:
            raise EditedLock(f"{path}: release lock has been edited")  # only format 1 had none
        if set(body) - {"record", "record_hash", "outputs", "seal"}:
            raise EditedLock(f"{path}: release lock has been edited")
        record = ReleaseRecord.from_json(data)
    except EditedLock:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LockError(f"{path} is not a readable release lock: {exc}") from None
    return Lock(path, record, written_hash, dict(outputs), sealed)


def lock_paths(folder: Path) -> list[Path]:
    """The lock files in a client's ``releases/`` folder, by number."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if LOCK_NAME.fullmatch(p.name))


def read_locks(folder: Path) -> tuple[list[Lock], list[Problem]]:
    """Every lock in ``folder``; unreadable or edited ones are reported, not returned.

    ``folder`` is ``<workspace>/agreements/<client>/releases``; a lock reached through a link out
    of the workspace is reported, not read.
    """
    from dpagen.workspace import outside_problem

    locks, problems = [], []
    for path in lock_paths(folder):
        refused = outside_problem(path, folder.parents[2])
        if refused is not None:
            problems.append(refused)
            continue
        edited = Problem(
            path,
            1,
            1,
            "release lock has been edited",
            "locks are written by dpagen only; restore the original file",
        )
        try:
            lock = read_lock(path)
        except EditedLock:
            problems.append(edited)
            continue
        except LockError as exc:
            problems.append(Problem(path, 1, 1, exc.message, "restore the file from your backup"))
            continue
        if not lock.intact() or f"{lock.number:04d}.lock.json" != path.name:
            problems.append(edited)
            continue
        locks.append(lock)
    return locks, problems


def create_lock(folder: Path, number: int, content: bytes) -> Path:
    """Write lock ``number``; fails instead of replacing an existing one.

    Raises:
        LockError: the lock exists already.
        OutputError: it cannot be written (the disk is full, no permission).
    """
    final = folder / f"{number:04d}.lock.json"
    try:
        with temporary_file(folder, ".lock.", content, 0o444) as temporary:
            try:
                os.link(temporary, final)
            except FileExistsError:
                raise LockError(
                    f"release {number} of this client exists already",
                    "run the release again to get the next number",
                ) from None
            with contextlib.suppress(OSError):
                temporary.unlink()
    except OSError as exc:
        raise output_error(final, exc) from None
    return final
