"""The document model as one flat sequence of paragraphs and tables, in reading order.

The text, DOCX and HTML (so PDF) renderers all write exactly this sequence, so they cannot
disagree on a word. ``number`` carries the clause numbering for formats without automatic
numbering (text, HTML); Word numbers the same paragraphs itself through its list styles. The HTML
layout also needs to know where each clause, the signatures and each annex begin (``begins``,
``anchor``) and what each row of the parties and signature tables holds (``row_kinds``); the other
writers ignore those fields. The table of contents of the PDF and the DOCX is read from the same
sequence (:func:`contents`).
"""

from __future__ import annotations

from dataclasses import dataclass

from dpagen.document.model import Document, Party, Run, Runs, Table, plain


@dataclass(frozen=True)
class Para:
    """One paragraph with a style name from the fixed set below.

    ``begins`` is set on the first paragraph of a part of the document: ``clause``,
    ``signatures`` or ``annex``; ``anchor`` is the id that links and bookmarks to that part (or to
    the parties' heading) use.
    ``identity`` names the annex list item a section title stands for, for comparisons.
    """

    style: str
    runs: Runs
    number: str = ""
    page_break: bool = False
    begins: str = ""
    anchor: str = ""
    identity: str = ""


@dataclass(frozen=True)
class TableBlock:
    """A table; ``style`` tells the renderers how to dress it.

    ``row_kinds`` says, row by row, what a parties or signature table holds: ``name`` (the
    parties' names), ``contact`` (a contact role and person), ``line`` (a line to sign on) or
    ``""`` (anything else).
    """

    table: Table
    style: str = "data"
    row_kinds: tuple[str, ...] = ()
    identity: str = ""  # the annex list item the table describes, as on its section's title


Block = Para | TableBlock


def _text(text: str) -> Runs:
    return (Run(text),)


def outline(doc: Document) -> list[Block]:
    """Every block of ``doc`` in reading order."""
    blocks: list[Block] = [Para("draft_mark", _text(doc.draft_mark))] if doc.draft_mark else []
    blocks.append(Para("title", _text(doc.title)))
    blocks += [
        Para("fact", (Run(f"{label}: ", bold=True), Run(value))) for label, value in doc.facts
    ]
    blocks.append(Para("heading", _text(doc.parties_heading), anchor="parties"))
    party_rows = (
        tuple((party.name,) for party in doc.parties),
        tuple((party.registration,) for party in doc.parties),
        tuple((party.address,) for party in doc.parties),
        *contact_rows(doc),
    )
    party_row_kinds = ("name", "", "", *("contact" for _ in party_rows[3:]))
    blocks.append(
        TableBlock(
            Table(tuple(p.role for p in doc.parties), party_rows, (50, 50)),
            "parties",
            party_row_kinds,
        )
    )
    if doc.kind == "annex":
        if doc.changes:
            blocks.append(Para("heading", _text(doc.changes_heading)))
            blocks += [Para("lead", _text(change)) for change in doc.changes]
    else:
        blocks += _clauses_and_signatures(doc)
    for annex in doc.annexes:
        anchor = f"annex-{annex.id}"
        if doc.kind == "agreement":
            title = f"{annex.label} – {annex.title}"
            blocks.append(
                Para("annex_title", _text(title), page_break=True, begins="annex", anchor=anchor)
            )
            blocks.append(Para("annex_effective", _text(annex.effective)))
        for index, section in enumerate(annex.sections):
            # an annex issued on its own has no title: the annex begins at its first section
            first = doc.kind == "annex" and index == 0
            blocks.append(
                Para(
                    "annex_section",
                    _text(section.title),
                    begins="annex" if first else "",
                    anchor=anchor if first else "",
                    identity=section.identity,
                )
            )
            if section.lead:
                blocks.append(Para("lead", _text(section.lead)))
            if section.table is not None:
                blocks.append(TableBlock(section.table, identity=section.identity))
    return blocks


def contact_rows(doc: Document) -> list[tuple[tuple[str, ...], ...]]:
    """One row per contact role that either party has; a cell is the role and the person."""
    roles: list[str] = []
    for party in doc.parties:
        roles += [role for role, _ in party.contacts if role not in roles]
    rows = []
    for role in roles:
        cells: list[tuple[str, ...]] = []
        for party in doc.parties:
            details = dict(party.contacts).get(role)
            cells.append((f"{role}:", details) if details else ())
        rows.append(tuple(cells))
    return rows


def _clauses_and_signatures(doc: Document) -> list[Block]:
    blocks: list[Block] = []
    for clause in doc.clauses:
        blocks.append(
            Para(
                "clause_heading",
                _text(clause.title),
                f"{clause.number}.",
                begins="clause",
                anchor=f"clause-{clause.id}",
            )
        )
        for sub in clause.subclauses:
            blocks.append(Para("clause" if sub.number else "clause_body", sub.runs, sub.number))
            blocks += [Para("item", item.runs, item.label) for item in sub.items]
    blocks.append(
        Para("heading", _text(doc.signatures_heading), begins="signatures", anchor="signatures")
    )
    intro, *lines = doc.signature_lines
    blocks.append(Para("lead", _text(intro)))
    signature_rows = (
        tuple((party.name,) for party in doc.parties),
        *(tuple((f"{line}:",) for _ in doc.parties) for line in lines),
        tuple((_signatory(party),) for party in doc.parties),
    )
    blocks.append(
        TableBlock(
            Table(tuple(p.role for p in doc.parties), signature_rows, (50, 50)),
            "signatures",
            ("name", *("line" for _ in lines), ""),
        )
    )
    return blocks


def _signatory(party: Party) -> str:
    """The signatory with role and authority: "Marie Engström, Kommundirektör, enligt …"."""
    text = f"{party.signatory}, {party.signatory_role}"
    return f"{text}, {party.signatory_authority}" if party.signatory_authority else text


@dataclass(frozen=True)
class Entry:
    """A line of the table of contents: a part's number and title, and where it begins."""

    anchor: str
    number: str
    title: str


# the parts a reader looks up: the parties, each clause, the signatures and each annex
_CONTENTS_STYLES = ("heading", "clause_heading", "annex_title")


def contents(blocks: list[Block]) -> list[Entry]:
    """The table of contents of ``blocks``; empty for a document without clauses.

    An annex or a notice issued on its own is short and has none.
    """
    paras = [block for block in blocks if isinstance(block, Para)]
    if not any(para.begins == "clause" for para in paras):
        return []
    return [
        Entry(para.anchor, para.number, plain(para.runs))
        for para in paras
        if para.anchor and para.style in _CONTENTS_STYLES
    ]


def cell_text(lines: tuple[str, ...]) -> str:
    """The lines of a table cell as one line of text."""
    return " / ".join(lines)


def row_text(row: tuple[tuple[str, ...], ...]) -> str:
    """A table row as one line of text."""
    return " | ".join(cell_text(cell) for cell in row)
