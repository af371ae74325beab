"""The document model: one assembled, numbered agreement in one language.

Every renderer (text, HTML/PDF, DOCX) and the diff read these frozen dataclasses and nothing
else, so all outputs say the same words in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class DocumentKind(StrEnum):
    """What a document is: the whole agreement with its annexes, or one annex on its own.

    A string enum, so templates compare it with plain strings (``doc.kind == "annex"``).
    """

    AGREEMENT = "agreement"
    ANNEX = "annex"


@dataclass(frozen=True)
class Run:
    """A piece of inline text with its emphasis."""

    text: str
    bold: bool = False
    italic: bool = False


Runs = tuple[Run, ...]


def plain(runs: Runs) -> str:
    """The text of ``runs`` without emphasis."""
    return "".join(run.text for run in runs)


@dataclass(frozen=True)
class Item:
    """A list item of a sub-clause, labelled ``(a)``, ``(b)`` and so on."""

    label: str
    runs: Runs


@dataclass(frozen=True)
class SubClause:
    """A paragraph of a clause; ``number`` is ``"9.1"``, or empty in a one-paragraph clause."""

    number: str
    runs: Runs
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Clause:
    """A numbered clause of the agreement."""

    id: str
    number: int
    title: str
    version: int
    variant: str | None
    subclauses: tuple[SubClause, ...]
    deviation: str | None = None  # the reason, when a negotiated text replaces the standard


@dataclass(frozen=True)
class Table:
    """A table; ``header`` is empty for label/value tables, ``widths`` are relative."""

    header: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], ...], ...]  # row → cell → lines
    widths: tuple[int, ...]
    # what each row stands for (an annex list item's id or natural key), so that a comparison
    # matches rows by identity, never by position; empty where rows have no identity
    row_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A titled part of an annex: an optional lead text and a table."""

    title: str
    table: Table | None
    lead: str = ""
    identity: str = ""  # the annex list item the section shows (an activity, a sub-processor)


@dataclass(frozen=True)
class Annex:
    """A numbered annex ("Bilaga 1") with its own version and effective date."""

    id: str
    number: int
    label: str  # "Bilaga 1" / "Annex 1"
    title: str
    version: int
    effective: str  # "Version 1, gäller från 1 december 2026"
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Party:
    """A party in the title block and signature block."""

    role: str  # "Personuppgiftsansvarig" / "Controller"
    name: str
    registration: str  # "Org.nr 556677-8899"
    address: str
    signatory: str
    signatory_role: str
    contacts: tuple[tuple[str, str], ...] = ()  # (role, "name (title), e-mail, phone")
    signatory_authority: str = ""  # "firmatecknare", "enligt delegation (KS 2026/012)"


@dataclass(frozen=True)
class Document:
    """One agreement in one language, ready for any renderer."""

    lang: str
    title: str
    agreement_id: str
    version: int
    date: str  # formatted for ``lang``
    iso_date: str
    edition: str
    facts: tuple[tuple[str, str], ...]  # label/value lines under the title
    parties: tuple[Party, ...]
    parties_heading: str
    clauses: tuple[Clause, ...]
    annexes: tuple[Annex, ...]
    signatures_heading: str
    # how the parties sign, then the lines each signatory fills in ("Ort och datum", …)
    signature_lines: tuple[str, ...]
    header: str  # running header text
    page_word: str  # "Sida" / "Page"
    of_word: str  # "av" / "of"
    draft_mark: str = ""  # "UTKAST" / "DRAFT" on a draft, empty otherwise
    kind: DocumentKind = DocumentKind.AGREEMENT
    changes_heading: str = ""
    changes: tuple[str, ...] = ()  # what changed since the annex version issued before
    # "Avvikelser från standardvillkoren: punkt 17 (…)", on the cover and in the file's metadata;
    # empty when the agreement follows its edition of the standard terms throughout
    deviations: str = ""
    # "Bilaga 1 v2 · Bilaga 2 v1 · Bilaga 3 v3" beside the page number: which annex versions a
    # printed page belongs to
    annex_versions: str = ""
    contents_heading: str = ""  # "Innehåll" / "Contents", over the table of contents
