"""How long the unit tests and the eval gate take: wall time and CPU time (this process's children).

    python benchmarks/bench_tests.py            # the unit tests (the README's test command), slow tests, eval gate
    python benchmarks/bench_tests.py --unit     # the unit tests only

CPU time (user + system of pytest and every process it starts) hardly depends on what else the machine is
doing; wall time does. The target for the unit tests is under 40 s of wall time on the project's 2-core machine.
Prints the machine's load average too, so a slow figure on a busy machine can be read as such.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = [sys.executable, "-m", "pytest", "--record-mode=none", "--block-network", "-q", "-p", "no:cacheprovider"]
RUNS = {"unit tests": [*BASE, "-n", "auto"], "slow tests": [*BASE, "-m", "slow"], "eval gate": [*BASE, "-m", "evalset"]}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    runs = {"unit tests": RUNS["unit tests"]} if "--unit" in sys.argv[1:] else RUNS
    print(f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    failed = 0
    for name, command in runs.items():
        cpu, start = _children_cpu(), time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        wall, cpu = time.perf_counter() - start, _children_cpu() - cpu
        summary = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"{name}: {wall:.1f} s wall, {cpu:.1f} s CPU · {summary}")
        failed += result.returncode != 0
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
