"""The files a release issued, kept beside its lock, and re-creating them from the lock.

``dpagen release`` keeps each issued PDF/A and DOCX in ``agreements/<client>/releases/NNNN/``,
next to ``NNNN.lock.json``, whose sealed ``outputs`` hold their hashes: the workspace (under
version control) then holds what was signed, whatever machine renders next. ``render --release``
and ``build --releases`` restore those files. Re-rendering from the lock is a check that passes
wherever the rendering environment is the recorded one; when it fails, the message names each
component that differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dpagen.errors import RenderError
from dpagen.files.atomic import remove_stale_temporaries, write_atomic
from dpagen.releases.environment import differences, rendering_environment
from dpagen.releases.record import Lock, ReleaseRecord, sha256
from dpagen.workspace import Workspace


def kept_folder(lock: Lock) -> Path:
    """Where the issued files of ``lock``'s release are kept: ``releases/NNNN/``."""
    return lock.path.parent / f"{lock.number:04d}"


def kept_file(lock: Lock, name: str) -> bytes | None:
    """The kept file ``name`` of the release, if it is there with the bytes the lock recorded."""
    path = kept_folder(lock) / name
    if path.is_symlink() or not path.is_file():
        return None
    data = path.read_bytes()
    return data if sha256(data) == lock.outputs.get(name) else None


def write_files(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write a release's files into ``folder`` (beside the lock, or the output folder)."""
    remove_stale_temporaries(folder)  # left by a run that was killed
    written = []
    for name, data in files.items():
        write_atomic(folder / name, data)
        written.append(folder / name)
    return written


def why_different(record: ReleaseRecord, names: list[str]) -> RenderError:
    """The error for a release whose files re-rendered to other bytes, naming what differs."""
    issued = dict(record.environment)
    message = f"release {record.release} re-rendered differently: {', '.join(names)}"
    if not issued:
        return RenderError(
            message,
            f"it was made with dpagen {record.dpagen_version} before releases recorded their "
            "rendering environment; restore its issued files from your archive",
        )
    changed = differences(issued, rendering_environment())
    if changed:
        return RenderError(message, f"the rendering environment differs: {'; '.join(changed)}")
    return RenderError(
        message,
        "the rendering environment is the one recorded; a font installed on this machine may "
        "differ",
    )


def rerendered(ws: Workspace, lock: Lock) -> dict[str, bytes]:
    """Every file of the release rendered again from its lock, each checked against the lock.

    Raises:
        RenderError: a template or font changed since the release, or a file would differ.
    """
    from dpagen.releases.issue import changed_templates, render_record, template_hashes

    changed = changed_templates(lock, template_hashes(ws.templates))
    if changed:
        raise RenderError(*changed)
    files = render_record(ws, lock.record, lock.path)
    differing = [name for name, data in files.items() if lock.outputs.get(name) != sha256(data)]
    if differing or set(files) != set(lock.outputs):
        raise why_different(lock.record, differing or sorted(set(files) ^ set(lock.outputs)))
    return files


def restore_release(ws: Workspace, client: str, number: int, out: Path | None = None) -> list[Path]:
    """Write release ``number``'s issued files to the output folder, byte for byte.

    The kept files are copied; a release without them (issued before files were kept) is
    re-rendered from its lock, which must give the recorded bytes.

    Raises:
        RenderError: a file is not kept and re-renders differently.
    """
    from dpagen.releases.issue import find_lock, issued_files_folder

    lock = find_lock(ws, client, number)
    kept = {name: kept_file(lock, name) for name in sorted(lock.outputs)}
    files = (
        {name: data for name, data in kept.items() if data is not None}
        if all(data is not None for data in kept.values())
        else rerendered(ws, lock)
    )
    return write_files(issued_files_folder(ws, out, client, number), files)


@dataclass(frozen=True)
class ReleaseOnThisMachine:
    """Whether one release's files are kept, and whether this machine re-renders them."""

    client: str
    release: int
    kept: bool
    differences: tuple[str, ...]  # the rendering components that differ from the recorded ones
    recorded: bool  # False for a release issued before environments were recorded
    templates_changed: bool

    def line(self) -> str:
        """The release as one line."""
        kept = "files kept" if self.kept else "files NOT kept"
        if not self.recorded:
            here = "issued before environments were recorded"
        elif self.templates_changed:
            here = "templates changed since, cannot re-render"
        elif self.differences:
            here = f"would re-render differently: {'; '.join(self.differences)}"
        else:
            here = "re-renders here as issued"
        return f"  {self.client} release {self.release}: {kept}; {here}"


@dataclass(frozen=True)
class EnvironmentReport:
    """``dpagen env``: this machine's rendering environment and what it can re-create."""

    environment: dict[str, str]
    releases: list[ReleaseOnThisMachine]

    def lines(self) -> list[str]:
        """The report as text."""
        from dpagen.releases.environment import environment_lines

        lines = ["rendering environment:"]
        lines += [f"  {line}" for line in environment_lines(self.environment)]
        if self.releases:
            lines.append("releases:")
            lines += [release.line() for release in self.releases]
        return lines


def environment_report(ws: Workspace) -> EnvironmentReport:
    """This machine's rendering environment, and for every release whether it re-renders here."""
    from dpagen.releases.issue import changed_templates, template_hashes
    from dpagen.releases.verify import all_locks

    current = rendering_environment()
    templates = template_hashes(ws.templates)
    releases = []
    for client, lock in all_locks(ws):
        issued = dict(lock.record.environment)
        releases.append(
            ReleaseOnThisMachine(
                client,
                lock.number,
                all(kept_file(lock, name) is not None for name in lock.outputs),
                tuple(differences(issued, current)) if issued else (),
                bool(issued),
                changed_templates(lock, templates) is not None,
            )
        )
    return EnvironmentReport(current, releases)
