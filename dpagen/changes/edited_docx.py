"""``dpagen diff --file``: what a DOCX that came back from outside changed against its release."""

from __future__ import annotations

import difflib
from pathlib import Path

from dpagen.changes.diff import Change, ChangeKind, words
from dpagen.errors import UsageError
from dpagen.releases.issue import find_lock, render_record
from dpagen.workspace import Workspace


def diff_edited_docx(ws: Workspace, client: str, path: Path) -> tuple[str, list[Change]]:
    """Every paragraph a DOCX that came back from outside changed against the release it names.

    Raises:
        UsageError: the file names no release of this workspace.
    """
    from dpagen.files.docx_reading import TooLarge, docx_lines, open_docx
    from dpagen.releases.verify import all_locks, origin_of

    data = path.read_bytes()
    if not data.startswith(b"PK"):
        raise UsageError(f"{path} is not a DOCX file", "--file compares Word documents")
    try:
        open_docx(data)
    except TooLarge as exc:
        raise UsageError(f"{path}: {exc}", "a Word agreement is a few hundred KiB") from None
    except Exception:  # a damaged archive or document: python-docx raises many kinds
        raise UsageError(f"{path} is not a readable DOCX file") from None
    origin = origin_of(data, all_locks(ws))
    if origin is None:
        raise UsageError(
            f"{path} does not come from a release of this workspace",
            "compare only DOCX files issued by 'dpagen release'",
        )
    origin_client, number = origin
    if origin_client != client:
        raise UsageError(f"{path} comes from release {number} of {origin_client}, not {client}")
    lock = find_lock(ws, client, number)
    language = _docx_language(data)
    issued = {
        name: body
        for name, body in render_record(ws, lock.record, lock.path).items()
        if name.endswith(f".{language}.docx")
    }
    if not issued:
        raise UsageError(f"release {number} of {client} has no DOCX in '{language}'")
    before = docx_lines(next(iter(issued.values())))
    after = docx_lines(data)
    changes: list[Change] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(pairs):
            changes.append(
                Change(
                    ChangeKind.PARAGRAPH_CHANGED,
                    f"paragraph {j1 + k + 1}",
                    before[i1 + k],
                    after[j1 + k],
                    (words(before[i1 + k], after[j1 + k]),),
                )
            )
        for k in range(i1 + pairs, i2):
            changes.append(
                Change(
                    ChangeKind.PARAGRAPH_REMOVED,
                    f"paragraph {k + 1}",
                    before[k],
                    None,
                    (f"[-{before[k]}-]",),
                )
            )
        for k in range(j1 + pairs, j2):
            changes.append(
                Change(
                    ChangeKind.PARAGRAPH_ADDED,
                    f"paragraph {k + 1}",
                    None,
                    after[k],
                    (f"{{+{after[k]}+}}",),
                )
            )
    return f"{path.name} against release {number} of {client}", changes


def _similar_pairs(old: list[str], new: list[str]) -> list[tuple[int, int]]:
    """Pairs of paragraphs, in order, that are edits of each other rather than new text."""
    pairs: list[tuple[int, int]] = []
    start = 0
    for k, text in enumerate(old):
        for m in range(start, len(new)):
            if difflib.SequenceMatcher(None, text, new[m], autojunk=False).ratio() >= 0.6:
                pairs.append((k, m))
                start = m + 1
                break
    return pairs


def _docx_language(data: bytes) -> str:
    from dpagen.files.docx_reading import open_docx

    language = open_docx(data).core_properties.language or "sv"
    return language if language in ("sv", "en") else "sv"
