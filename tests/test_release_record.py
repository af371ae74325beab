"""Release records: a real lock reads and writes back byte for byte; a broken one is refused."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from dpagen.releases.issue import create_release, lock_folder
from dpagen.releases.record import (
    EditedLock,
    LockError,
    ReleaseKind,
    ReleaseRecord,
    canonical,
    lock_text,
    read_lock,
    read_locks,
    record_hash,
    seal,
    sha256,
)
from dpagen.workspace import Workspace
from tests.conftest import CLIENT


def _issue(ws: Workspace) -> tuple[Path, Path]:
    agreement = create_release(
        ws, CLIENT, note="Avtal", date=dt.date(2026, 12, 1), formats=("docx",)
    )
    annex = create_release(
        ws, CLIENT, note="Bilaga", annex="security", date=dt.date(2026, 12, 2), formats=("docx",)
    )
    return agreement.lock, annex.lock


def test_a_real_lock_round_trips_byte_for_byte(ws: Workspace) -> None:
    for path in _issue(ws):
        written = path.read_bytes()
        lock = read_lock(path)
        assert lock_text(lock.record, lock.outputs) == written
        assert record_hash(lock.record) == lock.record_hash == json.loads(written)["record_hash"]
        again = ReleaseRecord.from_json(lock.record.to_json())
        assert again == lock.record
        assert canonical(again.to_json()) == canonical(lock.record.to_json())


def test_typed_fields_of_a_release(ws: Workspace) -> None:
    agreement_path, annex_path = _issue(ws)
    agreement, annex = read_lock(agreement_path).record, read_lock(annex_path).record
    assert agreement.kind is ReleaseKind.AGREEMENT and agreement.annex is None
    assert annex.kind is ReleaseKind.ANNEX and annex.issued_annex == "security"
    assert annex.issued_annexes == ("security",)
    assert set(agreement.issued_annexes) == set(agreement.annexes)
    assert annex.previous_annex_version == agreement.annex_version("security")
    assert (agreement.release, annex.release) == (1, 2)
    assert agreement.date == dt.date(2026, 12, 1) and agreement.formats == ("docx",)
    assert isinstance(agreement.agreement_version, int)
    assert agreement.edition.clause_versions[0][0] == agreement.edition.clauses[0].split("@")[0]
    assert json.loads(annex_path.read_text())["record"]["kind"] == "annex"
    with pytest.raises(ValueError):
        agreement.issued_annex  # noqa: B018


def _rewrite(path: Path, change: Any) -> None:
    """Change the record of the lock at ``path`` and give it a matching hash, as a forger would."""
    from dpagen.releases.record import _decode, _encode

    body = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
    change(body["record"])
    body["record_hash"] = sha256(canonical(body["record"]))
    body["seal"] = seal(body["record"], body["outputs"])
    path.chmod(0o644)
    path.write_text(json.dumps(body, default=_encode), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.pop("client"), "record.client is missing"),
        (lambda r: r.update(release="1"), "record.release should be a whole number, not a string"),
        (lambda r: r.update(release=True), "record.release should be a whole number"),
        (lambda r: r.update(date="2026-12-01"), "record.date should be a date, not a string"),
        (
            lambda r: r.update(kind="amendment"),
            "record.kind should be agreement, annex or contacts",
        ),
        (lambda r: r.update(annex="security"), "record.annex does not fit"),
        (lambda r: r["edition"].pop("variants"), "record.edition.variants is missing"),
        (lambda r: r["edition"]["clauses"].append("x"), "should be CLAUSE@VERSION"),
        (lambda r: r["agreement"]["agreement"].pop("version"), "agreement.agreement.version"),
        (lambda r: r["annexes"]["security"].update(version=None), "annexes.security.version"),
        (lambda r: r.update(languages="sv"), "record.languages should be a list of strings"),
        (lambda r: r.update(texts=[]), "record.texts should be an object, not a list"),
        (lambda r: r.update(extra=1), "record has the unknown field 'extra'"),
        (lambda r: r.update(format=3), "record format 3 is not known"),
    ],
)
def test_a_broken_record_is_a_positioned_problem(ws: Workspace, change: Any, message: str) -> None:
    path, _ = _issue(ws)
    _rewrite(path, change)
    with pytest.raises(LockError) as raised:
        read_lock(path)
    assert not isinstance(raised.value, EditedLock) and message in raised.value.message
    locks, problems = read_locks(lock_folder(ws, CLIENT))
    assert [lock.number for lock in locks] == [2]
    [problem] = problems
    assert (problem.path, problem.line, problem.column) == (path, 1, 1)
    assert "is not a readable release lock" in problem.message and message in problem.message


def test_an_edit_that_breaks_the_record_is_reported_as_an_edit(ws: Workspace) -> None:
    path, _ = _issue(ws)
    body = json.loads(path.read_text(encoding="utf-8"))
    del body["record"]["client"]
    path.chmod(0o644)
    path.write_text(json.dumps(body), encoding="utf-8")
    _, problems = read_locks(lock_folder(ws, CLIENT))
    assert [p.message for p in problems] == ["release lock has been edited"]
