"""``dpagen build``: every agreement rendered in parallel, skipping what is already up to date.

An output is up to date when the hash of everything it is made from (the assembled document, the
templates and fonts, the format and the dpagen version) equals the hash recorded when it was last
written; timestamps play no part. Rendering runs in worker processes; a client with errors is
reported and the others are still built.

With ``releases`` the issued releases are built instead: every file of every lock, rendered from
the lock's record alone into the release's folder and written only when its bytes are the ones
the lock recorded.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpagen.checks.legal import check_agreement
from dpagen.checks.validate import validate_workspace
from dpagen.document.assemble import assemble
from dpagen.document.model import Document
from dpagen.errors import DpagenError, OutputError, Problem, ProblemsFound, UsageError
from dpagen.files.atomic import remove_stale_temporaries, write_atomic
from dpagen.files.file_lock import exclusive
from dpagen.output.agreement_files import (
    DEFAULT_FORMATS,
    output_name,
    refuse_with_release,
    renderer_for,
)
from dpagen.output.paths import output_root, workspace_output_root
from dpagen.releases.issue import (
    changed_templates,
    issued_files_folder,
    release_file_name,
    render_record,
    template_hashes,
)
from dpagen.releases.record import ReleaseRecord, read_locks, sha256
from dpagen.releases.recreation import kept_file, why_different
from dpagen.results import count
from dpagen.version import __version__
from dpagen.workspace import Workspace

MANIFEST = ".build-manifest.json"
MANIFEST_LOCK = ".build-manifest.lock"
Failure = tuple[str, str] | None  # what a worker returns: None, or a message and a hint


@dataclass
class BuildReport:
    """What ``build`` or ``build_releases`` did.

    ``restored`` files were copied from those a release kept beside its lock; ``rendered`` ones
    were made (for ``build --releases --check``, made again and found identical).
    """

    rendered: list[Path] = field(default_factory=list)
    restored: list[Path] = field(default_factory=list)  # issued files copied from the workspace
    up_to_date: int = 0
    failed: dict[str, list[Problem]] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        """The closing line: how many files were rendered, up to date and failed."""
        restored = f", restored {len(self.restored)}" if self.restored else ""
        return (
            f"rendered {len(self.rendered)}{restored}, up to date {self.up_to_date}, "
            f"failed {count(len(self.failed), 'client')}, {self.seconds:.1f} s"
        )


@dataclass(frozen=True)
class _Task:
    """One file to render in a worker: ``function(*args)`` writes ``path``."""

    client: str
    path: Path
    key: str  # recorded in the manifest once the file is written
    where: Path  # the file a failure is reported against
    function: Callable[..., Failure]
    args: tuple[Any, ...]


def _render_one(doc: Document, templates: str, fmt: str, target: str) -> Failure:
    """Worker: render one document and write it (runs in another process)."""
    write_atomic(Path(target), renderer_for(fmt)(doc, Path(templates)))
    gc.collect()  # python-docx and WeasyPrint leave reference cycles behind
    return None


def _render_release_file(
    root: str, record: ReleaseRecord, lock: str, name: str, expected: str, target: str
) -> Failure:
    """Worker: render one file of a release; write it only if it has the bytes issued."""
    files = render_record(Workspace(Path(root)), record, Path(lock), names={name})
    gc.collect()
    data = files.get(name)
    if data is None or sha256(data) != expected:
        error = why_different(record, [name])
        return (error.message, error.hint)
    write_atomic(Path(target), data)
    return None


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        manifest: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    return manifest


def _record(path: Path, entries: dict[str, str]) -> None:
    """Add ``entries`` to the manifest at ``path``, keeping what other builds recorded meanwhile.

    Builds running at the same time in one output folder take turns: each reads the manifest,
    adds its entries and writes it under an exclusive lock, so none loses another's entries.
    """
    if not entries:
        return
    with exclusive(path.parent, MANIFEST_LOCK):
        manifest = _read_manifest(path)
        manifest.update(entries)
        write_atomic(path, json.dumps(manifest, indent=1, sort_keys=True).encode())


def _run(
    tasks: list[_Task],
    *,
    root: Path,
    target: Path,
    entries: dict[str, str],
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
    report: BuildReport,
) -> None:
    """Run ``tasks`` in worker processes, adding each file written to ``entries``."""
    workers = jobs or os.cpu_count() or 1
    done = 0
    # no max_tasks_per_child: with it, Python 3.11's pool can hang once a worker retires;
    # workers collect garbage after each document instead, which keeps memory flat
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(task.function, *task.args): task for task in tasks}
        for future in as_completed(futures):
            task = futures[future]
            done += 1
            problems: list[Problem] = []
            try:
                failure = future.result()
            except ProblemsFound as exc:  # positioned problems keep their positions
                failure, problems = None, exc.problems
            except OutputError as exc:  # the disk is full, no permission, ...
                failure = (exc.describe(root), exc.hint)
            except DpagenError as exc:
                failure = (exc.message, exc.hint)
            except Exception as exc:  # one broken render must not stop the others
                message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
                failure = (f"rendering failed: {message}", "")
            if failure is not None:
                problems = [Problem(task.where, 1, 1, failure[0], failure[1])]
            if problems:
                report.failed.setdefault(task.client, []).extend(problems)
            else:
                entries[task.path.relative_to(target).as_posix()] = task.key
                report.rendered.append(task.path)
            if progress:
                progress(done, len(tasks))


def build(
    ws: Workspace,
    clients: list[str] | None = None,
    *,
    releases: bool = False,
    check: bool = False,
    jobs: int | None = None,
    formats: tuple[str, ...] | None = None,
    languages: tuple[str, ...] | None = None,
    out: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """``dpagen build``: render what is not up to date, or with ``releases`` the issued releases.

    Every (or the given) client's agreement is rendered in worker processes, each output only
    when what it is made from changed since the last build. With ``releases`` and ``check``
    every issued file is rendered again from its lock and compared.

    Raises:
        UsageError: layout options given with ``releases``, or ``check`` without it.
    """
    if check and not releases:
        raise UsageError("--check re-creates issued releases", "add --releases")
    if releases:
        refuse_with_release("--releases", format=formats, lang=languages)
        return build_releases(ws, clients, jobs=jobs, out=out, progress=progress, check=check)
    formats = formats or DEFAULT_FORMATS
    started = time.perf_counter()
    report = BuildReport()
    inputs, problems = validate_workspace(ws, clients)
    outside = [
        p
        for p in problems
        if p.severity == "error"
        and not any(
            ws.agreements / c in p.path.parents or p.path == ws.agreements / c
            for c in inputs.agreements
        )
    ]
    if outside:  # the library or dpagen.yaml is broken: nothing can be built
        raise ProblemsFound(outside)
    target = output_root(inputs, out)
    manifest_path = target / MANIFEST
    manifest = _read_manifest(manifest_path)
    remove_stale_temporaries(target, MANIFEST)  # left by a build that was killed
    context = json.dumps([template_hashes(ws.templates), __version__], sort_keys=True)
    tasks: list[_Task] = []
    for client, agreement in inputs.agreements.items():
        remove_stale_temporaries(target / client)
        own = [
            p
            for p in problems
            if p.severity == "error" and (ws.agreements / client) in (p.path, *p.path.parents)
        ]
        own += (
            [p for p in check_agreement(inputs, client) if p.severity == "error"] if not own else []
        )
        if own:
            report.failed[client] = own
            continue
        for lang in languages or agreement.languages:
            if lang not in agreement.languages:
                continue
            doc = assemble(inputs, client, lang)
            for fmt in formats:
                path = target / client / output_name(client, doc.version, lang, fmt)
                key = sha256(f"{fmt}|{context}|{doc!r}".encode())
                relative = path.relative_to(target).as_posix()
                if path.is_file() and manifest.get(relative) == key:
                    report.up_to_date += 1
                else:
                    args = (doc, str(ws.templates), fmt, str(path))
                    tasks.append(_Task(client, path, key, path, _render_one, args))
    return _finish(tasks, ws, target, manifest_path, {}, jobs, progress, report, started)


def build_releases(
    ws: Workspace,
    clients: list[str] | None = None,
    *,
    jobs: int | None = None,
    out: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    check: bool = False,
) -> BuildReport:
    """Restore every issued release of every (or the given) client that is not up to date.

    The files kept beside each lock are copied; one that is not kept is rendered from its lock
    and written only with the recorded bytes. With ``check``, every file is rendered from its
    lock instead and compared with the recorded bytes, up to date or not: a re-creation check
    of the rendering environment.

    A file is up to date when the manifest holds the hash of its lock's record and recorded
    output, the templates and the dpagen version, or when it already has the bytes the lock
    recorded. A release whose templates changed since it was issued fails for its client and
    nothing of it is written, as is a file that renders to other bytes than the lock recorded;
    the other releases are still built.
    """
    started = time.perf_counter()
    report = BuildReport()
    base = workspace_output_root(ws, out)  # where issued_files_folder puts releases
    manifest_path = base / MANIFEST
    manifest = _read_manifest(manifest_path)
    remove_stale_temporaries(base, MANIFEST)  # left by a build that was killed
    entries: dict[str, str] = {}
    current = template_hashes(ws.templates)
    context = json.dumps([current, __version__], sort_keys=True)
    tasks: list[_Task] = []
    for client in clients if clients is not None else ws.clients():
        folder = ws.client_dir(client, must_exist=clients is not None) / "releases"
        locks, problems = read_locks(folder)
        failed = list(problems)
        for lock in locks:
            record = lock.record
            target = issued_files_folder(ws, out, client, lock.number)
            remove_stale_temporaries(target)
            names = {
                release_file_name(record, lang, fmt)
                for lang in record.languages
                for fmt in record.formats
            }
            if names != set(lock.outputs):
                failed.append(
                    Problem(
                        lock.path,
                        1,
                        1,
                        f"release {lock.number} lists other files than it renders",
                        "restore the lock from your backup",
                    )
                )
                continue
            pending = []
            for name in sorted(names):
                path = target / name
                relative = path.relative_to(base).as_posix()
                key = sha256(f"release|{lock.record_hash}|{lock.outputs[name]}|{context}".encode())
                if not check and path.is_file() and manifest.get(relative) == key:
                    report.up_to_date += 1
                else:
                    pending.append((name, path, relative, key))
            to_render = []
            for name, path, relative, key in pending:
                if not check and path.is_file() and sha256(path.read_bytes()) == lock.outputs[name]:
                    # already the issued bytes, e.g. written by `dpagen release`
                    entries[relative] = key
                    report.up_to_date += 1
                    continue
                kept = None if check else kept_file(lock, name)
                if kept is not None:  # the issued file, kept beside its lock
                    write_atomic(path, kept)
                    entries[relative] = key
                    report.restored.append(path)
                    continue
                to_render.append((name, path, key))
            if not to_render:
                continue
            changed = changed_templates(lock, current)
            if changed is not None:
                failed.append(Problem(lock.path, 1, 1, *changed))
                continue
            for name, path, key in to_render:
                args = (str(ws.root), record, str(lock.path), name, lock.outputs[name], str(path))
                tasks.append(_Task(client, path, key, lock.path, _render_release_file, args))
        if failed:
            report.failed[client] = failed
    return _finish(tasks, ws, base, manifest_path, entries, jobs, progress, report, started)


def _finish(
    tasks: list[_Task],
    ws: Workspace,
    target: Path,
    manifest_path: Path,
    entries: dict[str, str],
    jobs: int | None,
    progress: Callable[[int, int], None] | None,
    report: BuildReport,
    started: float,
) -> BuildReport:
    """Run the tasks, record what was written in the manifest and complete the report."""
    if tasks:
        _run(
            tasks,
            root=ws.root,
            target=target,
            entries=entries,
            jobs=jobs,
            progress=progress,
            report=report,
        )
    _record(manifest_path, entries)
    report.rendered.sort()
    report.seconds = time.perf_counter() - started
    return report
