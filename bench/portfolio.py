"""Build a portfolio of N synthetic clients: full build, no-op rebuild, rebuild after one change.

The clients are copies of the three examples under new names, in a temporary workspace. The
baseline is what a user would otherwise script: docxtpl for every DOCX, then one LibreOffice batch
conversion of all of them to PDF. Prints each time, the ratios and the peak memory.

    python bench/portfolio.py [-n 200] [--jobs 2]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent


def make_workspace(folder: Path, count: int) -> list[str]:
    for name in ("dpagen.yaml", "subprocessors.yaml"):
        shutil.copy(ROOT / name, folder / name)
    for name in ("clauses", "templates"):
        shutil.copytree(ROOT / name, folder / name)
    examples = sorted(p for p in (ROOT / "agreements").iterdir() if p.is_dir())
    clients = []
    for index in range(count):
        source = examples[index % len(examples)]
        client = f"client-{index:04d}"
        shutil.copytree(source.resolve(), folder / "agreements" / client)
        clients.append(client)
    return clients


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        ws = Path(temporary) / "ws"
        (ws / "agreements").mkdir(parents=True)
        clients = make_workspace(ws, args.n)
        dpagen = [
            sys.executable,
            "-m",
            "dpagen",
            "-C",
            str(ws),
            "build",
            "--jobs",
            str(args.jobs),
            "--lang",
            "sv",
            "--format",
            "pdf,docx",
        ]
        full = timed(dpagen)
        noop = timed(dpagen)
        instructions = ws / "agreements" / clients[0] / "annexes" / "instructions.yaml"
        lines = instructions.read_text(encoding="utf-8").splitlines()
        first = next(i for i, line in enumerate(lines) if line.strip().startswith("sv:"))
        lines[first] += " (ändrad)"
        instructions.write_text("\n".join(lines) + "\n", encoding="utf-8")
        one = timed(dpagen)
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{args.n} clients, sv, PDF + DOCX, --jobs {args.jobs}")
        print(f"full build:            {full:8.1f} s")
        print(f"no-op rebuild:         {noop:8.1f} s  ({noop / full:.1%} of full)")
        print(f"after one annex change:{one:8.1f} s  ({one / full:.1%} of full)")
        print(f"peak memory of a process: {peak:.0f} MiB")
        soffice = shutil.which("soffice")
        if soffice is None:
            print("LibreOffice not installed: no baseline")
            return
        baseline_dir = Path(temporary) / "baseline"
        start = time.perf_counter()
        # the DOCX files rendered with docxtpl (dpagen's Word renderer, one process) …
        subprocess.run(
            [
                sys.executable,
                "-m",
                "dpagen",
                "-C",
                str(ws),
                "build",
                "--jobs",
                "1",
                "--lang",
                "sv",
                "--format",
                "docx",
                "--out",
                str(baseline_dir),
            ],
            check=True,
            capture_output=True,
        )
        docx = sorted(baseline_dir.rglob("*.sv.docx"))
        # … then one LibreOffice batch conversion of all of them to PDF
        profile = (Path(temporary) / "profile").as_uri()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(baseline_dir),
                *map(str, docx),
            ],
            check=True,
            capture_output=True,
        )
        baseline = time.perf_counter() - start
        print(f"baseline docxtpl + one LibreOffice batch to PDF: {baseline:8.1f} s")
        print(f"ratio full build / baseline: {full / baseline:.2f}")


if __name__ == "__main__":
    main()
