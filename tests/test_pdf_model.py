"""The PDF says what the outline says: every paragraph, list item and table cell, in order.

The text and DOCX renderings are written from the same outline and checked against it elsewhere;
this reads the PDF back with pdftotext, so a block the HTML layout drops or moves is caught. The
table of contents, which the PDF sets before the first clause, is checked in its place.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pytest

from dpagen.document.assemble import assemble
from dpagen.document.model import Document, plain
from dpagen.document.outline import Para, contents, outline
from dpagen.inputs.load import load_inputs
from dpagen.workspace import Workspace
from tests.conftest import CLIENT, require_tool

EXAMPLES = ["ljungsjo-kommun", "nordisk-ehandel", "trygg-forsakring"]


@dataclass(frozen=True)
class Piece:
    """One text of the outline as the PDF must show it."""

    what: str  # paragraph style or table cell, with its number, for the failure message
    text: str
    side_by_side: bool = False


def squeezed(text: str) -> str:
    """``text`` without whitespace: line breaks fall anywhere in the PDF, long words included.

    A hyphen the text has before a space ("offentlighets- och") goes too: where it ends a line,
    pdftotext takes it for a soft hyphen and joins the words.
    """
    return "".join(re.sub(r"-\s+", "", unicodedata.normalize("NFKC", text)).split())


def pieces(doc: Document) -> list[Piece]:
    """Every paragraph, list item and table cell line of the outline, in reading order.

    The layout sets the facts (labels beside values), the parties and the signature blocks (one
    column per party) side by side, and pdftotext reads such columns line by line across them
    once a text wraps, so those texts can only be checked as a whole.
    """
    found: list[Piece] = []
    blocks = outline(doc)
    entries = contents(blocks)  # the table of contents precedes the first clause
    for block in blocks:
        if entries and isinstance(block, Para) and block.begins == "clause":
            found.append(Piece("contents", doc.contents_heading))
            found += [Piece("contents entry", f"{e.number} {e.title}".strip()) for e in entries]
            entries = []
        if isinstance(block, Para):
            what = f"{block.style} {block.number}".strip()
            found.append(Piece(what, plain(block.runs), block.style == "fact"))
            continue
        side_by_side = block.style in ("parties", "signatures")
        table = block.table
        found += [Piece(f"{block.style} header", cell, side_by_side) for cell in table.header]
        for number, row in enumerate(table.rows, 1):
            for lines in row:
                found += [
                    Piece(f"{block.style} row {number}", line, side_by_side) for line in lines
                ]
    return found


def page_bodies(pages: list[str], doc: Document) -> list[str]:
    """The squeezed text of each page without its running header and footer."""
    footer = re.compile(rf"{re.escape(doc.page_word)} \d+ {re.escape(doc.of_word)} \d+")
    header = " ".join(doc.header.split())
    frame = [text for text in (header, " ".join(doc.annex_versions.split())) if text]
    bodies = []
    for page in pages:
        page = " ".join(page.split())
        for text in frame:
            page = page.replace(text, " ")
        bodies.append(squeezed(footer.sub(" ", page)))
    return bodies


def body_text(extracted: str, doc: Document) -> str:
    """The squeezed text of every page without its running header and footer."""
    return "".join(page_bodies(extracted.split("\f"), doc))


def letters(text: str) -> Counter[str]:
    """The word characters of ``text``: a fact's label column replaces the ": " after it."""
    return Counter(re.findall(r"\w", text))


# Between two texts of the outline the PDF may show only clause numbers, list labels and a table
# header repeated on a new page; a text found further on is a chance match of a missing one.
SLACK = 300  # characters


def missing_from(text: str, doc: Document) -> list[str]:
    """What the PDF text lacks, or shows out of order, as ``what: text`` lines."""
    problems: list[str] = []
    cursor = 0
    beside: list[Piece] = []  # side-by-side texts, due between the texts before and after them

    def check_beside(region: str) -> None:
        lacking = letters("".join(p.text for p in beside)) - letters(region)
        if lacking:
            names = ", ".join(sorted({p.what for p in beside}))
            problems.append(f"{names}: letters missing: {''.join(sorted(lacking.elements()))}")
        beside.clear()

    for piece in pieces(doc):
        if piece.side_by_side:
            beside.append(piece)
            continue
        wanted = squeezed(piece.text)
        limit = cursor + SLACK + sum(len(squeezed(p.text)) for p in beside) + len(wanted)
        at = text.find(wanted, cursor, limit)
        if at < 0:
            problems.append(f"{piece.what}: {piece.text}")
            continue
        if beside:
            check_beside(text[cursor:at])
        cursor = at + len(wanted)
    if beside:
        check_beside(text[cursor:])
    return problems


@pytest.mark.tools
@pytest.mark.parametrize("client", EXAMPLES)
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_pdf_shows_every_text_of_the_outline_in_order(
    example_pdf: Any, client: str, lang: str
) -> None:
    require_tool("pdftotext")
    doc, extracted = example_pdf(client, lang)
    assert sum(p.what.startswith("item") for p in pieces(doc)) > 10  # the check has lists to see
    problems = missing_from(body_text(extracted, doc), doc)
    if problems:
        pytest.fail("not in the PDF, or not in order:\n" + "\n".join(problems), pytrace=False)


def test_the_check_reports_a_dropped_or_moved_text(ws: Workspace) -> None:
    inputs, _ = load_inputs(ws, [CLIENT])
    doc = assemble(inputs, CLIENT, "sv")
    texts = [squeezed(p.text) for p in pieces(doc)]
    assert missing_from("".join(texts), doc) == []
    item = next(p for p in pieces(doc) if p.what.startswith("item"))
    dropped = "".join(texts).replace(squeezed(item.text), "", 1)
    assert missing_from(dropped, doc) == [f"{item.what}: {item.text}"]
    clause = next(i for i, p in enumerate(pieces(doc)) if p.what.startswith("clause "))
    texts[clause], texts[clause + 1] = texts[clause + 1], texts[clause]
    swapped = {f"{p.what}: {p.text}" for p in pieces(doc)[clause : clause + 2]}
    problems = missing_from("".join(texts), doc)
    assert len(problems) == 1 and problems[0] in swapped
