"""``dpagen diff --file``: what a DOCX that came back from outside changed against its release.

Both documents are read as paragraphs and table rows, each named by its place as the agreement
names it ("punkt 16.1", "Bilaga 3, Casewell Inc."): Word numbers the clauses itself, so a place
is counted from the paragraph styles, or read from the text where the numbers were typed out.

Paragraphs with the same text are matched first, wherever they stand; the matches that break the
reading order are moves. Between the matches that keep it, what is left of one clause in the
release is paired with what is left of the same clause in the returned file when it is still
mostly the same text: a change. A paragraph that is almost the same text somewhere else is a move
with edits; the rest was removed or added.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dpagen.changes.diff import Change, ChangeKind, words
from dpagen.document.labels import Labels
from dpagen.errors import UsageError
from dpagen.files.docx_reading import BodyLine
from dpagen.releases.issue import find_lock, render_record
from dpagen.render.wordml import PARAGRAPH_STYLES
from dpagen.workspace import Workspace

SIMILAR = 0.6  # share of words two paragraphs have in common to count as one edited paragraph
SIMILAR_SAME_NUMBER = 0.3  # the same when the returned text still says which sub-clause it is
NEAR_COPY = 0.9  # ... to count as the same paragraph moved

_ROLES = {style.lower(): role for role, style in PARAGRAPH_STYLES.items()}
_SUBCLAUSE_NUMBER = re.compile(r"(\d+)\.(\d+)\.?\s+(.*)", re.DOTALL)
_CLAUSE_NUMBER = re.compile(r"(\d+)\.\s+(.*)", re.DOTALL)
_ITEM_LABEL = re.compile(r"\([a-z]{1,3}\)\s+(.*)", re.DOTALL)


def diff_edited_docx(ws: Workspace, client: str, path: Path) -> tuple[str, list[Change], str]:
    """What a DOCX that came back from outside changed against the release it names.

    Returns a title, the changes, and the document's language, in which they are placed.

    Raises:
        UsageError: the file names no release of this workspace.
    """
    from dpagen.files.docx_reading import TooLarge, docx_body, open_docx
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
    before = placed_paragraphs(docx_body(next(iter(issued.values()))), language)
    after = placed_paragraphs(docx_body(data), language)
    title = f"{path.name} against release {number} of {client}"
    return title, paragraph_changes(before, after), language


@dataclass(frozen=True)
class Placed:
    """A paragraph or table row and where the agreement puts it.

    ``text`` leaves out a clause number or item label the text itself starts with; ``number`` is
    the sub-clause number of a sub-clause paragraph, ``stated`` whether the text said it.
    """

    text: str
    place: str
    heading: bool = False  # begins a clause, the parties, the signatures, an annex or its section
    number: str = ""
    stated: bool = False

    @property
    def words(self) -> list[str]:
        """The words, for comparing."""
        return self.text.split()


def placed_paragraphs(lines: list[BodyLine], lang: str) -> list[Placed]:
    """Each line of a DOCX body with its place, in the document's language."""
    walk = _Walk(Labels(lang))
    return [walk.place(line) for line in lines]


