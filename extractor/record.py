"""The canonical record of ``shared/spec/report-format.md`` as pydantic models.

Serialising a ``Record`` gives exactly the spec's keys; a gold file validates
against it (gold-only keys included). Table values are ``int | None`` and a
``None`` is a blank cell, never a zero. The label tables here are the single
source of truth for row/column keys used by the reader, the prompts, the
checks and the review page.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from extractor.numbers import Number, as_number

Kind = Literal["annual_report", "work_summary"]
LayoutName = Literal["pre2019", "2019", "2021"]

# ---------------------------------------------------------------- table 三
APPLICANT_COLUMNS: dict[str, str] = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "social_welfare": "社会公益组织",
    "legal_service": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}

_APPLICATION_HEAD: dict[str, str] = {
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied.state_secret": "1.属于国家秘密",
    "denied.prohibited_by_law": "2.其他法律行政法规禁止公开",
    "denied.security_stability": "3.危及“三安全一稳定”",
    "denied.third_party_rights": "4.保护第三方合法权益",
    "denied.internal_affairs": "5.属于三类内部事务信息",
    "denied.process_information": "6.属于四类过程性信息",
    "denied.enforcement_files": "7.属于行政执法案卷",
    "denied.administrative_query": "8.属于行政查询事项",
    "unavailable.not_held": "1.本机关不掌握相关政府信息",
    "unavailable.needs_creation": "2.没有现成信息需要另行制作",
    "unavailable.unclear_after_correction": "3.补正后申请内容仍不明确",
    "not_processed.petition_complaint": "1.信访举报投诉类申请",
    "not_processed.duplicate": "2.重复申请",
    "not_processed.publication": "3.要求提供公开出版物",
    "not_processed.excessive": "4.无正当理由大量反复申请",
    "not_processed.confirm_or_reissue": "5.要求行政机关确认或重新出具已获取信息",
}
_APPLICATION_TAIL: dict[str, str] = {
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
OTHER_HANDLING_SPLIT: dict[str, str] = {
    "other_handling.no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_handling.unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_handling.other": "3.其他",
}
# Row key -> printed label, in table order, for each way (六) is printed.
APPLICATION_ROWS_SINGLE_OTHER: dict[str, str] = {
    **_APPLICATION_HEAD,
    "other_handling": "（六）其他处理",
    **_APPLICATION_TAIL,
}
APPLICATION_ROWS_SPLIT_OTHER: dict[str, str] = {
    **_APPLICATION_HEAD,
    **OTHER_HANDLING_SPLIT,
    **_APPLICATION_TAIL,
}
APPLICATION_ROW_KEYS: tuple[str, ...] = tuple(
    dict.fromkeys([*APPLICATION_ROWS_SINGLE_OTHER, *APPLICATION_ROWS_SPLIT_OTHER])
)
# The four rows of the balance printed on table 三 (一 + 二 = 三(七) + 四), in that order.
BALANCE_ROW_KEYS: tuple[str, ...] = ("new_received", "carried_over", "total", "carried_forward")
# Leaf outcome rows whose sum is row ``total`` (either (六) form).
OUTCOME_ROW_KEYS: tuple[str, ...] = tuple(k for k in APPLICATION_ROW_KEYS if k not in BALANCE_ROW_KEYS)

# ---------------------------------------------------------------- table 四
REVIEW_GROUPS: dict[str, str] = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼·未经复议直接起诉",
    "litigation_after_review": "行政诉讼·复议后起诉",
}
REVIEW_OUTCOMES: dict[str, str] = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}

# ---------------------------------------------------------------- table 二
ACTIVE_DISCLOSURE_2019: dict[str, dict[str, str]] = {
    "regulations": {"made": "本年新制作数量", "published": "本年新公开数量", "total_public": "对外公开总数量"},
    "normative_documents": {"made": "本年新制作数量", "published": "本年新公开数量", "total_public": "对外公开总数量"},
    "licensing": {"previous_year": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量"},
    "other_services": {"previous_year": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量"},
    "penalties": {"previous_year": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量"},
    "enforcement": {"previous_year": "上一年项目数量", "change": "本年增/减", "decisions": "处理决定数量"},
    "fees": {"previous_year": "上一年项目数量", "change": "本年增/减"},
    "procurement": {"projects": "采购项目数量", "amount": "采购总金额", "amount_unit": "金额单位"},
}
ACTIVE_DISCLOSURE_2021: dict[str, dict[str, str]] = {
    "regulations": {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数"},
    "normative_documents": {"issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数"},
    "licensing": {"decisions": "本年处理决定数量"},
    "penalties": {"decisions": "本年处理决定数量"},
    "enforcement": {"decisions": "本年处理决定数量"},
    "fees": {"amount_10k_yuan": "本年收费金额（单位：万元）"},
}


def active_disclosure_spec(layout: str | None) -> dict[str, dict[str, str]]:
    """Table 二's row groups and columns as printed in ``layout`` (the 2019 form unless it is 2021)."""
    return ACTIVE_DISCLOSURE_2021 if layout == "2021" else ACTIVE_DISCLOSURE_2019


