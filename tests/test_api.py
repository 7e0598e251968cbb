"""The library face (extractor.api): inputs, engine choice as the CLI makes it, and the CLI calling it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor import (
    Document,
    Extraction,
    ExtractorError,
    InputError,
    ModelError,
    Record,
    check,
    extract,
    extract_options,
    load,
    model_settings,
)
from extractor.cli import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "huaian-hongze-2023.txt"
ENV = ("EXTRACTOR_MODEL", "EXTRACTOR_BASE_URL", "EXTRACTOR_API_KEY", "OPENAI_API_KEY")

HTML = """<!DOCTYPE html><html><head><title>x</title></head><body>
<p>某县人民政府2023年政府信息公开工作年度报告</p>
<p>一、总体情况</p><p>本年度共收到政府信息公开申请12件。</p>
<p>二、主动公开政府信息情况</p><p>无。</p>
</body></html>"""


@pytest.fixture(autouse=True)
def no_model_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def test_a_path_bytes_text_or_document_give_the_same_record() -> None:
    by_path = extract(EXAMPLE)
    assert isinstance(by_path, Extraction) and isinstance(by_path.record, Record)
    assert by_path.record.meta.year is not None
    data = EXAMPLE.read_bytes()
    assert extract(str(EXAMPLE)).record == by_path.record
    assert extract(data).record == by_path.record
    assert extract(text=data.decode("utf-8")).record == by_path.record
    doc = load(EXAMPLE)
    assert isinstance(doc, Document) and extract(doc).record == by_path.record
    assert by_path.run.input_sha256 == doc.sha256


def test_bytes_are_read_in_the_format_their_signature_or_name_says() -> None:
    data = HTML.encode("utf-8")
    assert load(data).format == "html"
    assert load(data, name="page.htm").format == "html"
    assert load(data, name="page.txt").format == "txt"  # a name decides
    assert "<p>" not in load(data).text
    assert load(text="一、总体情况\n").format == "txt"
    assert load(text=HTML, name="page.html").format == "html"


def test_wrong_inputs_are_one_line_errors() -> None:
    with pytest.raises(InputError, match="no such file"):
        extract("no/such/report.txt")
    with pytest.raises(InputError, match="text="):
        extract(EXAMPLE.read_text(encoding="utf-8"))  # report text where a path belongs
    with pytest.raises(InputError, match="exactly one"):
        load()
    with pytest.raises(InputError, match="exactly one"):
        load(EXAMPLE, text="一、总体情况")
    with pytest.raises(InputError):
        extract(b"")
    assert issubclass(InputError, ExtractorError) and issubclass(ModelError, ExtractorError)


def test_engine_is_chosen_as_the_cli_chooses_it() -> None:
    assert extract_options().engine == "reader"  # no model configured
    local = model_settings(model="qwen2.5:7b-instruct", base_url="http://localhost:11434/v1")
    options = extract_options(settings=local)
    assert options.engine == "both" and options.llm is not None and options.llm.model == "qwen2.5:7b-instruct"
    assert extract_options("reader", local).engine == "reader"
    with pytest.raises(ModelError, match="no model set"):
        extract(EXAMPLE, engine="llm")
    with pytest.raises(ModelError, match="no API key"):
        extract(EXAMPLE, engine="both", model="some-model", base_url="https://api.example.com/v1")
    assert extract_options(check=False).check is False and extract(EXAMPLE, check=False).findings == []


def test_model_settings_come_from_the_environment_and_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTRACTOR_MODEL", "from-env")
    monkeypatch.setenv("EXTRACTOR_API_KEY", "sk-test-not-a-real-key")
    assert model_settings().model == "from-env"
    settings = model_settings(model="from-argument", prompt="v1", concurrency=2, fallback_reader=True)
    assert (settings.model, settings.prompt_version, settings.concurrency) == ("from-argument", "v1", 2)
    assert settings.fallback_reader and "sk-test" not in repr(settings)
    assert extract_options(settings=settings).engine == "both"


def test_check_takes_an_extraction_or_a_bare_record() -> None:
    result = extract(EXAMPLE)
    doc = load(EXAMPLE)
    assert check(result, doc) == result.findings
    bare = check(result.record, text=doc.text)
    assert [(f.rule, f.where) for f in bare] == [(f.rule, f.where) for f in result.findings]
    without_text = check(result.record, include_not_checkable=True)
    assert {f.status for f in without_text} <= {"fail", "not_checkable"}


def test_the_cli_prints_what_the_library_returns() -> None:
    result = CliRunner().invoke(app, ["extract", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == json.loads(json.dumps(extract(EXAMPLE).to_json_dict(), ensure_ascii=False))
