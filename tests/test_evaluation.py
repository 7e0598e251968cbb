"""The scorer and `extractor eval`, on small hand-made gold/prediction pairs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run

from extractor.document import Span
from extractor.errors import ExitCode, ExtractorError, InputError
from extractor.evaluation import (
    Case,
    EvalReport,
    compare_reports,
    load_eval_set,
    match_claims,
    same_value,
    score,
    score_case,
    score_findings,
)
from extractor.readings import Evidence, Extraction, Finding
from extractor.record import Claim, Record, SourceInconsistency


# ------------------------------------------------------------------ helpers
def record(**data: object) -> Record:
    """A record from spec-shaped JSON (meta defaults to a 2021 annual report)."""
    data.setdefault("meta", {"agency": "某局", "year": 2021, "kind": "annual_report", "layout": "2021"})
    return Record.model_validate(data)


def review(group: str = "review", **cells: int | None) -> dict[str, dict[str, int | None]]:
    return {group: dict(cells)}


def claim(total: float | None = None, parts: list[float] = (), rate: tuple | None = None) -> Claim:
    data: dict[str, object] = {"parts": [{"name": f"p{i}", "value": v} for i, v in enumerate(parts)]}
    if total is not None:
        data["total"] = {"name": "total", "value": total, "unit": "条"}
    if rate is not None:
        percent, numerator, denominator = rate
        data["rate"] = {"name": "rate", "percent": percent, "numerator": numerator, "denominator": denominator}
    return Claim.model_validate(data)


def one(gold: Record, predicted: Record, **kw: object):
    return score_case(Case(id="r", gold=gold, predicted=predicted, **kw))


# ------------------------------------------------------------------ leaf values
def test_wrong_value_is_both_false_positive_and_false_negative() -> None:
    gold = record(review_litigation=review(upheld=3))
    got = record(review_litigation=review(upheld=4))
    c = one(gold, got).fields["review_litigation.review.upheld"]
    assert (c.tp, c.fp, c.fn) == (0, 1, 1)


def test_null_and_zero_are_different_values() -> None:
    gold = record(review_litigation=review(upheld=0, corrected=None))
    got = record(review_litigation=review(upheld=None, corrected=0))
    fields = one(gold, got).fields
    upheld, corrected = fields["review_litigation.review.upheld"], fields["review_litigation.review.corrected"]
    assert (upheld.tp, upheld.fp, upheld.fn) == (0, 0, 1)  # a blank where gold has 0: missed
    assert (corrected.tp, corrected.fp, corrected.fn) == (0, 1, 0)  # a 0 where gold is blank: invented


def test_both_null_is_a_true_negative_not_a_true_positive() -> None:
    gold = record(review_litigation=review(upheld=None))
    report = one(gold, gold)
    c = report.fields["review_litigation.review.upheld"]
    assert (c.tp, c.tn) == (0, 1)
    assert report.groups["review_litigation"].tn == 5  # all five blank outcomes
    assert report.tables["review_litigation"].rate == 1.0  # and the blank cells are read right


def test_numbers_compare_by_value_and_strings_after_nfkc() -> None:
    assert same_value(5, 5.0)
    assert not same_value(0, None)
    assert not same_value(5, 5.1)
    assert not same_value("5", 5)
    assert same_value("平潭综合实验区 管委会", "平潭综合实验区管委会")
    assert same_value("２０２２-01-21", "2022-01-21")


def test_precision_recall_f1_are_micro_averaged_and_tn_left_out() -> None:
    gold = record(review_litigation=review(upheld=1, corrected=2, other=3, pending=None, total=6))
    got = record(review_litigation=review(upheld=1, corrected=2, other=4, pending=None, total=None))
    g = one(gold, got).groups["review_litigation"]
    assert (g.tp, g.fp, g.fn, g.tn) == (2, 1, 2, 1)
    assert g.precision == pytest.approx(2 / 3)
    assert g.recall == pytest.approx(2 / 4)
    assert g.f1 == pytest.approx(2 * 2 / (2 * 2 + 1 + 2))


# ------------------------------------------------------------------ unresolvable
def test_unresolvable_accepts_a_null_counts_a_wrong_number_and_skips_gold_null() -> None:
    gold = record(
        review_litigation=review(upheld=7, corrected=8, other=None),
        unresolvable=["review_litigation.review.upheld", "review_litigation.review.corrected",
                      "review_litigation.review.other"],
    )
    got = record(review_litigation=review(upheld=None, corrected=9, other=5))
    report = one(gold, got)
    upheld = report.fields["review_litigation.review.upheld"]
    corrected = report.fields["review_litigation.review.corrected"]
    assert (upheld.accepted, upheld.fn, upheld.tp) == (1, 0, 0)
    assert (corrected.fp, corrected.fn) == (1, 1)
    assert "review_litigation.review.other" not in report.fields  # nobody can tell: not scored, even a guess
    rate = report.tables["review_litigation"]
    assert rate.total == 4  # the gold-null unresolvable cell is out of the denominator
    assert rate.correct == 3  # upheld (accepted null), pending and total (both blank); corrected is wrong
    assert [c.key for c in report.wrong_cells] == ["review_litigation.review.corrected"]


# ------------------------------------------------------------------ tables, wrong cells
def test_wrong_cells_carry_the_evidence_and_a_missing_table_is_not_all_blank() -> None:
    gold = record(
        review_litigation=review(upheld=1, pending=None),
        applications={"granted": {"natural_person": 2, "total": 2}},
    )
    got = record(review_litigation=review(upheld=11, pending=None))
    text = "行政复议 结果维持 11 件"
    evidence = {"review_litigation.review.upheld": Evidence(value=11, span=Span(start=10, end=12), note="run split")}
    report = one(gold, got, evidence=evidence, text=text)
    wrong = {c.key: c for c in report.wrong_cells}
    upheld = wrong["review_litigation.review.upheld"]
    assert (upheld.gold, upheld.got, upheld.text, upheld.note) == (1, 11, "11", "run split")
    assert upheld.wrong_value
    assert report.tables["applications"].correct == 0  # table absent: even its blank cells are not "read right"
    missing = wrong["applications.granted.research"]
    assert (missing.gold, missing.got, missing.in_prediction, missing.wrong_value) == (None, None, False, False)


def test_cells_the_gold_table_lacks_are_listed_when_filled() -> None:
    gold = record(applications={"other_handling": {"total": 0}})
    got = record(applications={"other_handling": {"total": 0}, "other_handling.other": {"total": 3}})
    report = one(gold, got)
    extra = [c for c in report.wrong_cells if not c.in_gold]
    assert [(c.key, c.got) for c in extra] == [("applications.other_handling.other.total", 3)]
    assert report.tables["applications"].total == 7  # the rate stays over gold cells
    assert report.fields["applications.other_handling.other.total"].fp == 1


# ------------------------------------------------------------------ sections
def test_section_headings_compare_after_nfkc_without_whitespace() -> None:
    gold = record(sections=["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况"])
    spaced = record(sections=["一、 总体情况", "二、主动公开政府信息情况\u3000", "三、收到和处理政府信息公开申请情况"])
    assert one(gold, spaced).sections_equal
    missing = one(gold, record(sections=["一、总体情况", "三、收到和处理政府信息公开申请情况", "七、附件"]))
    assert not missing.sections_equal
    c = missing.fields["sections"]
    assert (c.tp, c.fp, c.fn) == (2, 1, 1)
    run = score([Case(id="a", gold=gold, predicted=spaced), Case(id="b", gold=gold, predicted=record())])
    assert (run.sections.correct, run.sections.total) == (1, 2)


# ------------------------------------------------------------------ claims
def test_match_claims_pairs_by_value_regardless_of_order() -> None:
    gold = [claim(33, [1, 2, 30]), claim(rate=(79, 3933, 4970)), claim(425, [303, 122])]
    predicted = [claim(rate=(79, 3933, 4970)), claim(425, [303, 122]), claim(33, [1, 2, 30])]
    assert match_claims(gold, predicted) == [(0, 2), (1, 0), (2, 1)]


def test_match_claims_leaves_unrelated_items_unpaired() -> None:
    gold = [claim(33, [1, 2, 30]), claim(500, [200, 300])]
    predicted = [claim(9999, [7, 8]), claim(34, [1, 2, 30])]
    pairs = match_claims(gold, predicted)
    assert (1, None) in pairs and (None, 0) in pairs
    assert (0, 1) in pairs  # a wrong total is still the same statement: its parts agree
    assert match_claims([], [claim(1, [1])]) == [(None, 0)]
    assert match_claims([claim(1, [1])], []) == [(0, None)]


def test_claims_are_scored_number_by_number_after_alignment() -> None:
    gold = record(claims=[c.model_dump() for c in (claim(33, [1, 2, 30]), claim(rate=(79, 3933, 4970)))])
    got = record(claims=[c.model_dump() for c in (claim(rate=(79, 3933, None)), claim(33, [2, 1, 30]))])
    report = one(gold, got)
    assert report.fields["claims.total"].tp == 1
    assert report.fields["claims.parts"].tp == 3  # parts match as a multiset, in any order
    assert report.fields["claims.rate.percent"].tp == 1
    assert report.fields["claims.rate.denominator"].fn == 1
    assert (report.claims.gold, report.claims.predicted, report.claims.correct) == (2, 2, 1)
    assert report.claims.recall == 0.5


def test_unmatched_claims_count_every_number_missed_or_invented() -> None:
    gold = record(claims=[claim(10, [4, 6]).model_dump()])
    got = record(claims=[claim(rate=(50, 1, 2)).model_dump()])
    report = one(gold, got)
    assert report.fields["claims.total"].fn == 1
    assert report.fields["claims.parts"].fn == 2
    assert report.fields["claims.rate.percent"].fp == 1
    assert report.claims.correct == 0


# ------------------------------------------------------------------ checks
def finding(rule: str, stated: float | None, computed: float | None, **kw: object) -> Finding:
    return Finding(rule=rule, where="somewhere", stated=stated, computed=computed, **kw)


def test_findings_are_scored_against_source_inconsistencies() -> None:
    gold = [
        SourceInconsistency(rule="claim_sum", where="信用数据", stated=11073, computed=11074),
        SourceInconsistency(rule="claim_rate", where="办结率", stated=100, computed=146.15),
        SourceInconsistency(rule="group_sum", where="表四 行政复议", stated=0, computed=11),
    ]
    findings = [
        finding("claim_sum", 11073, 11074),
        finding("claim_rate", 100, 146.1538),  # gold rounded to the digits it printed
        finding("group_sum", 0, 12),  # wrong computed value: not the same problem
        finding("row_sum", 5, 6),  # not in the source
        finding("grounding", None, None),  # about the extraction, not the source
        finding("balance", 1, 2, status="not_checkable"),
    ]
    s = score_findings(gold, findings)
    assert (s.tp, s.fp, s.fn) == (2, 2, 1)
    assert [m.rule for m in s.missed] == ["group_sum"]
    assert sorted(f.rule for f in s.spurious) == ["group_sum", "row_sum"]
    assert s.precision == 0.5 and s.recall == pytest.approx(2 / 3)


def test_checks_are_scored_only_when_the_prediction_carries_findings() -> None:
    gold = record(source_inconsistencies=[{"rule": "balance", "where": "表三 总计", "stated": 5, "computed": 6}])
    assert one(gold, gold).checks is None
    run = score([
        Case(id="a", gold=gold, predicted=record(), findings=[finding("balance", 5, 6)]),
        Case(id="b", gold=gold, predicted=record(), findings=[]),
    ])
    assert run.checks is not None and (run.checks.tp, run.checks.fn) == (1, 1)


# ------------------------------------------------------------------ compare
def test_compare_gives_deltas_against_the_first_run() -> None:
    gold = record(review_litigation=review(upheld=1, corrected=2))
    good = score([Case(id="a", gold=gold, predicted=gold)])
    worse = score([Case(id="a", gold=gold, predicted=record(review_litigation=review(upheld=1, corrected=3)))])
    rows = {(r.label, r.metric): r for r in compare_reports([good, worse, good])}
    f1 = rows["review_litigation", "f1"]
    assert f1.values == [1.0, 0.5, 1.0]
    assert f1.deltas == [pytest.approx(-0.5), pytest.approx(0.0)]
    cells = rows["review_litigation", "cell accuracy"]
    assert cells.deltas[0] == pytest.approx(-1 / 5)
    assert ("applications", "f1") not in rows  # no figure in any run: no row


def test_figures_and_kind_are_scored_beside_the_fields_and_compared() -> None:
    from extractor.record import Figure, Meta

    gold = record(
        meta=Meta(kind="work_summary"),
        figures=[Figure(name="权责事项", value=33, unit="项"), Figure(name="信用数据", value=11073)],
    )
    got = record(
        meta=Meta(kind="work_summary"),
        figures=[Figure(name="权责事项共", value=33, unit="项"), Figure(name="信用数据", value=11073, unit="条"),
                 Figure(name="新闻发布会", value=4, unit="场")],
    )
    run = score([Case(id="a", gold=gold, predicted=got), Case(id="b", gold=record(), predicted=record())])
    assert run.figures is not None and (run.figures.tp, run.figures.fp, run.figures.fn) == (1, 2, 1)
    assert (run.kind.correct, run.kind.total) == (2, 2)
    assert run.per_report[1].figures is None  # a gold file without figures is not scored for them
    unlabelled = score([Case(id="a", gold=gold.model_copy(update={"figures": None}), predicted=got)])
    assert run.per_report[0].overall == unlabelled.per_report[0].overall  # figures are scored beside the record's fields, not in overall
    rows = {(r.label, r.metric) for r in compare_reports([run, run])}
    assert ("figures", "f1") in rows and ("kind", "reports right") in rows


# ------------------------------------------------------------------ the eval set on disk and the CLI
def make_eval_dir(root: Path, golds: dict[str, Record]) -> Path:
    (root / "gold").mkdir(parents=True)
    (root / "reports").mkdir()
    lines = []
    for rid, gold in golds.items():
        (root / "gold" / f"{rid}.json").write_text(gold.model_dump_json(), encoding="utf-8")
        (root / "reports" / f"{rid}.txt").write_text("一、总体情况\n", encoding="utf-8")
        lines.append(json.dumps({"id": rid, "file": f"{rid}.txt"}))
    (root / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


GOLD_A = record(review_litigation=review(upheld=1, corrected=2, total=3), sections=["一、总体情况"])
GOLD_B = record(review_litigation=review(upheld=0, corrected=0, total=0), sections=["一、总体情况"])


def test_load_eval_set_rejects_unknown_ids_and_hashes_the_gold(tmp_path: Path) -> None:
    root = make_eval_dir(tmp_path / "eval", {"a": GOLD_A, "b": GOLD_B})
    eval_set = load_eval_set(root, ["b"])
    assert [e.id for e in eval_set.entries] == ["b"]
    with pytest.raises(InputError, match="unknown report id"):
        load_eval_set(root, ["nope"])
    with pytest.raises(InputError, match="manifest.jsonl"):
        load_eval_set(tmp_path / "missing")
    before = eval_set.sha256
    (root / "gold" / "a.json").write_text(GOLD_B.model_dump_json(), encoding="utf-8")
    assert load_eval_set(root).sha256 != before


@pytest.fixture()
def fake_pipeline(monkeypatch: pytest.MonkeyPatch):
    """Replace the pipeline's extract_path: predictions come from this dict (stem -> Record)."""
    import extractor.pipeline as pipeline

    predictions: dict[str, Record] = {}

    def extract_path(path: str | Path, options: object = None) -> Extraction:
        return Extraction(record=predictions[Path(path).stem])

    monkeypatch.setattr(pipeline, "extract_path", extract_path)
    return predictions