ACTIVE_DISCLOSURE_ROWS: dict[str, str] = {
    "regulations": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalties": "行政处罚",
    "enforcement": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}

# ---------------------------------------------------------------- pre2019
PRE2019_APPLICATIONS: dict[str, str] = {
    "received": "收到申请数",
    "in_person": "当面申请数",
    "fax": "传真申请数",
    "online": "网络申请数",
    "letter": "信函申请数",
    "other_channel": "其他形式申请数",
    "completed": "办结数",
    "responses": "申请答复数",
    "already_public": "属于已主动公开范围数",
    "granted": "同意公开答复数",
    "partially_granted": "同意部分公开答复数",
    "denied": "不同意公开答复数",
    "not_this_agency": "不属于本行政机关公开数",
    "not_exist": "申请信息不存在数",
    "needs_correction": "告知作出更改补充数",
    "other_route": "告知通过其他途径办理数",
}
PRE2019_CHANNELS: tuple[str, ...] = ("in_person", "fax", "online", "letter", "other_channel")
PRE2019_RESPONSE_OUTCOMES: tuple[str, ...] = (
    "already_public", "granted", "partially_granted", "denied",
    "not_this_agency", "not_exist", "needs_correction", "other_route",
)
PRE2019_CASE_GROUPS: dict[str, str] = {"review": "行政复议", "litigation": "行政诉讼", "complaints": "被举报投诉"}
PRE2019_CASE_OUTCOMES: dict[str, str] = {"total": "数量", "upheld": "维持", "corrected": "纠错", "other": "其他情形"}
PRE2019_SCALARS: dict[str, str] = {
    "proactive_items": "主动公开政府信息数",
    "fees_10k_yuan": "依申请公开信息收取的费用（万元）",
}
# Every pre-2019 key (dotted, below ``pre2019.``) -> its label, in the order of the statistics table.
PRE2019_LABELS: dict[str, str] = {
    "proactive_items": PRE2019_SCALARS["proactive_items"],
    **{f"applications.{k}": v for k, v in PRE2019_APPLICATIONS.items()},
    **{f"{g}.{o}": f"{gl}{ol}" for g, gl in PRE2019_CASE_GROUPS.items() for o, ol in PRE2019_CASE_OUTCOMES.items()},
    "fees_10k_yuan": PRE2019_SCALARS["fees_10k_yuan"],
}
# The parts whose sum is a case group's 数量.
PRE2019_CASE_PARTS: tuple[str, ...] = ("upheld", "corrected", "other")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ models
class Meta(_Strict):
    agency: str | None = None
    year: int | None = None
    kind: Kind = "annual_report"
    layout: LayoutName | None = None
    published: str | None = None  # ISO date printed on the report


class ApplicantCounts(_Strict):
    natural_person: int | None = None
    commercial: int | None = None
    research: int | None = None
    social_welfare: int | None = None
    legal_service: int | None = None
    other_org: int | None = None
    total: int | None = None


class CaseOutcomes(_Strict):
    upheld: int | None = None
    corrected: int | None = None
    other: int | None = None
    pending: int | None = None
    total: int | None = None


class Pre2019Cases(_Strict):
    total: int | None = None
    upheld: int | None = None
    corrected: int | None = None
    other: int | None = None


class Pre2019Applications(_Strict):
    received: int | None = None
    in_person: int | None = None
    fax: int | None = None
    online: int | None = None
    letter: int | None = None
    other_channel: int | None = None
    completed: int | None = None
    responses: int | None = None
    already_public: int | None = None
    granted: int | None = None
    partially_granted: int | None = None
    denied: int | None = None
    not_this_agency: int | None = None
    not_exist: int | None = None
    needs_correction: int | None = None
    other_route: int | None = None


class Pre2019(_Strict):
    proactive_items: int | None = None
    applications: Pre2019Applications = Field(default_factory=Pre2019Applications)
    review: Pre2019Cases = Field(default_factory=Pre2019Cases)
    litigation: Pre2019Cases = Field(default_factory=Pre2019Cases)
    complaints: Pre2019Cases = Field(default_factory=Pre2019Cases)
    fees_10k_yuan: Number | None = None


class ClaimTotal(_Strict):
    name: str
    value: Number
    unit: str | None = None


class ClaimPart(_Strict):
    name: str
    value: Number


class ClaimRate(_Strict):
    name: str
    percent: Number
    numerator: Number | None = None
    denominator: Number | None = None


