"""Time `validate` of a workspace: the first run in a process, then repeated runs.

The first run parses every YAML file and compiles every clause text; later runs in the same
process (the web front end, a build, the test suite) reuse what an unchanged file gave. The
baseline is the first run, so the ratio is the share of it a repeated validation costs.

    python bench/validate.py [-n 10] [-C WORKSPACE]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from dpagen.checks.validate import validate_workspace
from dpagen.workspace import find_workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=10, help="repeated validations")
    parser.add_argument("-C", dest="workspace", type=Path, default=None)
    args = parser.parse_args()
    ws = find_workspace(args.workspace)
    start = time.perf_counter()
    inputs, _ = validate_workspace(ws)
    first = time.perf_counter() - start
    samples = []
    for _ in range(args.n):
        start = time.perf_counter()
        validate_workspace(ws)
        samples.append(time.perf_counter() - start)
    again = statistics.median(samples)
    print(f"workspace: {ws.root} ({len(inputs.agreements)} agreements)")
    print(f"first validation:    {first:.3f} s")
    print(f"repeated validation: {again:.3f} s (median of {args.n})")
    print(f"ratio repeated/first: {again / first:.2f}")


if __name__ == "__main__":
    main()
