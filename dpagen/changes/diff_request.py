"""One ``dpagen diff`` request: which two versions, which kind of answer, and where a file goes.

``compare`` resolves the versions (release numbers, ``working``, or by default the latest
release against the working copy), refuses options that do not fit together, and either returns
the changes or writes the redline, amendment or tracked-changes file and returns its path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dpagen.changes.diff import (
    Change,
    State,
    amendment_document,
    change_json,
    compare_states,
    describe,
    diff_against_standard,
    load_state,
    redline_document,
)
from dpagen.changes.edited_docx import diff_edited_docx
from dpagen.errors import UsageError
from dpagen.files.atomic import write_atomic
from dpagen.results import count
from dpagen.workspace import Workspace

DOCUMENT_FORMATS = ("docx", "html", "pdf")
FORMATS = ("text", "json", *DOCUMENT_FORMATS)


@dataclass(frozen=True)
class DiffResult:
    """The changes found, or the file written for a document format."""

    title: str = ""
    changes: list[Change] = field(default_factory=list)
    written: Path | None = None
    lang: str = "sv"
    hidden: int = 0  # changes only to the text of the other language

    def lines(self) -> list[str]:
        """The changes as text: the title, one line per change, its redline indented."""
        lines = [self.title] + (["  no changes"] if not self.changes else [])
        for change in self.changes:
            lines.append(f"  {describe(change, self.lang)}")
            lines += [f"      {line}" for line in change.redline]
        if self.hidden:
            other = "en" if self.lang == "sv" else "sv"
            lines.append(
                f"  ({count(self.hidden, 'further change')} only in the '{other}' text: "
                f"see --lang {other})"
            )
        return lines

    def json(self) -> list[dict[str, Any]]:
        """The changes as JSON-ready data."""
        return [change_json(change) for change in self.changes]


def compare(
    ws: Workspace,
    client: str,
    refs: tuple[str, ...] = (),
    *,
    against_standard: bool = False,
    fmt: str = "text",
    out: Path | None = None,
    amendment: bool = False,
    edited: Path | None = None,
    lang: str = "sv",
) -> DiffResult:
    """What changed in ``client``'s agreement between ``refs`` (FROM, TO).

    Raises:
        UsageError: options that do not go together, or no release to compare with.
        ProblemsFound: a version does not validate.
    """
    if len(refs) > 2:
        raise UsageError("give at most two versions: FROM and TO")
    if amendment and fmt not in ("html", "pdf"):
        raise UsageError("--amendment is made as a document", "add --format pdf or --format html")
    if edited is not None:
        if refs or against_standard or fmt not in ("text", "json"):
            raise UsageError("--file compares one DOCX with its release; give nothing else")
        title, changes, language = diff_edited_docx(ws, client, edited)
        return DiffResult(title, changes, lang=language)
    if against_standard:
        if fmt not in ("text", "json"):
            raise UsageError("--against-standard gives text or json", "use --format text or json")
        if refs:
            raise UsageError("--against-standard compares the working copy; give no versions")
        state = load_state(ws, client, "working")
        return DiffResult(
            f"{client}: working copy against the standard terms",
            diff_against_standard(state, lang),
            lang=lang,
        )
    if not refs:
        refs = (str(_latest_release(ws, client)),)
    old = load_state(ws, client, refs[0])
    new = load_state(ws, client, refs[1] if len(refs) > 1 else "working")
    if fmt in DOCUMENT_FORMATS:
        return DiffResult(
            written=_write_document(ws, client, refs, old, new, fmt, out, amendment, lang)
        )
    found = compare_states(old, new, lang)
    return DiffResult(
        f"{client}: {old.label} → {new.label}", found.changes, lang=lang, hidden=found.hidden
    )


def _latest_release(ws: Workspace, client: str) -> int:
    from dpagen.releases.history import client_locks

    locks = client_locks(ws, client)
    if not locks:
        raise UsageError(
            f"{client} has no release to compare with",
            "give two versions, or issue one with 'dpagen release'",
        )
    return locks[-1].number


def _write_document(
    ws: Workspace,
    client: str,
    refs: tuple[str, ...],
    old: State,
    new: State,
    fmt: str,
    out: Path | None,
    amendment: bool,
    lang: str,
) -> Path:
    """Write the redline (or amendment) to ``out`` or the workspace's output folder."""
    from dpagen.output.paths import workspace_output_root

    if out is None:
        names = [r if r == "working" else f"r{r}" for r in (*refs, "working")[:2]]
        kind = "amendment" if amendment else "diff"
        out = workspace_output_root(ws) / client / f"{client}-{kind}-{'-'.join(names)}.{lang}.{fmt}"
    make = amendment_document if amendment else redline_document
    write_atomic(out, make(old, new, lang, fmt))
    return out
