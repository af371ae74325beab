"""Time the Word redline of two versions of the largest example, and python-redlines on the same.

Version A is the example as it is; version B changes a term, a clause's wording, an annex row and
a contact. dpagen builds its redline from the document model; python-redlines (optional, install
``python-redlines[docxodus]``) compares the two rendered DOCX files. Prints seconds and the ratio.

    python bench/diff.py [-n 10]
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from render import median_seconds as median  # bench/render.py

from dpagen.document.assemble import assemble
from dpagen.document.model import Run
from dpagen.inputs.load import load_inputs
from dpagen.render.docx import render_docx
from dpagen.render.redline import render_redline_docx
from dpagen.workspace import Workspace

ROOT = Path(__file__).parent.parent


def largest(ws: Workspace) -> str:
    sizes = {}
    for client in ws.clients():
        inputs, _ = load_inputs(ws, [client])
        doc = assemble(inputs, client, "sv")
        sizes[client] = sum(len(s.runs) + len(s.items) for c in doc.clauses for s in c.subclauses)
        sizes[client] += sum(len(t.table.rows) for a in doc.annexes for t in a.sections if t.table)
    return max(sizes, key=sizes.get)


def changed(doc):
    clauses = list(doc.clauses)
    for index in (3, 12, 20):
        clause = clauses[index]
        subs = list(clause.subclauses)
        text = "".join(r.text for r in subs[0].runs)
        subs[0] = dataclasses.replace(subs[0], runs=(Run(text.replace(" ska ", " får ", 1)),))
        subs.append(dataclasses.replace(subs[-1], runs=(Run("Ett nytt stycke i avtalet."),)))
        clauses[index] = dataclasses.replace(clause, subclauses=tuple(subs))
    return dataclasses.replace(doc, clauses=tuple(clauses[:8] + clauses[9:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10)
    args = parser.parse_args()
    ws = Workspace(ROOT)
    client = largest(ws)
    inputs, _ = load_inputs(ws, [client])
    old = assemble(inputs, client, "sv")
    new = changed(old)
    render_redline_docx(old, new, ws.templates)  # warm up
    ours = median(lambda: render_redline_docx(old, new, ws.templates), args.n)
    print(f"document: {client} (sv), {args.n} runs")
    print(f"dpagen redline DOCX (model diff + tracked changes): {ours:.3f} s median")
    try:
        from python_redlines.engines import DocxodusEngine
    except ImportError:
        print("python-redlines not installed (pip install 'python-redlines[docxodus]'): no ratio")
        return
    a, b = render_docx(old, ws.templates), render_docx(new, ws.templates)
    engine = DocxodusEngine()
    engine.run_redline("dpagen", a, b)  # the first call unpacks the engine
    theirs = median(lambda: engine.run_redline("dpagen", a, b), max(3, args.n // 2))
    print(f"python-redlines (Docxodus) on the two rendered DOCX: {theirs:.3f} s median")
    print(f"ratio dpagen / python-redlines: {ours / theirs:.3f}")


if __name__ == "__main__":
    main()