def test_eval_writes_the_run_and_prints_json(tmp_path: Path, fake_pipeline: dict[str, Record]) -> None:
    from typer.testing import CliRunner

    from extractor.cli import app

    root = make_eval_dir(tmp_path / "eval", {"a": GOLD_A, "b": GOLD_B})
    b = record(review_litigation=review(upheld=0, corrected=None, total=0), sections=["一、总体情况"])
    fake_pipeline.update(a=GOLD_A, b=b)  # one cell missed
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["eval", "--eval-dir", str(root), "--out", str(out), "--json", "--min-f1", "0.5"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["manifest"]["engine"] == "reader"
    assert data["manifest"]["reports"] == ["a", "b"]
    assert len(data["manifest"]["gold_sha256"]) == 64
    assert data["scores"]["overall"]["fn"] == 1
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in run["scores"]["per_report"]] == ["a", "b"]
    assert EvalReport.model_validate(run["scores"]).overall.fn == 1
    lines = (out / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a", "b"]


def test_min_f1_exits_with_findings_code(tmp_path: Path, fake_pipeline: dict[str, Record]) -> None:
    from typer.testing import CliRunner

    from extractor.cli import app

    root = make_eval_dir(tmp_path / "eval", {"a": GOLD_A})
    fake_pipeline.update(a=record(review_litigation=review(upheld=1, corrected=5, total=6)))  # F1 = 1/3
    args = ["eval", "--eval-dir", str(root), "--out", str(tmp_path / "run")]
    assert CliRunner().invoke(app, [*args, "--min-f1", "0.3"]).exit_code == 0
    result = CliRunner().invoke(app, [*args, "--min-f1", "0.9"])
    assert isinstance(result.exception, ExtractorError)
    assert result.exception.exit_code == ExitCode.FINDINGS
    assert "--min-f1" in str(result.exception)
    assert run(*args, "--min-f1", "0.9").returncode == ExitCode.FINDINGS  # the real entry point makes it code 5


def test_eval_compare_prints_deltas(tmp_path: Path, fake_pipeline: dict[str, Record]) -> None:
    from typer.testing import CliRunner

    from extractor.cli import app

    root = make_eval_dir(tmp_path / "eval", {"a": GOLD_A})
    fake_pipeline.update(a=GOLD_A)
    runner = CliRunner()
    assert runner.invoke(app, ["eval", "--eval-dir", str(root), "--out", str(tmp_path / "one")]).exit_code == 0
    fake_pipeline.update(a=record(review_litigation=review(upheld=1, corrected=5, total=6)))
    assert runner.invoke(app, ["eval", "--eval-dir", str(root), "--out", str(tmp_path / "two")]).exit_code == 0
    result = runner.invoke(app, ["eval", "compare", str(tmp_path / "one" / "run.json"), str(tmp_path / "two"), "--json"])
    assert result.exit_code == 0, result.output
    rows = {(r["label"], r["metric"]): r for r in json.loads(result.stdout)}
    assert rows["overall", "f1"]["values"][0] == 1.0
    assert rows["review_litigation", "f1"]["deltas"][0] == pytest.approx(1 / 3 - 1)
    assert runner.invoke(app, ["eval", "compare", str(tmp_path / "one")]).exit_code == 2


def test_one_eval_per_prompt_side_by_side(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    import extractor.pipeline as pipeline
    from extractor.cli import app

    answers = {"v1": GOLD_A, "v2": record(review_litigation=review(upheld=1, corrected=5, total=6))}
    seen: list[tuple[str, str | None]] = []

    def extract_path(path: str | Path, options: pipeline.ExtractOptions) -> Extraction:
        seen.append((options.engine, options.llm.prompt_version))
        return Extraction(record=answers[options.llm.prompt_version])

    monkeypatch.setattr(pipeline, "extract_path", extract_path)
    root = make_eval_dir(tmp_path / "eval", {"a": GOLD_A})
    args = ["eval", "--eval-dir", str(root), "--engine", "llm", "--prompt", "v1", "--prompt", "v2",
            "--out", str(tmp_path / "runs"), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert seen == [("llm", "v1"), ("llm", "v2")]
    data = json.loads(result.stdout)
    assert [d["manifest"]["prompt_version"] for d in data] == ["v1", "v2"]
    assert data[0]["scores"]["overall"]["f1"] == 1.0 > data[1]["scores"]["overall"]["f1"]
    assert (tmp_path / "runs" / "v1" / "run.json").is_file() and (tmp_path / "runs" / "v2" / "run.json").is_file()
    assert "compare" in result.stderr


def test_an_unconfigured_model_stops_the_eval_with_its_own_exit_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import extractor.pipeline as pipeline
    from extractor.errors import ModelError

    def extract_path(path: str | Path, options: object = None) -> Extraction:
        raise ModelError("no model endpoint is configured; set EXTRACTOR_BASE_URL")

    monkeypatch.setattr(pipeline, "extract_path", extract_path)
    root = make_eval_dir(tmp_path / "eval", {"a": GOLD_A})
    done = run("eval", "--eval-dir", str(root), "--engine", "llm", "--out", str(tmp_path / "run"))
    assert done.returncode == ExitCode.MODEL
    assert not (tmp_path / "run" / "run.json").exists()


def test_a_failing_report_is_scored_empty_and_named(tmp_path: Path, fake_pipeline: dict[str, Record]) -> None:
    from extractor.evaluation import run_eval
    from extractor.pipeline import ExtractOptions

    root = make_eval_dir(tmp_path / "eval", {"a": GOLD_A, "b": GOLD_B})
    fake_pipeline.update(a=GOLD_A)  # no prediction for b: extract_path raises KeyError
    run = run_eval(load_eval_set(root), ExtractOptions())
    assert run.scores.report("a").error is None
    assert run.scores.report("b").error.startswith("KeyError")
    assert run.scores.report("b").groups["review_litigation"].fn == 3
    assert run.scores.failures == [f"b: {run.scores.report('b').error}"]
