"""The eval set as the tests read it: ``eval/manifest.jsonl``, ``eval/gold/<id>.json``, ``eval/reports/``.

    import evalset   # tests/ is on sys.path under pytest

    @pytest.mark.parametrize("entry", evalset.MANIFEST, ids=evalset.IDS)
    def test_something(entry: dict) -> None:
        doc = load(evalset.report_path(entry))
        gold = evalset.gold_record(entry["id"])

Manifest entries stay plain dicts (in file order); ``extractor.evaluation.load_eval_set``
is for running the whole set, as ``extractor eval`` does.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from extractor.record import Record

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT / "eval"
MANIFEST: list[dict[str, Any]] = [
    json.loads(line) for line in (EVAL / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()
]
IDS: list[str] = [m["id"] for m in MANIFEST]
GOLD_ONLY = ("unresolvable", "source_inconsistencies", "notes")


def entry(report_id: str) -> dict[str, Any]:
    """The manifest line of ``report_id``."""
    return next(m for m in MANIFEST if m["id"] == report_id)


def report_path(entry_or_id: dict[str, Any] | str) -> Path:
    """The report file of a manifest entry (or of the entry with that id)."""
    m = entry(entry_or_id) if isinstance(entry_or_id, str) else entry_or_id
    return EVAL / "reports" / m["file"]


def gold_path(report_id: str) -> Path:
    return EVAL / "gold" / f"{report_id}.json"


@cache
def _gold_text(report_id: str) -> str:
    return gold_path(report_id).read_text(encoding="utf-8")


def gold_json(report_id: str) -> dict[str, Any]:
    """The gold file as parsed JSON (a fresh dict each call: change it freely)."""
    return json.loads(_gold_text(report_id))


def gold_record(report_id: str) -> Record:
    """The gold file as a Record, gold-only keys (``GOLD_ONLY``) included."""
    return Record.model_validate(gold_json(report_id))


def by_layout(*layouts: str) -> list[dict[str, Any]]:
    """Manifest entries whose gold ``meta.layout`` is one of ``layouts``, in file order."""
    return [m for m in MANIFEST if gold_json(m["id"])["meta"]["layout"] in layouts]
