"""What a user sees at the command line: clean stdout, one-line errors, documented exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import run

from extractor.checks import check
from extractor.errors import ExitCode, InputError
from extractor.loading import load, load_bytes
from extractor.pipeline import extract_document

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "eval" / "reports" / "hebei-gxt-2023.txt"


def test_dash_means_stdout_and_stdout_is_json_only(tmp_path: Path) -> None:
    done = run("extract", str(REPORT), "-o", "-", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert record["meta"]["year"] == 2023 and "problems" in record and "run" in record
    assert not (tmp_path / "-").exists()
    assert "reader engine alone" in done.stderr  # said once, on stderr


def test_an_output_path_that_cannot_be_written_is_one_line_and_exit_3(tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    (tmp_path / "afile.json").write_text("{}")
    for args in (["review", str(REPORT), "-o", str(tmp_path / "taken")],
                 ["extract", str(REPORT), "-o", str(tmp_path / "afile.json" / "x.json")]):
        done = run(*args)
        assert done.returncode == ExitCode.BAD_INPUT, done.stderr
        assert "Traceback" not in done.stderr and done.stderr.strip().splitlines()[-1].startswith("error: cannot write")


def test_a_file_that_is_not_a_report_is_refused() -> None:
    page = "<html><body><nav>首页 | 新闻</nav><p>Weather is fine today. Nothing to report.</p></body></html>"
    with pytest.raises(InputError, match="does not look like"):
        extract_document(load_bytes(page.encode(), "news.html"))


def test_review_page_goes_to_the_current_directory_and_batches_skip_it(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / REPORT.name).write_bytes(REPORT.read_bytes())
    assert run("review", str(inputs / REPORT.name), cwd=tmp_path).returncode == 0
    assert (tmp_path / f"{REPORT.stem}.review.html").is_file() and not list(inputs.glob("*.review.html"))
    (inputs / "old.review.html").write_text((tmp_path / f"{REPORT.stem}.review.html").read_text(encoding="utf-8"))
    (inputs / "table.csv").write_text("a,b\n1,2\n")
    done = run("extract", str(inputs), "--out", str(tmp_path / "out"))
    assert done.returncode == 0 and "1 files" in done.stderr, done.stderr
    assert "1 other files ignored" in done.stderr  # the .csv; the old review page is neither read nor counted


def test_export_format_and_extension_must_agree(tmp_path: Path) -> None:
    assert run("extract", str(REPORT), "--out", str(tmp_path / "out") + "/", cwd=tmp_path).returncode in (0, 6)
    done = run("export", str(tmp_path / "out"), "-f", "csv", "-o", str(tmp_path / "x.xlsx"))
    assert done.returncode == ExitCode.USAGE and "make them agree" in done.stderr


def test_the_templates_own_wording_of_received_applications_is_checked_against_the_table() -> None:
    doc = load(REPORT)
    extraction = extract_document(doc)
    assert not [f for f in extraction.findings if f.rule == "prose_vs_table"]
    wrong = doc.text.replace("政府信息公开申请10件", "政府信息公开申请12件")
    assert wrong != doc.text
    found = check(extraction.record, wrong, None)
    assert [(f.rule, f.stated) for f in found if f.rule == "prose_vs_table"] == [("prose_vs_table", 12)]
