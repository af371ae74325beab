"""Test-only: kill a dpagen run at a chosen file-system call; Python loads it as sitecustomize.

``tests.helpers.run_killed`` puts this folder first on the PYTHONPATH of a dpagen process it
starts in a new process group, with ``DPAGEN_TEST_KILL=CALL:N`` and
``DPAGEN_TEST_KILL_COUNTER`` naming a file that counts the calls of every process of the run
(build's workers included). At the Nth call the whole run is killed with SIGKILL:

- ``fsync:N``: the Nth file is complete in its temporary file but not renamed; the temporary file
  is first cut to half its length, as if the run had died while writing it;
- ``before-replace:N`` / ``after-replace:N``: just before or just after the Nth rename into place;
- ``before-link:N`` / ``after-link:N``: just before or after the Nth release lock is linked.
"""

from __future__ import annotations

import fcntl
import os
import signal


def _install(spec: str, counter: str) -> None:
    call, _, number = spec.partition(":")
    wanted = int(number)
    if "DPAGEN_TEST_KILL_GROUP" not in os.environ and os.getpid() == os.getpgrp():
        os.environ["DPAGEN_TEST_KILL_GROUP"] = str(os.getpid())  # the dpagen command itself

    def reached() -> bool:
        """Count one call, in every process of the run; True at the Nth."""
        handle = os.open(counter, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            count = int(os.read(handle, 32) or b"0") + 1
            os.lseek(handle, 0, os.SEEK_SET)
            os.write(handle, str(count).encode())
        finally:
            os.close(handle)
        return count == wanted

    def die() -> None:
        group = int(os.environ.get("DPAGEN_TEST_KILL_GROUP", "0"))
        if group and os.getpgrp() == group:  # never anything outside the run's own group
            os.killpg(group, signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)

    real_fsync, real_replace, real_link = os.fsync, os.replace, os.link

    def fsync(fd, *args, **kwargs):
        if call == "fsync" and reached():
            os.ftruncate(fd, os.fstat(fd).st_size // 2)
            die()
        return real_fsync(fd, *args, **kwargs)

    def replace(src, dst, *args, **kwargs):
        hit = call in ("before-replace", "after-replace") and reached()
        if hit and call == "before-replace":
            die()
        result = real_replace(src, dst, *args, **kwargs)
        if hit:
            die()
        return result

    def link(src, dst, *args, **kwargs):
        hit = call in ("before-link", "after-link") and reached()
        if hit and call == "before-link":
            die()
        result = real_link(src, dst, *args, **kwargs)
        if hit:
            die()
        return result

    os.fsync, os.replace, os.link = fsync, replace, link


if os.environ.get("DPAGEN_TEST_KILL"):
    _install(os.environ["DPAGEN_TEST_KILL"], os.environ["DPAGEN_TEST_KILL_COUNTER"])
