"""Batch throughput with the reader engine: the eval set repeated to N reports (default 1,000).

    python benchmarks/bench_batch.py [--reports 1000] [--jobs N] [--tracemalloc]

Prints reports per second for a fresh batch (worker processes, results
committed one by one to results.db), the time a rerun takes to skip every
finished report, the export times, and peak memory: the batch process's
maximum RSS and the largest worker's (``resource.getrusage``), plus with
``--tracemalloc`` the peak of Python allocations in the batch process (slower).
Copies differ by trailing newlines so each one is a distinct report.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from extractor.batch import default_jobs, run_batch
from extractor.export import export
from extractor.pipeline import ExtractOptions
from extractor.storage import ResultsDB

ROOT = Path(__file__).resolve().parent.parent


def make_inputs(dest: Path, eval_dir: Path, n: int) -> list[Path]:
    entries = [json.loads(line) for line in (eval_dir / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line]
    files = []
    for i in range(n):
        entry = entries[i % len(entries)]
        copy = i // len(entries)
        suffix = Path(entry["file"]).suffix
        target = dest / f"{copy:03d}" / f"{Path(entry['file']).stem}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((eval_dir / "reports" / entry["file"]).read_bytes() + b"\n" * copy)
        files.append(target)
    return files


def _mb(kilobytes: int) -> float:
    return kilobytes / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--eval-dir", type=Path, default=ROOT / "eval")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations in the batch process")
    args = parser.parse_args()

    options = ExtractOptions()
    jobs = args.jobs or default_jobs(options)
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        inputs = Path(tmp) / "reports"
        files = make_inputs(inputs, args.eval_dir, args.reports)
        out = Path(tmp) / "out"
        if args.tracemalloc:
            tracemalloc.start()

        started = time.perf_counter()
        summary = run_batch([inputs], out, options, jobs=jobs)
        fresh = time.perf_counter() - started

        started = time.perf_counter()
        again = run_batch([inputs], out, options, jobs=jobs)
        resume = time.perf_counter() - started
        traced_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
        tracemalloc.stop()

        timings = {}
        with ResultsDB(out / "results.db") as db:
            for fmt in ("jsonl", "csv", "xlsx"):
                t = time.perf_counter()
                export(db, fmt, out / f"reports.{fmt}")  # type: ignore[arg-type]
                timings[fmt] = time.perf_counter() - t
        db_mb = (out / "results.db").stat().st_size / 2**20

    self_rss = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    worker_rss = _mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    print(f"python {sys.version.split()[0]} · {len(files)} reports · reader engine · {jobs} worker processes")
    print(f"fresh batch: {fresh:.1f} s · {len(files) / fresh:.1f} reports/s · "
          f"{summary.extracted} extracted · {len(summary.failures)} failed")
    print(f"rerun (all finished, skipped): {resume:.2f} s · processed {again.processed} · skipped {again.skipped}")
    print("export: " + " · ".join(f"{fmt} {sec:.2f} s" for fmt, sec in timings.items()) + f" · results.db {db_mb:.1f} MB")
    line = f"peak RSS: batch process {self_rss:.0f} MB · largest worker {worker_rss:.0f} MB"
    if traced_peak is not None:
        line += f" · traced Python peak in batch process {traced_peak / 2**20:.1f} MB"
    print(line)


if __name__ == "__main__":
    main()
