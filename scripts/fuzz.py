"""Run the fuzz tests (tests/test_fuzz.py) for a given time: `make fuzz [FUZZ_SECONDS=600]`.

Hypothesis has no time budget of its own, so this runs pytest on the fuzz tests again and again,
each time with another seed and the `fuzz` profile of tests/conftest.py, until the time is up;
the run still going then is stopped. It prints how many examples ran and stops at the first
failure, with the command that reproduces it, exiting 1.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600, help="how long to fuzz")
    parser.add_argument(
        "--examples",
        type=int,
        help="examples per test and pytest run (default: enough for about a sixth of the time)",
    )
    options = parser.parse_args()
    # about 2 examples a second: every test gets its turn several times within the time
    examples = options.examples or max(10, int(options.seconds / 6))
    started = time.time()
    until = started + options.seconds
    seed = random.SystemRandom().randrange(1, 2**31)
    runs = ran = 0
    with tempfile.TemporaryDirectory() as scratch:
        counter, log = Path(scratch) / "count", Path(scratch) / "log"
        counter.touch()
        env = dict(
            os.environ,
            HYPOTHESIS_PROFILE="fuzz",
            FUZZ_EXAMPLES=str(examples),
            DPAGEN_FUZZ_COUNT=str(counter),
        )
        while time.time() < until:
            command = [sys.executable, "-m", "pytest", "tests/test_fuzz.py", "-x", "-q"]
            command += ["-p", "no:cacheprovider", f"--hypothesis-seed={seed}"]
            with log.open("w") as output:
                process = subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
                )
                outcome = "passed"
                try:
                    code = process.wait(timeout=max(until - time.time(), 0.1))
                except subprocess.TimeoutExpired:
                    process.terminate()  # the time is up: what ran so far passed
                    process.wait()
                    code, outcome = 0, "stopped, the time is up"
            runs += 1
            ran = counter.stat().st_size
            elapsed = time.time() - started
            if code != 0:
                print(log.read_text()[-30000:])
                print(
                    f"fuzz: FAILED after {ran} examples in {elapsed:.0f} s, run {runs}; "
                    f"reproduce with: HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES={examples} "
                    f"{sys.executable} -m pytest tests/test_fuzz.py --hypothesis-seed={seed}"
                )
                return 1
            print(
                f"fuzz: run {runs} (seed {seed}) {outcome}; {ran} examples so far, "
                f"{ran / elapsed:.1f} per second",
                flush=True,
            )
            seed += 1
    elapsed = time.time() - started
    print(
        f"fuzz: {ran} examples in {elapsed:.0f} s ({ran / elapsed:.1f} per second), "
        f"{runs} run{'s' if runs != 1 else ''}, no failures"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
