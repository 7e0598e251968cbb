"""Shared helpers for the batch / storage / export tests.

The batch machinery is tested with work functions that stand in for the
pipeline (gold records of the eval set keyed by file name), so resuming,
failure isolation and crash handling are tested whatever state the reader is
in; the end-to-end tests (test_interrupt.py) run the real pipeline. Work
functions live here, at module level, so worker processes can unpickle them.
"""

from __future__ import annotations

import hashlib
import os
import time
from functools import cache
from pathlib import Path

import evalset
from evalset import IDS, MANIFEST

from extractor.batch import WorkResult
from extractor.readings import Extraction, Finding, RunInfo
from extractor.record import Record


@cache
def gold_record(report_id: str) -> Record:
    """The gold record as an extraction would give it: gold-only keys left out."""
    return Record.model_validate({k: v for k, v in evalset.gold_json(report_id).items() if k not in evalset.GOLD_ONLY})


def gold_extraction(report_id: str) -> Extraction:
    """A realistic extraction: the gold record, one finding, run info."""
    record = gold_record(report_id)
    finding = Finding(rule="balance", where=f"{report_id} 三 总计", paths=["applications.total.total"], stated=1, computed=2)
    return Extraction(record=record, findings=[finding], run=RunInfo(engines=["reader"], requests=2, cache_hits=1))


def id_for_file(name: str) -> str:
    """Eval id of a (copied) report file: copies are named ``<eval file name>.<n><suffix>``."""
    base = name.split(".copy")[0]
    for m in MANIFEST:
        if m["file"] == base or Path(m["file"]).stem == Path(base).stem:
            return m["id"]
    raise KeyError(name)


def work_gold(path: str, options: object) -> WorkResult:
    """Pretend-extract: the gold record of the eval report this file copies; 'bad' files fail."""
    data = Path(path).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if "bad" in Path(path).name:
        return WorkResult(path=path, content_sha256=sha, error="InputError: not a report")
    return WorkResult(path=path, content_sha256=sha, extraction=gold_extraction(id_for_file(Path(path).name)))


def work_crash(path: str, options: object) -> WorkResult:
    """Like ``work_gold`` but a file named 'crash' kills its worker process outright."""
    if "crash" in Path(path).name:
        os._exit(3)
    time.sleep(0.05)  # keep several reports in flight when the crash happens
    return work_gold(path, options)


def work_raise(path: str, options: object) -> WorkResult:
    """A work function that raises (instead of returning an error) for 'bad' files."""
    if "bad" in Path(path).name:
        raise RuntimeError("exploded")
    return work_gold(path, options)


def copy_eval(dest: Path, ids: list[str] | None = None, copies: int = 1) -> list[Path]:
    """Copies of eval reports, each copy made distinct by trailing blank lines (so it hashes differently)."""
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for m in MANIFEST:
        if ids is not None and m["id"] not in ids:
            continue
        data = evalset.report_path(m).read_bytes()
        for n in range(copies):
            suffix = Path(m["file"]).suffix
            target = dest / (m["file"] if copies == 1 else f"{m['file']}.copy{n}{suffix}")
            target.write_bytes(data + b"\n" * n)
            out.append(target)
    return out


def build_gold_db(path: Path, settings: str = "s" * 64) -> Path:
    """A results database holding every gold record of the eval set as an ok report."""
    from extractor.storage import ResultsDB

    with ResultsDB(path) as db:
        db.save_settings(settings, "{}", "test")
        for report_id in IDS:
            db.save_report(path=f"{report_id}.txt", content_sha256=report_id, settings_sha256=settings,
                           extraction=gold_extraction(report_id))
    return path


def work_endpoint_down(path: str, options: object) -> WorkResult:
    """Like ``work_gold``, but reports from 'hebei-kjt-2021' on meet a dead model endpoint."""
    if Path(path).name >= "hebei-kjt-2021":
        return WorkResult(path=path, error="cannot reach the model endpoint http://127.0.0.1:9/v1", fatal=True)
    return work_gold(path, options)


def work_slow(path: str, options: object) -> WorkResult:
    """Like ``work_gold``, but a file named 'slow' takes a minute (a stand-in for a report that hangs a parser)."""
    if "slow" in Path(path).name:
        time.sleep(60)
    return work_gold(path, options)


def work_hog(path: str, options: object) -> WorkResult:
    """Like ``work_gold``, but a file named 'hog' tries to take 8 GB of memory (a parser gone wild)."""
    if "hog" in Path(path).name:
        blocks = [bytearray(256 * 1024 * 1024) for _ in range(32)]
        return WorkResult(path=path, error=f"allocated {len(blocks)} blocks: no memory limit")
    return work_gold(path, options)


def work_echo_url(path: str, options: object) -> WorkResult:
    """Fails every file with an error quoting the model endpoint as configured (a server echoing it back)."""
    llm = getattr(options, "llm", None)
    return WorkResult(path=path, error=f"cannot reach {llm.base_url if llm else '?'}")


def work_slow_briefly(path: str, options: object) -> WorkResult:
    """Like ``work_slow`` but 'slow' files take 4 s (for thread workers, which can only be abandoned)."""
    if "slow" in Path(path).name:
        time.sleep(4)
    return work_gold(path, options)


def group_gone(pgid: int, within: float) -> bool:
    """Whether every process of the group has exited (waiting up to ``within`` seconds)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False
