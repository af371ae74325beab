"""Release locks: canonical JSON with dates, content hashes, and safe creation of new locks.

A lock is ``agreements/<client>/releases/NNNN.lock.json``. Its ``record`` holds everything needed
to render the release again (inputs, clause texts, template hashes); ``record_hash`` is the SHA-256
of the canonical record, and ``outputs`` the SHA-256 of every file the release produced. Locks are
created with a hard link, which fails rather than overwrite, under an exclusive file lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
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


def record_hash(record: dict[str, Any]) -> str:
    """The hash that identifies a release's record."""
    return sha256(canonical(record))


@dataclass(frozen=True)
class Lock:
    """A release lock as read from disk."""

    path: Path
    record: dict[str, Any]
    record_hash: str
    outputs: dict[str, str]  # file name → SHA-256

    @property
    def number(self) -> int:
        """The release number."""
        return int(self.record["release"])

    def intact(self) -> bool:
        """True when the record still has the hash written with it."""
        return record_hash(self.record) == self.record_hash


class LockError(DpagenError):
    """A lock that cannot be read, or a release that cannot be created."""


def lock_text(record: dict[str, Any], outputs: dict[str, str]) -> bytes:
    """The file content of a lock (readable JSON)."""
    body = {"record": record, "record_hash": record_hash(record), "outputs": outputs}
    return (
        json.dumps(body, default=_encode, sort_keys=True, ensure_ascii=False, indent=1) + "\n"
    ).encode("utf-8")


def read_lock(path: Path) -> Lock:
    """Read one lock file.

    Raises:
        LockError: the file is missing or not a lock.
    """
    try:
        body = json.loads(path.read_text(encoding="utf-8"), object_hook=_decode)
        return Lock(path, body["record"], body["record_hash"], dict(body["outputs"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise LockError(f"{path} is not a readable release lock: {exc}") from None


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
        try:
            lock = read_lock(path)
        except LockError as exc:
            problems.append(Problem(path, 1, 1, exc.message, "restore the file from your backup"))
            continue
        if not lock.intact() or f"{lock.number:04d}.lock.json" != path.name:
            problems.append(
                Problem(
                    path,
                    1,
                    1,
                    "release lock has been edited",
                    "locks are written by dpagen only; restore the original file",
                )
            )
            continue
        locks.append(lock)
    return locks, problems


@contextlib.contextmanager
def exclusive(folder: Path, name: str = ".release.lock") -> Iterator[None]:
    """Hold the lock file ``folder/name`` (by default a client's release lock) exclusively.

    Raises:
        OutputError: the lock file cannot be created (no permission, the disk is full).
    """
    path = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = path.open("a")
    except OSError as exc:
        raise output_error(path, exc) from None
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
