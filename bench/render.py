"""Render the example agreement N times and print median seconds per PDF and per DOCX.

Where LibreOffice is installed, also time `soffice --headless --convert-to pdf` of the same DOCX
in the same run and print the ratio of dpagen's PDF time to it.

    python bench/render.py [-n 10] [-C WORKSPACE] [--client nordisk-ehandel]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from dpagen.document.assemble import assemble
from dpagen.inputs.load import load_inputs
from dpagen.render.docx import render_docx
from dpagen.render.pdf import render_pdf
from dpagen.workspace import find_workspace


def median_seconds(action, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10, help="renders per format")
    parser.add_argument("-C", dest="workspace", type=Path, default=None)
    parser.add_argument("--client", default="nordisk-ehandel")
    parser.add_argument("--lang", default="sv")
    args = parser.parse_args()

    ws = find_workspace(args.workspace, explicit=args.workspace is not None)
    inputs, _ = load_inputs(ws, [args.client])
    doc = assemble(inputs, args.client, args.lang)
    render_pdf(doc, ws.templates)  # warm up imports and font loading once
    render_docx(doc, ws.templates)

    pdf = median_seconds(lambda: render_pdf(doc, ws.templates), args.n)
    docx = median_seconds(lambda: render_docx(doc, ws.templates), args.n)
    print(f"document: {args.client} ({args.lang}), {args.n} renders per format")
    print(f"pdf  (WeasyPrint): {pdf:.3f} s median per document")
    print(f"docx (docxtpl):    {docx:.3f} s median per document")

    soffice = shutil.which("soffice")
    if soffice is None:
        print("LibreOffice not installed: no baseline ratio")
        return
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = work / "agreement.docx"
        source.write_bytes(render_docx(doc, ws.templates))
        command = [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        subprocess.run(command, check=True, capture_output=True)  # first run creates the profile
        office = median_seconds(
            lambda: subprocess.run(command, check=True, capture_output=True), max(3, args.n // 2)
        )
    print(f"soffice --convert-to pdf of the same DOCX: {office:.3f} s median")
    print(f"ratio dpagen PDF / LibreOffice PDF: {pdf / office:.2f}")
    print(f"ratio dpagen DOCX+PDF / LibreOffice PDF: {(pdf + docx) / office:.2f}")


if __name__ == "__main__":
    main()
