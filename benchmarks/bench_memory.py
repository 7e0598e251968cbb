"""Peak memory and time of `extractor extract` on one input: the largest eval reports, and big texts.

Each case runs the CLI in a fresh process and reads that process's peak
resident memory from the kernel (``os.wait4``'s rusage), so imports, loading,
reading, checks and JSON output all count.

    python benchmarks/bench_memory.py            # largest eval reports, 50 MB (refused) and 10 MB texts
    python benchmarks/bench_memory.py --full     # also a 50 MB text read with --max-size 60 (minutes)

The big texts are eval reports (decoded, UTF-8) repeated to the size wanted:
real report text, so the reader does its full work on every copy.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "eval" / "reports"
sys.path.insert(0, str(ROOT))

from extractor.loading import load  # noqa: E402


# Runs in a small fresh interpreter: a child's peak RSS counts the memory of the process it was forked
# from, so the extractor is started from this few-MB wrapper, not from the benchmark (which holds texts).
_WRAPPER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
sys.stderr.buffer.write(err)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def run(path: Path, *extra: str) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak RSS in MB, last stderr line) of `extractor extract path -o /dev/null`."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "extractor", "extract", str(path), "-o", os.devnull,
         *extra],
        capture_output=True, text=True, cwd=ROOT, check=True,
    )
    seconds = time.perf_counter() - started
    code, maxrss = (int(x) for x in done.stdout.split())
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    return code, seconds, maxrss / 1024, last


def big_text(dest: Path, size: int) -> Path:
    text = "\n".join(load(p).text for p in sorted(REPORTS.glob("*.txt")))
    data = text.encode("utf-8")
    body = (data * (size // len(data) + 1))[:size]
    body = body.decode("utf-8", errors="ignore").encode("utf-8")  # cut on a character boundary
    target = dest / f"big-{size // 1_000_000}MB.txt"
    target.write_bytes(body)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also read a 50 MB text with --max-size 60")
    args = parser.parse_args()
    largest = sorted(REPORTS.iterdir(), key=lambda p: p.stat().st_size, reverse=True)
    by_kind: dict[str, Path] = {}
    for p in largest:
        by_kind.setdefault(p.suffix, p)
    rows = []
    for p in by_kind.values():
        rows.append((f"eval {p.name} ({p.stat().st_size / 1e6:.2f} MB)", *run(p)))
    with tempfile.TemporaryDirectory() as tmp:
        fifty = big_text(Path(tmp), 50_000_000)
        rows.append(("50 MB text, default --max-size", *run(fifty)))
        ten = big_text(Path(tmp), 9_900_000)
        rows.append(("9.9 MB text (just under the default limit)", *run(ten)))
        if args.full:
            rows.append(("50 MB text, --max-size 60", *run(fifty, "--max-size", "60", "--timeout", "900")))
    print(f"{'input':<52} {'exit':>4} {'seconds':>8} {'peak MB':>8}  note")
    for name, code, seconds, peak, last in rows:
        note = last if code else ""
        print(f"{name:<52} {code:>4} {seconds:>8.1f} {peak:>8.0f}  {note[:110]}")


if __name__ == "__main__":
    main()
