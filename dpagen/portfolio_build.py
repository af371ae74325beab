"""``dpagen build``: every agreement rendered in parallel, skipping what is already up to date.

An output is up to date when the hash of everything it is made from (the assembled document, the
templates and fonts, the format and the dpagen version) equals the hash recorded when it was last
written; timestamps play no part. Rendering runs in worker processes; a client with errors is
reported and the others are still built.
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

from .assemble import assemble
from .build import output_name, renderer_for
from .check import check_agreement
from .errors import Problem, ProblemsFound
from .fsutil import write_atomic
from .locks import sha256
from .model import Document
from .release import template_hashes
from .validate import validate_workspace
from .version import __version__
from .workspace import Workspace

MANIFEST = ".build-manifest.json"


@dataclass
class BuildReport:
    """What ``build_portfolio`` did."""

    rendered: list[Path] = field(default_factory=list)
    up_to_date: int = 0
    failed: dict[str, list[Problem]] = field(default_factory=dict)
    seconds: float = 0.0


def _render_one(doc: Document, templates: str, fmt: str, target: str) -> str:
    """Worker: render one document and write it (runs in another process)."""
    write_atomic(Path(target), renderer_for(fmt)(doc, Path(templates)))
    gc.collect()  # python-docx and WeasyPrint leave reference cycles behind
    return target


def build_portfolio(
    ws: Workspace,
    clients: list[str] | None = None,
    *,
    jobs: int | None = None,
    formats: tuple[str, ...] = ("pdf", "docx"),
    languages: tuple[str, ...] | None = None,
    out: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Render every (or the given) client's agreement that is not up to date."""
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
    target = out or ws.root / str(inputs.defaults.get("output") or "out")
    manifest_path = target / MANIFEST
    try:
        manifest: dict[str, str] = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    context = json.dumps([template_hashes(ws.templates), __version__], sort_keys=True)
    work: list[tuple[str, Document, str, Path, str]] = []
    for client, agreement in inputs.agreements.items():
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
                    work.append((client, doc, fmt, path, key))
    done = 0
    if work:
        workers = jobs or os.cpu_count() or 1
        # no max_tasks_per_child: with it, Python 3.11's pool can hang once a worker retires;
        # workers collect garbage after each document instead, which keeps memory flat
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {
                pool.submit(_render_one, doc, str(ws.templates), fmt, str(path)): (
                    client,
                    path,
                    key,
                )
                for client, doc, fmt, path, key in work
            }
            for future in as_completed(futures):
                client, path, key = futures[future]
                done += 1
                try:
                    future.result()
                except Exception as exc:  # one broken render must not stop the others
                    message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
                    report.failed.setdefault(client, []).append(
                        Problem(path, 1, 1, f"rendering failed: {message}")
                    )
                else:
                    manifest[path.relative_to(target).as_posix()] = key
                    report.rendered.append(path)
                if progress:
                    progress(done, len(work))
        write_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    report.rendered.sort()
    report.seconds = time.perf_counter() - started
    return report
