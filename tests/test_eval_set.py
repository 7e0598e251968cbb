"""The reader engine over the WHOLE eval set, against the issue's thresholds.

The pipeline runs once per session (module-scoped fixture, through the same
``run_eval`` the ``extractor eval`` command uses); each test then reads the
scores. Per-report tests are parametrized over every line of the manifest.
"""

from __future__ import annotations

import functools

import pytest

import evalset
from extractor.evaluation import EvalRun, ReportScore, load_eval_set, run_eval
from extractor.pipeline import ExtractOptions
from extractor.record import Record, flatten

REPORT_IDS = evalset.IDS
PRE2019_IDS = [m["id"] for m in evalset.by_layout("pre2019")]
# The same report as web text or pdftotext output (<id>) and as its HTML page or original PDF (<id>-html, <id>-pdf).
COPIES = [
    rid for rid in REPORT_IDS
    for suffix in ("-html", "-pdf")
    if rid.endswith(suffix) and rid.removesuffix(suffix) in REPORT_IDS
]
PDF_IDS = [rid for rid in REPORT_IDS if rid.endswith("-pdf")]


@functools.cache
def _pdf_grids_loaded() -> bool:
    """Whether the PDF loader gives the tables of the original PDFs as grids (the grid reader's input)."""
    from extractor.loading import load

    return all(load(evalset.report_path(rid)).tables for rid in PDF_IDS)


needs_pdf_grids = pytest.mark.skipif(not _pdf_grids_loaded(), reason="the PDF loader gives no table grids yet")

NEW_FORMAT_TABLES = ("active_disclosure", "applications", "review_litigation")  # tables 二 / 三 / 四
MIN_CELL_ACCURACY = 0.995
META_KEYS = ("meta.agency", "meta.year", "meta.kind", "meta.layout")
PRE2019_KEYS = ("pre2019.applications.received", "pre2019.review.total", "pre2019.litigation.total")


@pytest.fixture(scope="module")
def run() -> EvalRun:
    return run_eval(load_eval_set(evalset.EVAL), ExtractOptions())


def report_of(run: EvalRun, report_id: str) -> ReportScore:
    return run.scores.report(report_id)


def test_every_manifest_report_is_scored(run: EvalRun) -> None:
    assert [r.id for r in run.scores.per_report] == REPORT_IDS


@pytest.mark.parametrize("table", NEW_FORMAT_TABLES)
def test_table_cell_accuracy(run: EvalRun, table: str) -> None:
    rate = run.scores.tables[table]
    wrong = [(c.report, c.key, c.gold, c.got) for c in run.scores.wrong_cells if c.key.startswith(table + ".")]
    assert rate.rate is not None and rate.rate >= MIN_CELL_ACCURACY, (
        f"{table}: {rate.correct}/{rate.total} cells right; wrong: {wrong[:30]}"
    )


@pytest.mark.parametrize("report_id", REPORT_IDS)
def test_extraction_succeeds(run: EvalRun, report_id: str) -> None:
    assert report_of(run, report_id).error is None


@pytest.mark.parametrize("report_id", REPORT_IDS)
def test_no_wrong_number_in_tables(run: EvalRun, report_id: str) -> None:
    """A blank is forgivable (within the accuracy budget); a wrong number in table 二/三/四 is not."""
    wrong = [
        (c.key, c.gold, c.got)
        for c in report_of(run, report_id).wrong_cells
        if c.wrong_value and c.key.split(".", 1)[0] in NEW_FORMAT_TABLES
    ]
    assert wrong == []


@pytest.mark.parametrize("report_id", REPORT_IDS)
def test_sections_right(run: EvalRun, report_id: str) -> None:
    prediction = next(p for p in run.predictions if p.id == report_id)
    got = prediction.extraction.record.sections if prediction.extraction else None
    assert report_of(run, report_id).sections_equal, got


@pytest.mark.parametrize("report_id", REPORT_IDS)
def test_meta_right(run: EvalRun, report_id: str) -> None:
    fields = report_of(run, report_id).fields
    wrong = [key for key in META_KEYS if fields[key].fp or fields[key].fn]
    assert wrong == []


@pytest.mark.parametrize("report_id", PRE2019_IDS)
def test_pre2019_received_and_case_totals_right(run: EvalRun, report_id: str) -> None:
    """Where the gold states them (an unresolvable key may stay blank; a wrong number never)."""
    fields = report_of(run, report_id).fields
    wrong = [key for key in PRE2019_KEYS if key in fields and (fields[key].fp or fields[key].fn)]
    assert wrong == []


def test_section_accuracy_is_total(run: EvalRun) -> None:
    assert run.scores.sections.rate == 1.0


@pytest.mark.parametrize("copy_id", COPIES)
def test_copies_of_one_report_give_the_same_record(run: EvalRun, copy_id: str) -> None:
    """Meta, sections, every table cell and the claims, key for key; except where the text copy cannot
    decide (its gold ``unresolvable`` keys), which may stay blank there."""
    if copy_id.endswith("-pdf") and not _pdf_grids_loaded():
        pytest.skip("the PDF loader gives no table grids yet")
    text_id = copy_id.removesuffix("-html").removesuffix("-pdf")
    records = {p.id: p.extraction.record if p.extraction else Record() for p in run.predictions}
    unresolvable = set(evalset.gold_record(text_id).unresolvable or ())
    text, copy = flatten(records[text_id]), flatten(records[copy_id])
    differ = sorted(
        (k, text.get(k), copy.get(k))
        for k in set(text) | set(copy)
        if text.get(k) != copy.get(k) and not (k in unresolvable and text.get(k) is None)
    )
    assert differ == []
    assert records[text_id].sections == records[copy_id].sections
    assert records[text_id].claims == records[copy_id].claims


@needs_pdf_grids
def test_original_pdfs_table_cells(run: EvalRun) -> None:
    """The original PDFs, read from their own table grids: >= 99.5% of the cells right, no wrong number."""
    right = total = 0
    wrong = []
    for rid in PDF_IDS:
        score = report_of(run, rid)
        right += sum(score.tables[t].correct for t in NEW_FORMAT_TABLES if t in score.tables)
        total += sum(score.tables[t].total for t in NEW_FORMAT_TABLES if t in score.tables)
        wrong += [(rid, c.key, c.gold, c.got) for c in score.wrong_cells if c.wrong_value]
    assert PDF_IDS and total > 0
    assert wrong == []
    assert right / total >= MIN_CELL_ACCURACY, f"{right}/{total} cells right"
