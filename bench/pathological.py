"""Render pathological but valid agreements and print the time and peak memory of each run.

Cases, each in a fresh starter workspace (client nordisk-ehandel, Swedish, PDF and DOCX):

- ``long-clause``: one clause gains PARAGRAPHS paragraphs of about 80 words each;
- ``huge-table``: the retention schedule of the instructions annex has ROWS rows;
- ``long-value``: one annex value is a single 200,000-character word-free line.

Each render runs as a child process under an address-space limit (``--memory``, MiB) and a time
limit (``--timeout``, s); the line says whether it completed or how it failed.

    python bench/pathological.py [--paragraphs 1000] [--rows 5000] [--memory 4096] [--timeout 900]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLIENT = "nordisk-ehandel"
WORDS = (
    "Personuppgiftsbiträdet ska vidta lämpliga tekniska och organisatoriska åtgärder för att "
    "skydda personuppgifterna mot obehörig åtkomst, förlust och förstöring, och ska regelbundet "
    "pröva, undersöka och utvärdera hur effektiva åtgärderna är. "
)


def make_workspace(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "dpagen", "init", str(folder)], check=True, capture_output=True
    )
    return folder


def long_clause(root: Path, paragraphs: int) -> None:
    for lang in ("sv", "en"):
        path = root / f"clauses/governing-law/1.{lang}.md"
        extra = "".join(f"\n{WORDS * 3}\n" for _ in range(paragraphs))
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


def huge_table(root: Path, rows: int) -> None:
    path = root / f"agreements/{CLIENT}/annexes/instructions.yaml"
    lines = ["retention:"]
    for index in range(rows):
        lines += [
            f"  - data: {{sv: Ärendekategori {index}, en: Case category {index}}}",
            "    period: {sv: 90 dagar, en: 90 days}",
            "    trigger: {sv: Ärendets avslut, en: Case closed}",
            "    action: {sv: Radering, en: Deletion}",
            "    responsible: {sv: Kundservice Norden AB, en: Kundservice Norden AB}",
        ]
    text = path.read_text(encoding="utf-8")
    start = text.index("\nretention:") + 1
    following = re.search(r"\n(?=\S)", text[start:])  # the next top-level key
    end = start + following.start() if following else len(text)
    path.write_text(text[:start] + "\n".join(lines) + text[end:], encoding="utf-8")


def long_value(root: Path, size: int) -> None:
    path = root / f"agreements/{CLIENT}/annexes/subprocessors.yaml"
    text = path.read_text(encoding="utf-8")
    # the Swedish description of the first sub-processor becomes one unbroken "word"
    text = re.sub(r"(  - ref: casewell\n    service:\n      sv: ).*", rf"\g<1>{'x' * size}", text)
    path.write_text(text, encoding="utf-8")


def render(root: Path, memory_mib: int, timeout: float) -> tuple[str, float, float]:
    """Run one render; the outcome, seconds and peak memory (MiB) of the child."""

    def limit() -> None:
        size = memory_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    command = [sys.executable, "-m", "dpagen", "-C", str(root), "render", CLIENT]
    command += ["--lang", "sv", "--format", "pdf,docx"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=errors, preexec_fn=limit
        )
        while True:  # wait4 gives this child's own peak memory, unlike RUSAGE_CHILDREN
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                child.kill()
                os.wait4(child.pid, 0)
                return f"stopped after {timeout:.0f} s", time.perf_counter() - started, 0.0
            time.sleep(0.2)
        child.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read()
    seconds = time.perf_counter() - started
    peak = usage.ru_maxrss / 1024
    if child.returncode == 0:
        pdf = root / f"out/{CLIENT}" / f"{CLIENT}-v1.sv.pdf"
        from pypdf import PdfReader

        pages = len(PdfReader(pdf).pages)
        outcome = f"completed, PDF {pdf.stat().st_size // 1024} KiB, {pages} pages"
    else:
        last = stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        outcome = f"exit {child.returncode}: {last[0][:120]}"
    return outcome, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--paragraphs", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--memory", type=int, default=4096, help="address-space limit, MiB")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    cases = {
        f"long-clause ({args.paragraphs} paragraphs)": lambda r: long_clause(r, args.paragraphs),
        f"huge-table ({args.rows} rows)": lambda r: huge_table(r, args.rows),
        "long-value (200,000 characters)": lambda r: long_value(r, 200_000),
    }
    print(f"limits: {args.memory} MiB address space, {args.timeout:.0f} s per render")
    for name, build in cases.items():
        with tempfile.TemporaryDirectory() as folder:
            root = make_workspace(Path(folder) / "ws")
            build(root)
            outcome, seconds, peak = render(root, args.memory, args.timeout)
            print(f"{name:36} {seconds:7.1f} s  peak {peak:6.0f} MiB  {outcome}", flush=True)


if __name__ == "__main__":
    main()
