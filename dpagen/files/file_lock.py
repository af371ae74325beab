"""Exclusive file locks, so that runs at the same time take turns (releases, the build manifest)."""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from dpagen.files.atomic import output_error


@contextlib.contextmanager
def exclusive(folder: Path, name: str) -> Iterator[None]:
    """Hold the lock file ``folder/name`` exclusively while the block runs.

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
