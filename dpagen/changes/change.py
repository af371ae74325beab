"""One change between two versions of an agreement, and the kinds of change there are."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ChangeKind(StrEnum):
    """What sort of change a :class:`Change` is; the values are those of ``diff --format json``."""

    EDITION = "edition"
    AGREEMENT = "agreement"  # a field of agreement.yaml's agreement section
    PARTY = "party"
    TERM = "term"
    CLAUSE_ADDED = "clause-added"
    CLAUSE_REMOVED = "clause-removed"
    CLAUSE_MOVED = "clause-moved"  # renumbered
    CLAUSE_VERSION = "clause-version"
    CLAUSE_VARIANT = "clause-variant"
    DEVIATION = "deviation"
    ANNEX_VERSION = "annex-version"
    ANNEX_FIELD = "annex-field"
    ANNEX_ROW_ADDED = "annex-row-added"
    ANNEX_ROW_REMOVED = "annex-row-removed"
    ANNEX_ROW_MOVED = "annex-row-moved"  # the same item at another place in its list
    PARAGRAPH_CHANGED = "paragraph-changed"  # in a DOCX that came back from outside
    PARAGRAPH_REMOVED = "paragraph-removed"
    PARAGRAPH_ADDED = "paragraph-added"
    PARAGRAPH_MOVED = "paragraph-moved"


@dataclass(frozen=True)
class Change:
    """One change between two states; ``path`` says where, ``old`` and ``new`` what."""

    kind: ChangeKind
    path: str
    old: Any = None
    new: Any = None
    redline: tuple[str, ...] = ()  # paragraphs with [-deleted-] and {+inserted+} words
    place: str = ""  # where, as the reader of the compared language knows the agreement
