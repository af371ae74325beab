"""Writing output files so that an interrupted run never leaves a half-written file.

Every file is first written in full to a temporary file ``.NAME.XXXXXXXX.tmp`` beside it, synced
to disk and then renamed into place, so a reader (or a run that was killed) only ever sees the old
file or the new one. While a temporary file is being written its writer holds an exclusive
``flock`` on it; a temporary file that nobody holds was left behind by a run that was killed, and
:func:`remove_stale_temporaries` deletes it. A failing write (a full disk, no permission) is an
:class:`~dpagen.errors.OutputError` that names the file, never a half-written file.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dpagen.errors import OutputError

TEMPORARY = ".{name}.????????.tmp"  # the names of temporary files (tempfile adds 8 characters)
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}


def output_error(path: Path, exc: OSError) -> OutputError:
    """The error to report when ``path`` could not be written because of ``exc``."""
    if exc.errno in _FULL:
        return OutputError(path, "the disk is full", "free some space, then run the command again")
    if exc.errno in _DENIED:
        return OutputError(
            path,
            "no permission",
            "make sure you may write in that folder and that it is not on a read-only disk",
        )
    reason = exc.strerror or str(exc) or type(exc).__name__
    return OutputError(path, reason[:1].lower() + reason[1:])


def _mode_for(path: Path) -> int:
    """Keep an existing file's mode; give a new file the mode ``open()`` would (umask applied)."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _write_all(handle: int, data: bytes) -> None:
    """Write all of ``data`` to the file descriptor ``handle``."""
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


def _same_file(handle: int, path: Path) -> bool:
    """True when ``path`` still is the file open as ``handle``."""
    try:
        here, there = os.fstat(handle), path.stat(follow_symlinks=False)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _locked_temporary(folder: Path, prefix: str) -> tuple[int, Path]:
    """Create a temporary file in ``folder`` and hold an exclusive lock on it."""
    while True:
        handle, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
        fcntl.flock(handle, fcntl.LOCK_EX)
        if _same_file(handle, Path(name)):
            return handle, Path(name)
        os.close(handle)  # swept away as stale before we held it: take another name


@contextlib.contextmanager
def temporary_file(folder: Path, prefix: str, data: bytes, mode: int) -> Iterator[Path]:
    """A temporary file in ``folder`` holding ``data``, synced to disk and locked while in use.

    The caller moves it into place (rename or link) inside the ``with`` block; when the block
    fails the file is removed. Raises OSError as the file system does.
    """
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = _locked_temporary(folder, prefix)
    try:
        _write_all(handle, data)
        os.fsync(handle)
        os.fchmod(handle, mode)
        yield temporary
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    finally:
        os.close(handle)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    Raises:
        OutputError: the file could not be written (the disk is full, no permission, ...);
            ``path`` is then as it was before.
    """
    try:
        with temporary_file(path.parent, f".{path.name}.", data, _mode_for(path)) as temporary:
            temporary.replace(path)
    except OSError as exc:
        raise output_error(path, exc) from None


def remove_stale_temporaries(folder: Path, name: str = "*") -> None:
    """Delete the temporary files that killed runs left in ``folder`` (for files ``name``).

    A temporary file that another run is writing right now is locked by it and kept.
    """
    if not folder.is_dir():
        return
    for candidate in folder.glob(TEMPORARY.format(name=name)):
        try:
            handle = os.open(candidate, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue  # gone already, or not a regular file of ours
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _same_file(handle, candidate):
                candidate.unlink()
        except OSError:
            pass  # being written by a live run, or removed meanwhile
        finally:
            os.close(handle)