@dataclass
class _Walk:
    """Where the reading of one document has got to: part, clause, sub-clause, annex, section."""

    label: Labels
    part: str = "cover"  # then parties, clauses, signatures, annex
    clause: int = 0
    sub: int = 0
    annex: str = ""
    section: str = ""

    def place(self, line: BodyLine) -> Placed:
        """``line`` with its place; moves the walk on past it."""
        if line.cells:
            return Placed(line.text, self._row_place(line))
        role = _role(line)
        if self.part in ("parties", "clauses"):
            numbered = self._numbered(line.text, role)
            if numbered is not None:
                return numbered
        if role == "clause_heading":
            return self._begin_clause(self.clause + 1, line.text, stated=False)
        if role == "clause" and self.part == "clauses":
            self.sub += 1
            return Placed(line.text, self._clause_place(), number=f"{self.clause}.{self.sub}")
        if role == "heading":
            self.part = "signatures" if self.part == "clauses" else "parties"
            return Placed(line.text, self.label(self.part), heading=True)
        annex = self._annex_named(line.text, role)
        if annex:
            self.part, self.annex, self.section = "annex", annex, ""
            return Placed(line.text, annex, heading=True)
        if role == "annex_section" and self.part == "annex":
            self.section = line.text
            return Placed(line.text, self._annex_place(self.section), heading=True)
        return Placed(line.text, self._current_place(line.text, role))

    def _numbered(self, text: str, role: str) -> Placed | None:
        """A paragraph whose clause number or item label was typed out, without it."""
        sub = _SUBCLAUSE_NUMBER.fullmatch(text)
        if sub and int(sub[1]) in (self.clause, self.clause + 1):
            self.part, self.clause, self.sub = "clauses", int(sub[1]), int(sub[2])
            return Placed(sub[3], self._clause_place(), number=f"{sub[1]}.{sub[2]}", stated=True)
        clause = _CLAUSE_NUMBER.fullmatch(text)
        if clause and (role == "clause_heading" or int(clause[1]) == self.clause + 1):
            return self._begin_clause(int(clause[1]), clause[2], stated=True)
        item = _ITEM_LABEL.fullmatch(text)
        if item and self.part == "clauses":
            return Placed(item[1], self._clause_place())
        return None

    def _begin_clause(self, number: int, title: str, *, stated: bool) -> Placed:
        self.part, self.clause, self.sub = "clauses", number, 0
        return Placed(title, self._clause_place(), heading=True, number=str(number), stated=stated)

    def _annex_named(self, text: str, role: str) -> str:
        """``Bilaga 3`` for the title paragraph of annex 3, else ``""``."""
        if role != "annex_title" and self.part not in ("signatures", "annex"):
            return ""
        word = self.label("annex")
        # without its style, only a paragraph in the form of a title ("Bilaga 3 – ...") is one
        form = r"\b" if role == "annex_title" else r"\s+–\s"
        found = re.match(rf"{re.escape(word)}\s+(\d+){form}", text)
        if found:
            return f"{word} {found[1]}"
        return text.split(" – ", 1)[0] if role == "annex_title" else ""

    def _clause_place(self) -> str:
        number = f"{self.clause}.{self.sub}" if self.sub else str(self.clause)
        return f"{self.label('clause_ref')} {number}"

    def _annex_place(self, *names: str) -> str:
        return ", ".join([self.annex, *(name for name in names if name)])

    def _current_place(self, text: str, role: str) -> str:
        if self.part == "clauses":
            return self._clause_place()
        if self.part == "annex":
            return self._annex_place(self.section)
        if self.part == "cover":
            fact = text.split(": ", 1)[0] if role == "fact" and ": " in text else ""
            return ", ".join(name for name in (self.label("title"), fact) if name)
        return self.label(self.part)

    def _row_place(self, line: BodyLine) -> str:
        """A table row: in an annex by the row's first cell, elsewhere the part it is in."""
        if self.part != "annex" or line.header:
            return self._current_place(line.text, "")
        first = line.cells[0].split(" / ", 1)[0]
        # a row of a table with a header names itself; a label row needs its section too
        if line.headed and first:
            return self._annex_place(first)
        return self._annex_place(self.section, first)


def _role(line: BodyLine) -> str:
    """What the paragraph's style makes it ("clause_heading", "clause", ...), else ""."""
    for style in (line.style, line.style_name):
        role = _ROLES.get(style.replace(" ", "").lower())
        if role:
            return role
    return ""


