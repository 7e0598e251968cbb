"""The one number parser every engine shares: blanks stay None, never 0."""

import pytest

from extractor.numbers import iter_numbers, parse_cn_numeral, parse_number


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
