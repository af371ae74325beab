"""Rules the PDF and the DOCX layouts share: what is never hyphenated, what stays on one page.

A reader copies or searches for e-mail addresses, phone and organisation numbers, dates and the
names of the parties and sub-processors, so no layout hyphenates them (:class:`Protected` finds
them in a text). A sub-processor's record and a short table are read as one, so they are kept on
one page with their title (:func:`kept_whole`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from babel import Locale

from dpagen.document.model import Table, plain
from dpagen.document.outline import Block, Para, TableBlock

SUBPROCESSOR = "subprocessors/"  # how the identity of a sub-processor's section begins

_MONTHS = "|".join(
    sorted({m for lang in ("sv", "en") for m in Locale(lang).months["format"]["wide"].values()})
)
_DATE = rf"\d{{1,2}} (?:{_MONTHS}) \d{{4}}"  # as long_date writes them: "1 december 2026"
# bounded repeats: a pasted value thousands of characters long must not take quadratic time
_EMAIL = r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}"
_NUMBER = r"(?<![\w/.,])\+?\d[\d -]{4,40}\d(?![\w/])"  # phone, organisation and postal numbers
_VALUES = rf"(?P<email>{_EMAIL})|(?P<date>{_DATE})|(?P<number>{_NUMBER})"
_NAME_WORD = 4  # letters; a shorter word is never hyphenated anyway
_NAME_EDGES = "(),.;:"


class Protected:
    """Finds the protected values of a text, given the names of the parties and sub-processors.

    Each word of a name is protected wherever it stands, so also in a name's short form or its
    genitive ("Kundservice Nordens"); a name may still wrap between its words.
    """

    def __init__(self, names: Iterable[str]) -> None:
        words = {
            word.strip(_NAME_EDGES)
            for name in names
            for word in name.split(",", 1)[0].split()  # "X kommun, genom …": the name is X kommun
        }
        kept = sorted((w for w in words if len(w) >= _NAME_WORD), key=lambda w: (-len(w), w))
        pattern = _VALUES
        if kept:
            pattern += rf"|(?P<name>(?<!\w)(?:{'|'.join(map(re.escape, kept))})\w*)"
        self.pattern = re.compile(pattern)

    def split(self, text: str) -> list[tuple[str, str]]:
        """``text`` in pieces, each with its kind: ``email``, ``date``, ``number``, ``name``, ""."""
        pieces: list[tuple[str, str]] = []
        end = 0
        for match in self.pattern.finditer(text):
            if match.start() > end:
                pieces.append((text[end : match.start()], ""))
            pieces.append((match.group(0), match.lastgroup or ""))
            end = match.end()
        if end < len(text) or not pieces:
            pieces.append((text[end:], ""))
        return pieces


def names(blocks: list[Block]) -> list[str]:
    """The parties' and the sub-processors' names in ``blocks``."""
    found: list[str] = []
    for block in blocks:
        if isinstance(block, TableBlock) and block.style == "parties":
            rows = zip(block.row_kinds, block.table.rows, strict=False)
            found += [line for kind, row in rows if kind == "name" for cell in row for line in cell]
        elif isinstance(block, Para) and block.identity.startswith(SUBPROCESSOR):
            found.append(plain(block.runs))
    return found


# A short table is at most SHORT_ROWS rows and about SHORT_LINES lines of text as the starter
# layouts set tables (a third of a page): moving a longer one to the next page as a whole would
# leave most of a page empty.
SHORT_ROWS = 6
SHORT_LINES = 20
_TEXT_WIDTH = 163  # mm between the page margins
_CELL_PADDING = 4  # mm
_CHARACTER = 1.6  # mm, the mean width of a character of table text
# characters on a line of running text (11 pt, indented for numbers), counted low: only a longer
# e-mail address may break
LINE_ROOM = 75


def room(data: Table) -> list[int]:
    """About how many characters of table text a line of each column of ``data`` holds."""
    total = sum(data.widths)
    return [
        max(1, int((_TEXT_WIDTH * width / total - _CELL_PADDING) / _CHARACTER))
        for width in data.widths
    ]


def short(data: Table) -> bool:
    """Whether ``data`` is short enough to be kept on one page (see ``SHORT_ROWS``)."""
    if len(data.rows) > SHORT_ROWS:
        return False
    columns = room(data)
    lines = 0
    for row in data.rows:
        cells = zip(row, columns, strict=True)
        lines += max(sum(-(-len(line) // chars) for line in cell) or 1 for cell, chars in cells)
    return lines <= SHORT_LINES


def kept_whole(blocks: list[Block], index: int) -> bool:
    """Whether the annex section whose title is ``blocks[index]`` stays on one page."""
    title = blocks[index]
    if isinstance(title, Para) and title.identity.startswith(SUBPROCESSOR):
        return True
    table = section_table(blocks, index)
    return table is not None and short(table)


def section_table(blocks: list[Block], index: int) -> Table | None:
    """The table of the annex section whose title is ``blocks[index]``, if it has one."""
    for block in blocks[index + 1 :]:
        if isinstance(block, TableBlock):
            return block.table
        if block.style != "lead":
            return None
    return None