class Claim(_Strict):
    total: ClaimTotal | None = None
    parts: list[ClaimPart] = Field(default_factory=list)
    complete: bool = True
    rate: ClaimRate | None = None

    def numbers(self) -> Counter[tuple[str, Number]]:
        """The claim's numbers tagged by role, as a multiset: what makes two claims the same statement.

        Names are left out on purpose: engines and people word them differently.
        """
        key = as_number  # 5 and 5.0 are the same number
        found: Counter[tuple[str, Number]] = Counter()
        if self.total is not None:
            found["total", key(self.total.value)] += 1
        for part in self.parts:
            found["part", key(part.value)] += 1
        if self.rate is not None:
            found["percent", key(self.rate.percent)] += 1
            for role in ("numerator", "denominator"):
                value = getattr(self.rate, role)
                if value is not None:
                    found[role, key(value)] += 1
        return found


class Figure(_Strict):
    """One quantity stated in the prose (spec "figures"): 权责事项共33项 -> 权责事项, 33, 项."""

    name: str
    value: Number
    unit: str | None = None
    approx: bool = False  # 余/多/近/约/以上/左右 qualifies the number


class SourceInconsistency(_Strict):
    rule: str
    where: str
    stated: Number | None = None
    computed: Number | None = None


# Table 二 differs by layout; keep each row group a free mapping of the
# layout's column keys (validated against ACTIVE_DISCLOSURE_* by `validate_layout_keys`).
ActiveDisclosure = dict[str, dict[str, Number | str | None]]
Applications = dict[str, ApplicantCounts]
ReviewLitigation = dict[str, CaseOutcomes]


class Record(BaseModel):
    """The canonical record; gold files carry the gold-only keys as well."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    source: str | None = None
    meta: Meta = Field(default_factory=Meta)
    sections: list[str] = Field(default_factory=list)
    active_disclosure: ActiveDisclosure | None = None
    applications: Applications | None = None
    review_litigation: ReviewLitigation | None = None
    pre2019: Pre2019 | None = None
    claims: list[Claim] = Field(default_factory=list)
    figures: list[Figure] | None = None  # None: not read (or, in gold, not labelled); [] : none printed
    unresolvable: list[str] | None = None  # gold only
    source_inconsistencies: list[SourceInconsistency] | None = None  # gold only
    notes: str | None = None  # gold only

    def canonical(self) -> dict[str, Any]:
        """The record as spec JSON: absent tables and gold-only keys left out, blank cells kept as null."""
        data = self.model_dump(mode="json")
        return {k: v for k, v in data.items() if v is not None or k in ("meta",)}


def validate_layout_keys(record: Record) -> list[str]:
    """Keys in the record's tables that its layout does not define (empty when all is well)."""
    problems: list[str] = []
    layout = record.meta.layout
    if record.active_disclosure is not None:
        spec = active_disclosure_spec(layout)
        for group, cols in record.active_disclosure.items():
            if group not in spec:
                problems.append(f"active_disclosure.{group}")
                continue
            problems += [f"active_disclosure.{group}.{c}" for c in cols if c not in spec[group]]
    if record.applications is not None:
        problems += [f"applications.{r}" for r in record.applications if r not in APPLICATION_ROW_KEYS]
    if record.review_litigation is not None:
        problems += [f"review_litigation.{g}" for g in record.review_litigation if g not in REVIEW_GROUPS]
    return problems


def flatten(record: Record) -> dict[str, Any]:
    """Scalar fields of the record as dotted paths (``applications.denied.state_secret.total``).

    Covers meta and the four tables; ``sections`` and ``claims`` are lists and
    are compared as lists by their consumers. Row keys keep their own dots, so
    split a path only by the known table keys, never by ``str.split``.
    """
    flat: dict[str, Any] = {f"meta.{k}": v for k, v in record.meta.model_dump().items()}
    if record.active_disclosure is not None:
        for group, cols in record.active_disclosure.items():
            for col, value in cols.items():
                flat[f"active_disclosure.{group}.{col}"] = value
    if record.applications is not None:
        for row, counts in record.applications.items():
            for col, value in counts.model_dump().items():
                flat[f"applications.{row}.{col}"] = value
    if record.review_litigation is not None:
        for group, outcomes in record.review_litigation.items():
            for col, value in outcomes.model_dump().items():
                flat[f"review_litigation.{group}.{col}"] = value
    if record.pre2019 is not None:
        p = record.pre2019
        flat["pre2019.proactive_items"] = p.proactive_items
        flat["pre2019.fees_10k_yuan"] = p.fees_10k_yuan
        for name in ("applications", "review", "litigation", "complaints"):
            for col, value in getattr(p, name).model_dump().items():
                flat[f"pre2019.{name}.{col}"] = value
    return flat
