from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from dpagen.document.model import plain
from dpagen.document.outline import Para, outline, row_text


def run(ws, *args: str) -> Result:
    """Run the dpagen command line on the workspace ``ws``."""
    from dpagen.cli import cli

    return CliRunner().invoke(cli, ["-C", str(ws.root), *args])


REPOSITORY = Path(__file__).parent.parent
KILLPOINT = Path(__file__).parent / "killpoint"


def cli_process(ws, *args: str) -> tuple[dict[str, str], list[str]]:
    """Environment and command line for the dpagen command line on ``ws`` in another process."""
    env = dict(os.environ, PYTHONPATH=str(REPOSITORY), PYTHONDONTWRITEBYTECODE="1")
    return env, [sys.executable, "-m", "dpagen", "-C", str(ws.root), *args]


def run_killed(env: dict[str, str], command: list[str], point: str, counter: Path) -> None:
    """Run ``command`` and kill it, workers included, at ``point`` (see tests/killpoint).

    ``point`` is ``CALL:N``, e.g. ``fsync:2`` or ``after-replace:1``; ``counter`` is a file
    that does not exist yet. Fails if the run ended before it reached the point.
    """
    env = dict(
        env,
        PYTHONPATH=os.pathsep.join([str(KILLPOINT), env["PYTHONPATH"]]),
        DPAGEN_TEST_KILL=point,
        DPAGEN_TEST_KILL_COUNTER=str(counter),
    )
    # a process group of its own: the kill takes the run's workers and nothing else
    done = subprocess.run(
        command, env=env, capture_output=True, start_new_session=True, timeout=300
    )
    assert done.returncode == -signal.SIGKILL, (
        f"not killed at {point}: exit {done.returncode}\n{done.stderr.decode()}"
    )


NUMBER = re.compile(r"^(\d+\.(\d+)?|\([a-z]+\)) ")


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace ``old`` by ``new`` in a file, insisting that ``old`` is there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def at(path: Path, text: str, after: str = "") -> str:
    """``LINE:COL`` of the first ``text`` in a file, from the first ``after`` on if given.

    For messages about the starter's files, whose layout may change: the position is computed
    from the text the message points at, not written down.
    """
    source = path.read_text(encoding="utf-8")
    start = source.index(after) if after else 0
    spot = source.index(text, start)
    line = source.count("\n", 0, spot) + 1
    return f"{line}:{spot - (source.rfind(chr(10), 0, spot) + 1) + 1}"


def line_of(path: Path, text: str, after: str = "") -> int:
    """The line number of the first ``text`` in a file (see ``at``)."""
    return int(at(path, text, after).split(":")[0])


def docx_lines(path: Path) -> list[str]:
    """Paragraphs and table rows of a DOCX body, in order, as the text renderer writes them."""
    from dpagen.files.docx_reading import docx_lines as lines_of

    return lines_of(path.read_bytes())


def model_lines(doc, *, numbered: bool) -> list[str]:
    """The same sequence straight from the model, with or without the clause numbers."""
    lines: list[str] = []
    for block in outline(doc):
        if isinstance(block, Para):
            text = plain(block.runs)
            lines.append(f"{block.number} {text}" if numbered and block.number else text)
        else:
            if block.table.header:
                lines.append(" | ".join(block.table.header))
            lines += [row_text(row) for row in block.table.rows]
    return lines


def last_edition(library: str) -> str:
    """The last edition's entry of a library.yaml text, from its ``  - id:`` line on."""
    return "  - id:" + library.rsplit("\n  - id:", 1)[1].rstrip("\n") + "\n"


def next_edition(library: str, edition: str = "2027.1", date: str = "2027-05-01") -> str:
    """A copy of the last edition's entry (2026.2 in the starter) as ``edition`` of ``date``."""
    entry = re.sub(r'id: "[^"]*"', f'id: "{edition}"', last_edition(library), count=1)
    return re.sub(r"\n    date: \S+", f"\n    date: {date}", entry, count=1)


def add_edition(ws, new_term: bool = False) -> None:
    """Edition 2027.1: the last edition with breach version 2 (optionally with a term that has
    no default)."""
    clauses = ws.root / "clauses"
    assert not (clauses / "breach/2.sv.md").exists()  # 2 is the next free version
    extra = " {{ terms.breach_hotline }}" if new_term else ""
    for lang in ("sv", "en"):
        text = (clauses / f"breach/1.{lang}.md").read_text(encoding="utf-8")
        (clauses / f"breach/2.{lang}.md").write_text(
            text + f"\nNytt stycke{extra}.\n", encoding="utf-8"
        )
    declaration = (
        "  breach_hotline:\n    type: string\n    description: Phone number for breaches.\n"
        if new_term
        else ""
    )
    edit(
        clauses / "breach/clause.yaml",
        "versions:\n",
        "versions:\n  2: {date: 2027-05-01, note: More.}\n",
    )
    if declaration:
        edit(clauses / "breach/clause.yaml", "terms:\n", "terms:\n" + declaration)
    library = (clauses / "library.yaml").read_text(encoding="utf-8")
    entry = next_edition(library)
    assert "breach@1" in entry
    (clauses / "library.yaml").write_text(
        library + entry.replace("breach@1", "breach@2"), encoding="utf-8"
    )


def libreoffice_convert(source: Path, target: str, folder: Path, profile: Path) -> None:
    """Convert ``source`` with headless LibreOffice (``soffice --convert-to target``) into folder.

    ``profile`` is a LibreOffice user profile folder of the test's own, so runs never share one.
    """
    from tests.conftest import require_tool

    subprocess.run(
        [
            require_tool("soffice"),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )


def pdf_text(path: Path) -> str:
    """The text pdftotext extracts from the PDF at ``path`` (skips locally without poppler)."""
    from tests.conftest import require_tool

    return subprocess.run(
        [require_tool("pdftotext"), str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
