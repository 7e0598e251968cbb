"""The one number parser every engine shares: blanks stay None, never 0."""

from pathlib import Path

import pytest

from extractor.numbers import iter_numbers, parse_cn_numeral, parse_number

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,234", 1234),
        ("１２３", 123),  # full-width digits
        (" 4 5 ", 45),  # stray spaces inside a cell
        ("3.5万", 35000),
        ("1.2亿", 120_000_000),
        ("12.50", 12.5),
        ("-18", -18),
        ("0", 0),
        ("十二", 12),
        ("两百零五", 205),
        (7, 7),
        (7.0, 7),
    ],
)
def test_parse_number(raw, expected):
    value = parse_number(raw)
    assert value == expected
    assert type(value) is type(expected)


@pytest.mark.parametrize("raw", ["", "  ", "abc", "无", "—", None, True, "1.2.3"])
def test_not_a_number_is_none_not_zero(raw):
    assert parse_number(raw) is None


def test_cn_numeral_rejects_other_text():
    assert parse_cn_numeral("十件") is None
    assert parse_cn_numeral("十") == 10


def test_iter_numbers_spans_point_at_digits():
    text = "共收到申请1,234件，其中网络申请12.5%，2019-2020年"
    tokens = list(iter_numbers(text))
    assert [t.value for t in tokens] == [1234, 12.5, 2019, 2020]
    for t in tokens:
        assert text[t.span.start : t.span.end] == t.text


def test_iter_numbers_window():
    text = "1 2 3 4"
    assert [t.value for t in iter_numbers(text, 2, 5)] == [2, 3]


def test_numbers_too_long_to_be_a_count_are_ignored_not_crashing_or_rounded(caplog: pytest.LogCaptureFixture) -> None:
    from extractor.numbers import MAX_EXACT, iter_numbers, parse_number

    huge = "9" * 309  # overflowed float() before
    with caplog.at_level("WARNING", logger="extractor.numbers"):
        assert parse_number(huge) is None
        assert [t.value for t in iter_numbers(f"共{huge}件，其中12件")] == [12]
    assert "too long to be a count" in caplog.text and "309 characters" in caplog.text
    assert parse_number(str(MAX_EXACT)) == MAX_EXACT
    assert parse_number(str(MAX_EXACT + 1)) is None  # would silently lose its last digit as a float
    assert parse_number("9007199254740993") is None
    assert parse_number(float("inf")) is None and parse_number(1e300) is None
    assert parse_number("1234567") == 1234567 and parse_number("-12") == -12 and parse_number("3.5万") == 35000


def test_a_309_digit_number_in_a_report_does_not_stop_the_reader() -> None:
    from extractor.loading import load_bytes
    from extractor.pipeline import extract_document

    text = (ROOT / "eval" / "reports" / "hebei-gxt-2023.txt").read_text(encoding="utf-8")
    doc = load_bytes((text + "\n本年度共收到申请" + "9" * 309 + "件。\n").encode(), "r.txt")
    extraction = extract_document(doc)
    assert extraction.record.meta.year == 2023