def paragraph_changes(old: list[Placed], new: list[Placed]) -> list[Change]:
    """What ``new`` changed against ``old``, in the reading order of ``new``."""
    kept, moved = align(old, new)
    paired_old = {i for i, _ in kept + moved}
    paired_new = {j for _, j in kept + moved}
    found: list[tuple[tuple[int, int, int], Change]] = []
    for i, j in kept:
        if old[i].text != new[j].text:
            found.append(((j, 0, 0), _changed(old[i], new[j])))
    found += [((j, 0, 0), _moved(old[i], new[j])) for i, j in moved]
    found += [((j, 0, 0), _added(new[j])) for j in range(len(new)) if j not in paired_new]
    for i in range(len(old)):
        if i not in paired_old:
            before = [b for a, b in kept if a < i]
            found.append(((max(before, default=-1), 1, i), _removed(old[i])))
    return [change for _, change in sorted(found, key=lambda entry: entry[0])]


def _changed(old: Placed, new: Placed) -> Change:
    return _paragraph_change(
        ChangeKind.PARAGRAPH_CHANGED, new.place, old.text, new.text, words(old.text, new.text)
    )


def _moved(old: Placed, new: Placed) -> Change:
    text = new.text if old.text == new.text else words(old.text, new.text)
    return _paragraph_change(ChangeKind.PARAGRAPH_MOVED, old.place, old.place, new.place, text)


def _added(new: Placed) -> Change:
    return _paragraph_change(
        ChangeKind.PARAGRAPH_ADDED, new.place, None, new.text, f"{{+{new.text}+}}"
    )


def _removed(old: Placed) -> Change:
    return _paragraph_change(
        ChangeKind.PARAGRAPH_REMOVED, old.place, old.text, None, f"[-{old.text}-]"
    )


def _paragraph_change(
    kind: ChangeKind, place: str, old: str | None, new: str | None, redline: str
) -> Change:
    # a paragraph has no field path: the place is the path in every language
    return Change(kind, place, old, new, (redline,), place=place)


