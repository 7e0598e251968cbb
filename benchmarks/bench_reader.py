"""Speed of the reader engine: load + extract + score the whole eval set N times in one process.

    python benchmarks/bench_reader.py [--runs 5] [--eval-dir eval]

Target: the whole eval set under 2 s per pass. The first pass includes imports
and warm-up and is reported separately.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from extractor.evaluation import load_eval_set, run_eval
from extractor.pipeline import ExtractOptions

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="passes over the eval set (default 5)")
    parser.add_argument("--eval-dir", type=Path, default=ROOT / "eval")
    args = parser.parse_args()

    options = ExtractOptions()
    seconds: list[float] = []
    reports = 0
    f1: float | None = None
    for _ in range(args.runs):
        started = time.perf_counter()
        eval_set = load_eval_set(args.eval_dir)
        run = run_eval(eval_set, options)
        seconds.append(time.perf_counter() - started)
        reports = len(eval_set.entries)
        f1 = run.scores.overall.f1
    total = sum(seconds)
    print(f"eval set: {reports} reports · {args.runs} passes · overall F1 {f1 if f1 is None else round(f1, 4)}")
    print(f"first pass {seconds[0]:.3f} s · median {statistics.median(seconds):.3f} s · best {min(seconds):.3f} s")
    print(f"total {total:.3f} s · {reports * args.runs / total:.1f} reports/s")
    target = 2.0
    verdict = "within" if statistics.median(seconds) < target else "OVER"
    print(f"{verdict} the {target:.0f} s target per pass")


if __name__ == "__main__":
    main()
