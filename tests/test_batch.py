"""Batch mechanics: discovery, resume keys, failure isolation, duplicates, crashes, cross-year pairing.

The work function here stands in for the pipeline (see batch_support); the
real pipeline runs end to end in test_interrupt.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import batch_support as bs
import evalset
from extractor.across import ReportRef, agency_alias, agency_key, check_across, pair_consecutive, same_body
from extractor.batch import discover, run_batch, settings_identity, share_concurrency
from extractor.llm.config import LlmSettings
from extractor.pipeline import ExtractOptions
from extractor.errors import ExtractorError, InputError
from extractor.record import Meta, Record
from extractor.storage import DB_NAME, ResultsDB

FEW = ["huaian-hongze-2023", "huaian-hongze-2024", "hebei-kjt-2020", "hebei-kjt-2021", "pingtan-zone-2020"]


def _rows(out: Path) -> list[tuple]:
    with ResultsDB(out / DB_NAME) as db:
        return [tuple(r) for r in db.query("SELECT id, content_sha256, status, created FROM reports ORDER BY content_sha256")]


def test_discover_recurses_filters_and_keeps_named_files(tmp_path: Path) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.HTML", "sub/c.pdf", "sub/d.docx", "e.md", "notes.json", "sub/.hidden.txt", "~$lock.docx"):
        (tmp_path / "in" / name).write_text("x", encoding="utf-8")
    (tmp_path / "in" / ".git").mkdir()
    (tmp_path / "in" / ".git" / "x.txt").write_text("x")
    (tmp_path / "in" / "out").mkdir()
    (tmp_path / "in" / "out" / "old.txt").write_text("x")
    (tmp_path / "odd.xyz").write_text("x")
    found = discover([tmp_path / "in", tmp_path / "odd.xyz", tmp_path / "in" / "a.txt"], exclude=tmp_path / "in" / "out")
    names = [p.relative_to(tmp_path).as_posix() for p in found]
    assert names == ["in/a.txt", "in/b.HTML", "in/e.md", "in/sub/c.pdf", "in/sub/d.docx", "odd.xyz"]
    with pytest.raises(InputError, match="no such file"):
        discover([tmp_path / "missing"])


def _llm(**kw: object) -> ExtractOptions:
    return ExtractOptions(engine="llm", llm=LlmSettings(model="m", **kw))


def test_settings_hash_ignores_runtime_knobs_and_never_holds_secrets() -> None:
    base, payload = settings_identity(_llm())
    assert settings_identity(_llm(concurrency=8, cache_dir="/elsewhere"))[0] == base
    secret_sha, secret_payload = settings_identity(_llm(api_key="sk-very-secret"))
    assert secret_sha == base and "sk-very-secret" not in secret_payload
    assert settings_identity(_llm(prompt_version="v1"))[0] != base
    assert settings_identity(ExtractOptions(check=False))[0] != settings_identity(ExtractOptions())[0]
    assert '"extractor_version"' in payload and '"code"' in payload


def test_parallel_model_reports_share_the_concurrency_limit() -> None:
    assert share_concurrency(_llm(concurrency=8), 4).llm.concurrency == 2
    assert share_concurrency(_llm(concurrency=8), 16).llm.concurrency == 1
    reader = ExtractOptions()
    assert share_concurrency(reader, 2) is reader
    assert settings_identity(share_concurrency(_llm(), 4)) == settings_identity(_llm())  # still resumes


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_stores_every_report_and_a_rerun_redoes_nothing(tmp_path: Path, jobs: int) -> None:
    files = bs.copy_eval(tmp_path / "in", FEW)
    out = tmp_path / "out"
    seen = []
    summary = run_batch([tmp_path / "in"], out, ExtractOptions(), jobs=jobs, work=bs.work_gold,
                        progress=lambda counts, outcome: seen.append((counts.model_copy(), outcome)))
    assert summary.ok and summary.processed == len(files) and summary.skipped == 0
    assert summary.requests == 2 * len(files) and summary.cache_hits == len(files)
    assert seen[-1][0].done == len(files) and seen[0][1] is None  # progress: a start, then one call per report
    before = _rows(out)
    assert len(before) == len(files) and all(r[2] == "ok" for r in before)

    again = run_batch([tmp_path / "in"], out, ExtractOptions(), jobs=jobs, work=bs.work_gold)
    assert again.processed == 0 and again.skipped == len(files)
    assert _rows(out) == before  # same ids, same created: nothing redone
    with ResultsDB(out / DB_NAME) as db:
        batches = list(db.query("SELECT processed, skipped, finished FROM batches ORDER BY id"))
    assert [(b["processed"], b["skipped"]) for b in batches] == [(len(files), 0), (0, len(files))]
    assert all(b["finished"] for b in batches)


def test_new_settings_extract_again(tmp_path: Path) -> None:
    bs.copy_eval(tmp_path / "in", FEW[:2])
    run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=1, work=bs.work_gold)
    other = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(check=False), jobs=1, work=bs.work_gold)
    assert other.processed == 2
    with ResultsDB(tmp_path / "out" / DB_NAME) as db:
        assert len(db.reports(latest_only=False)) == 4 and len(db.reports()) == 2


@pytest.mark.parametrize("work", [bs.work_gold, bs.work_raise])
def test_a_bad_report_is_recorded_and_the_rest_complete(tmp_path: Path, work: object) -> None:
    bs.copy_eval(tmp_path / "in", FEW)
    (tmp_path / "in" / "bad.txt").write_text("not a report", encoding="utf-8")
    summary = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=2, work=work)  # type: ignore[arg-type]
    assert [Path(f.path).name for f in summary.failures] == ["bad.txt"]
    assert summary.failures[0].error and ("not a report" in summary.failures[0].error or "exploded" in summary.failures[0].error)
    with ResultsDB(tmp_path / "out" / DB_NAME) as db:
        statuses = sorted(r.status for r in db.reports())
        failed = db.reports(status="failed")
    assert statuses == ["failed"] + ["ok"] * len(FEW)
    assert failed[0].error == summary.failures[0].error
    # a rerun retries the failure only
    again = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=2, work=work)  # type: ignore[arg-type]
    assert again.processed == 1 and len(again.failures) == 1


def test_identical_files_are_one_report(tmp_path: Path) -> None:
    files = bs.copy_eval(tmp_path / "in", FEW[:1])
    (tmp_path / "in" / "zz-same.txt").write_bytes(files[0].read_bytes())
    summary = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=1, work=bs.work_gold)
    assert summary.ok and summary.processed == 1 and len(summary.duplicates) == 1
    assert Path(summary.duplicates[0].path).name == "zz-same.txt"
    assert summary.duplicates[0].error and files[0].name in summary.duplicates[0].error


@pytest.mark.parametrize("crashers", [["crash.txt"], ["crash-a.txt", "zz-crash.txt"]])
def test_a_report_that_kills_its_worker_is_isolated(tmp_path: Path, crashers: list[str]) -> None:
    bs.copy_eval(tmp_path / "in", FEW)
    for name in crashers:
        (tmp_path / "in" / name).write_text(f"boom {name}", encoding="utf-8")
    summary = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=2, work=bs.work_crash)
    assert sorted(Path(f.path).name for f in summary.failures) == crashers
    assert all("worker process died" in (f.error or "") for f in summary.failures)
    with ResultsDB(tmp_path / "out" / DB_NAME) as db:
        assert sorted(r.status for r in db.reports()) == ["failed"] * len(crashers) + ["ok"] * len(FEW)


def test_empty_input_and_file_as_out_are_user_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no report files"):
        run_batch([tmp_path / "empty"], tmp_path / "out", ExtractOptions(), work=bs.work_gold)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="is a file"):
        run_batch([tmp_path / "empty"], tmp_path / "file", ExtractOptions(), work=bs.work_gold)


# ---------------------------------------------------------------- cross-year pairing
def _ref(agency: str, year: int, rid: int, kind: str = "annual_report") -> ReportRef:
    return ReportRef(id=rid, record=Record(meta=Meta(agency=agency, year=year, kind=kind)))  # type: ignore[arg-type]


def test_agency_names_are_compared_after_nfkc_and_whitespace() -> None:
    assert agency_key(" 河北省 教育厅\u3000") == agency_key("河北省教育厅")
    assert agency_key("平潭综合实验区（管委会）") == agency_key("平潭综合实验区(管委会)")
    assert agency_alias("淮安市洪泽区人民政府办公室") == agency_key("淮安市洪泽区人民政府")
    assert agency_alias("上海市人民政府办公厅") == "上海市人民政府"
    assert agency_key("河北省教育厅") != agency_key("河北省科学技术厅")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("洪泽区人民政府", "淮安市洪泽区人民政府", True),
        ("平潭县人民政府", "福建省平潭县人民政府", True),
        ("淮安市洪泽区人民政府办公室", "洪泽区人民政府", True),
        ("南京市鼓楼区人民政府", "福州市鼓楼区人民政府", False),
        ("河北省教育厅", "教育厅", False),
        ("河北省城市管理局", "城市管理局", False),
        ("河北省教育厅", "河北省科学技术厅", False),
        ("洪泽区人民政府", "淮安市洪泽区发展和改革委员会", False),
    ],
)
def test_same_body_is_conservative(a: str, b: str, same: bool) -> None:
    assert same_body(a, b) is same and same_body(b, a) is same


def test_office_alias_only_when_the_strict_name_finds_nothing() -> None:
    office_2020 = _ref("某县人民政府办公室", 2020, 1)
    gov_2021 = _ref("某县人民政府", 2021, 2)
    assert [(p.id, c.id) for p, c in pair_consecutive([office_2020, gov_2021])] == [(1, 2)]
    gov_2020 = _ref("某县 人民政府", 2020, 3)
    pairs = {(p.id, c.id) for p, c in pair_consecutive([office_2020, gov_2021, gov_2020])}
    assert pairs == {(3, 2)}  # the government's own report wins over its office's


def test_gaps_other_kinds_and_unknowns_are_not_paired() -> None:
    refs = [_ref("甲", 2019, 1), _ref("甲", 2021, 2), _ref("乙", 2020, 3, "work_summary"), _ref("乙", 2021, 4),
            ReportRef(id=5, record=Record(meta=Meta(agency=None, year=2022))), _ref("甲", 2022, 6)]
    assert [(p.id, c.id) for p, c in pair_consecutive(refs)] == [(2, 6)]


@pytest.mark.evalset
def test_eval_set_pairs() -> None:
    refs = [ReportRef(id=i, path=m["file"], record=bs.gold_record(m["id"])) for i, m in enumerate(bs.MANIFEST)]
    by_id = {r.id: bs.MANIFEST[r.id]["id"] for r in refs}
    got = sorted((by_id[p.id], by_id[c.id]) for p, c in pair_consecutive(refs))
    got_cur = sorted(c for _, c in got)
    expected_cur = sorted([
        "hebei-kjt-2021", "hebei-gxt-2017", "hebei-gxt-2020", "hebei-gxt-2021",
        "hebei-jyt-2014", "hebei-jyt-2018", "hebei-jyt-2019", "hebei-rst-2018", "huaian-hongze-2024",
            "huaian-hongze-2024-pdf",
        "pingtan-zone-2013", "pingtan-zone-2013-html", "pingtan-zone-2020",
        "pingtan-zone-2023", "pingtan-zone-2023-html", "pingtan-zone-2024", "pingtan-zone-2025",
    ])
    assert got_cur == expected_cur
    for prev, cur in got:
        assert bs.gold_record(prev).meta.year == bs.gold_record(cur).meta.year - 1
        assert same_body(bs.gold_record(prev).meta.agency or "", bs.gold_record(cur).meta.agency or "")
    # a body with two copies of last year's report is checked against one of them, once
    assert len([p for p, c in got if c == "pingtan-zone-2020"]) == 1


def test_cross_year_findings_stored_with_both_reports(tmp_path: Path) -> None:
    from extractor.checks import cross_year

    ids = ["hebei-kjt-2020", "hebei-kjt-2021", "huaian-hongze-2023", "huaian-hongze-2024",
           "pingtan-zone-2023", "pingtan-zone-2024", "pingtan-zone-2025"]
    bs.copy_eval(tmp_path / "in", ids)
    summary = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=1, work=bs.work_gold)
    expected = []
    for prev, cur in (("hebei-kjt-2020", "hebei-kjt-2021"), ("huaian-hongze-2023", "huaian-hongze-2024"),
                      ("pingtan-zone-2023", "pingtan-zone-2024"), ("pingtan-zone-2024", "pingtan-zone-2025")):
        expected += [(prev, cur, f) for f in cross_year(bs.gold_record(prev), bs.gold_record(cur))]
    assert sum(f.status == "fail" for _, _, f in expected) >= 2  # the eval set has real cross-year breaks
    assert summary.cross_year_findings == sum(f.status == "fail" for _, _, f in expected)
    with ResultsDB(tmp_path / "out" / DB_NAME) as db:
        path_of = {r.id: Path(r.path).stem for r in db.reports()}
        stored = [(path_of[f.other_report_id], path_of[f.report_id], f.finding) for f in db.findings() if f.scope == "cross_year"]
    assert sorted(stored, key=repr) == sorted(expected, key=repr)
    listed = check_across(tmp_path / "out")
    prefixes, wheres = zip(*(f.where.split(": ", 1) for f in listed))
    assert sorted(wheres) == sorted(f.where for _, _, f in expected)
    assert all(" → " in p and p.split(" (")[0] in ("河北省科学技术厅", "淮安市洪泽区人民政府", "平潭综合实验区管委会") for p in prefixes)


# ---------------------------------------------------------------- the extract command
def _invoke(*args: str):  # noqa: ANN202
    from typer.testing import CliRunner

    import extractor.cli.commands  # noqa: F401  (registers every command)
    from extractor.cli.app import app

    return CliRunner().invoke(app, list(args))


def test_one_file_prints_json_or_writes_the_file(tmp_path: Path) -> None:
    import json

    report = evalset.report_path("huaian-hongze-2024")
    result = _invoke("extract", str(report))
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["meta"]["year"] == 2024 and "evidence" in printed
    target = tmp_path / "record.json"
    assert _invoke("extract", str(report), "--out", str(target)).exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8")) == printed
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left nothing behind


def test_batch_needs_an_out_directory(tmp_path: Path) -> None:
    bs.copy_eval(tmp_path / "in", FEW[:2])
    result = _invoke("extract", str(tmp_path / "in"))
    assert isinstance(result.exception, ExtractorError) and result.exception.exit_code == 2
    result = _invoke("extract", str(tmp_path / "in"), "--out", str(tmp_path / "all.json"))
    assert isinstance(result.exception, ExtractorError) and result.exception.exit_code == 2
    assert not (tmp_path / "all.json").exists()


def test_batch_command_over_a_directory_writes_the_database(tmp_path: Path) -> None:
    files = bs.copy_eval(tmp_path / "in", FEW)
    result = _invoke("extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert f"{len(files)} files: {len(files)} extracted, 0 failed" in result.stderr
    with ResultsDB(tmp_path / "out" / DB_NAME) as db:
        assert sorted(Path(r.path).name for r in db.reports()) == sorted(f.name for f in files)
    result = _invoke("extract", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert f"0 extracted, 0 failed, {len(files)} already done" in result.stderr


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_dead_model_endpoint_stops_the_batch_and_a_rerun_continues(tmp_path: Path, jobs: int) -> None:
    files = bs.copy_eval(tmp_path / "in", FEW)
    first = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=jobs, work=bs.work_endpoint_down)
    assert first.stopped and "model endpoint" in first.stopped
    assert not first.failures  # not the reports' fault: nothing recorded against them
    with ResultsDB(tmp_path / "out" / DB_NAME) as db:
        done = {Path(r.path).name for r in db.reports()}
        (finished,) = db.query("SELECT finished FROM batches")
    assert done and done <= {f.name for f in files if f.name < "hebei-kjt-2021"}
    assert finished[0] is None
    again = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=jobs, work=bs.work_gold)
    assert again.stopped is None and again.skipped == len(done) and again.processed == len(files) - len(done)