def align(
    old: list[Placed], new: list[Placed]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Pairs of (old, new) positions: those that keep the reading order, and the moves."""
    equal = _equal_pairs(old, new)
    kept = _longest_in_order(equal)
    moved = sorted(set(equal) - set(kept))
    paired_old = {i for i, _ in equal}
    paired_new = {j for _, j in equal}
    edited: list[tuple[int, int]] = []
    for old_gap, new_gap in _gaps(kept, len(old), len(new)):
        olds = [i for i in old_gap if i not in paired_old]
        news = [j for j in new_gap if j not in paired_new]
        edited += _similar_in_gap(old, new, olds, news)
    paired_old |= {i for i, _ in edited}
    paired_new |= {j for _, j in edited}
    left_old = [i for i in range(len(old)) if i not in paired_old]
    left_new = [j for j in range(len(new)) if j not in paired_new]
    moved += _near_copies(old, new, left_old, left_new)
    return sorted(kept + edited), sorted(moved)


def _equal_pairs(old: list[Placed], new: list[Placed]) -> list[tuple[int, int]]:
    """Paragraphs with the same text: in reading order first, then anywhere, nearest first."""
    a, b = [p.text for p in old], [p.text for p in new]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    pairs = [
        (block.a + k, block.b + k)
        for block in matcher.get_matching_blocks()
        for k in range(block.size)
    ]
    unpaired: dict[str, list[int]] = {}
    taken = {j for _, j in pairs}
    for j, text in enumerate(b):
        if j not in taken:
            unpaired.setdefault(text, []).append(j)
    paired_old = {i for i, _ in pairs}
    for i, text in enumerate(a):
        candidates = unpaired.get(text)
        if i in paired_old or not candidates:
            continue
        # a repeated row ("Plats | Sverige") goes back to the same annex section if it can
        j = min(candidates, key=lambda m: (new[m].place != old[i].place, abs(m - i)))
        candidates.remove(j)
        pairs.append((i, j))
    return pairs


def _longest_in_order(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The largest set of ``pairs`` in the same order on both sides."""
    ordered = sorted(pairs)
    tails: list[int] = []  # the smallest new position that ends an ordered run of each length
    ends: list[int] = []  # which pair that is
    previous = [-1] * len(ordered)
    for k, (_, j) in enumerate(ordered):
        length = bisect.bisect_left(tails, j)
        previous[k] = ends[length - 1] if length else -1
        if length == len(tails):
            tails.append(j)
            ends.append(k)
        else:
            tails[length], ends[length] = j, k
    chain = []
    k = ends[-1] if ends else -1
    while k >= 0:
        chain.append(ordered[k])
        k = previous[k]
    return chain[::-1]


def _gaps(
    kept: list[tuple[int, int]], old_count: int, new_count: int
) -> Iterator[tuple[range, range]]:
    """The old and new positions between each two consecutive pairs that keep the order."""
    bounds = [(-1, -1), *kept, (old_count, new_count)]
    for (i1, j1), (i2, j2) in zip(bounds, bounds[1:], strict=False):
        if i2 - i1 > 1 or j2 - j1 > 1:
            yield range(i1 + 1, i2), range(j1 + 1, j2)


def _similar_in_gap(
    old: list[Placed], new: list[Placed], olds: list[int], news: list[int]
) -> list[tuple[int, int]]:
    """Edited paragraphs among what is left between two matches, each within its own clause.

    The pairs keep their order, and among the orders the one with the most text in common wins.
    """
    if not olds or not news:
        return []
    old_parts, new_parts = _part_counts(old, olds), _part_counts(new, news)
    if old_parts[-1] != new_parts[-1]:
        # the headings do not correspond (a clause added, or the styles lost): order alone
        old_parts, new_parts = [0] * len(olds), [0] * len(news)
    rows, cols = len(olds), len(news)
    best = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for a in range(1, rows + 1):
        for b in range(1, cols + 1):
            best[a][b] = max(best[a - 1][b], best[a][b - 1])
            if old_parts[a - 1] == new_parts[b - 1]:
                score = _likeness(old[olds[a - 1]], new[news[b - 1]])
                if score:
                    best[a][b] = max(best[a][b], best[a - 1][b - 1] + score)
    pairs = []
    a, b = rows, cols
    while a and b:
        if best[a][b] == best[a - 1][b]:
            a -= 1
        elif best[a][b] == best[a][b - 1]:
            b -= 1
        else:
            pairs.append((olds[a - 1], news[b - 1]))
            a, b = a - 1, b - 1
    return pairs[::-1]


def _part_counts(paragraphs: list[Placed], positions: list[int]) -> list[int]:
    """For each position, how many headings of the gap come before or at it."""
    counts, seen = [], 0
    for position in positions:
        seen += paragraphs[position].heading
        counts.append(seen)
    return counts


def _likeness(old: Placed, new: Placed) -> float:
    """How far two paragraphs are one edited paragraph; 0 when they are not.

    A returned paragraph that still starts with the sub-clause number it had weighs more.
    """
    same_number = new.stated and new.number == old.number
    floor = SIMILAR_SAME_NUMBER if same_number else SIMILAR
    ratio = _word_ratio(old, new, floor)
    if ratio < floor:
        return 0.0
    return ratio + (1.0 if same_number else 0.0)


def _word_ratio(old: Placed, new: Placed, floor: float) -> float:
    """The share of words in common, or 0 as soon as it cannot reach ``floor``."""
    matcher = difflib.SequenceMatcher(None, old.words, new.words, autojunk=False)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return 0.0
    return matcher.ratio()


def _near_copies(
    old: list[Placed], new: list[Placed], olds: list[int], news: list[int]
) -> list[tuple[int, int]]:
    """Paragraphs left over on both sides that are almost the same text: moved and edited."""
    candidates = []
    for i in olds:
        for j in news:
            ratio = _word_ratio(old[i], new[j], NEAR_COPY)
            if ratio >= NEAR_COPY:
                candidates.append((-ratio, i, j))
    pairs, used_old, used_new = [], set(), set()
    for _, i, j in sorted(candidates):
        if i not in used_old and j not in used_new:
            pairs.append((i, j))
            used_old.add(i)
            used_new.add(j)
    return pairs


def _docx_language(data: bytes) -> str:
    from dpagen.files.docx_reading import open_docx

    language = open_docx(data).core_properties.language or "sv"
    return language if language in ("sv", "en") else "sv"
