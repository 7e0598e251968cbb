"""The two readers of prose — the checker's statements and the pre-2019 reader's keys — read a phrasing alike.

Both take their received-applications and case-count patterns from ``extractor.prose`` (``RECEIVED``,
``RECEIVED_BEFORE``, ``CASE_COUNT``, ``NEGATED_CASES``); these sentences pin that they agree.
"""

from __future__ import annotations

import pytest

from extractor.prose import pre2019_counts, prose_statements

# (sentence, {checker concept: value}, {pre-2019 key: value}) — the quantities the sentence states
AGREE = [
    ("本年度共收到政府信息公开申请30件。", {"收到申请": 30}, {"applications.received": 30}),
    ("2020年度我厅共受理依申请公开事项1件,按照申请人要求的方式规范答复。", {"收到申请": 1},
     {"applications.received": 1}),
    ("全区接收通过邮寄、网络提交的各类政府信息公开申请共计81件。", {"收到申请": 81},
     {"applications.received": 81}),
    ("全年办理政府信息公开申请218件。", {"收到申请": 218}, {"applications.received": 218}),
    ("本厅收到2份以信函形式提出的信息公开申请。", {"收到申请": 2}, {"applications.received": 2}),
    ("收到公民、法人和其他组织提交的政府信息公开申请15件。", {"收到申请": 15}, {"applications.received": 15}),
    ("本厅处理3件属维持具体行政行为的行政复议事项。", {"行政复议": 3}, {"review.total": 3}),
    ("共有行政诉讼案件1件、行政复议案件2件。", {"行政复议": 2, "行政诉讼": 1},
     {"review.total": 2, "litigation.total": 1}),
    ("没有因政府信息公开而被提起的行政复议或行政诉讼。", {"行政复议": 0, "行政诉讼": 0},
     {"review.total": 0, "litigation.total": 0}),
]

# Counts of another subject in the words of an application: neither reader takes them as applications.
NOT_APPLICATIONS = [
    "本年度收到行政复议申请3件。",
    "12345热线受理群众诉求申请300件。",
    "收到人民来信申请5件。",
]


def checker(sentence: str) -> list[tuple[str, object]]:
    """Every statement, sorted: a count read twice (or across a list) shows as an extra pair."""
    return sorted((s.concept, s.value) for s in prose_statements(sentence))


def pre2019(sentence: str) -> dict[str, object]:
    found = pre2019_counts(sentence, [(0, len(sentence))])
    return {key: readings[0].value for key, readings in found.items()}


@pytest.mark.parametrize(("sentence", "concepts", "keys"), AGREE, ids=[
    "received", "items-accepted", "list-inside", "handled", "count-first", "template-wording", "review-count-first",
    "list-of-cases", "denial",
])
def test_both_readers_read_the_same_phrasing(sentence: str, concepts: dict[str, int], keys: dict[str, int]) -> None:
    assert checker(sentence) == sorted(concepts.items())
    assert {k: v for k, v in pre2019(sentence).items() if k in keys} == keys


@pytest.mark.parametrize("sentence", NOT_APPLICATIONS, ids=["review", "hotline", "letters"])
def test_another_subjects_applications_are_not_received(sentence: str) -> None:
    assert "收到申请" not in dict(checker(sentence))
    assert "applications.received" not in pre2019(sentence)


def test_case_counts_of_a_list_are_not_read_across_it() -> None:
    """行政诉讼1件、行政复议2件: the 1 belongs to 诉讼, whatever comes after it."""
    assert checker("行政诉讼案件1件和行政复议案件2件。") == [("行政复议", 2), ("行政诉讼", 1)]
