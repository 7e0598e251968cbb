"""Hand-written model answers for tests of the model engine (not a model's output).

They answer the requests made for ``eval/reports/hebei-gxt-2021.txt`` (layout
2021, table cells run together as PDF text leaves them); values were read by
hand from that text (as loaded: NFKC-normalised, so half-width brackets) and agree
with its gold file. ``by_title`` turns them into
an ``openai_server`` handler that answers each request by the schema it asks for.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import hashlib
import unicodedata

from openai_server import ChatRequest, Reply, schema_title

from extractor.document import Document, Span
from extractor.llm.plan import Call, table_variables
from extractor.record import APPLICANT_COLUMNS, Meta
from extractor.sections import Section

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "eval" / "reports" / "hebei-gxt-2021.txt"

def row(key: str, quote: str, *cells: object) -> dict:
    """One table 三 row as the model answers it: key, quote, then the cells in column order (自然人 … 总计)."""
    return {"row": key, "quote": quote, **dict(zip(APPLICANT_COLUMNS, cells))}


META = {
    "agency": "河北省工业和信息化厅",
    "year": 2021,
    "year_quote": "2021年度政府信息公开工作报告",
    "published": None,
    "published_quote": None,
    "kind": "annual_report",
}
ACTIVE_DISCLOSURE = {
    "rows": [
        {"row": "regulations", "quote": "规章000", "issued": 0, "repealed": 0, "in_force": 0},
        {"row": "normative_documents", "quote": "行政规范性文件5225", "issued": 5, "repealed": 2, "in_force": 25},
        {"row": "licensing", "quote": "行政许可273", "decisions": 273},
        {"row": "penalties", "quote": "行政处罚54", "decisions": 54},
        {"row": "enforcement", "quote": "行政强制0", "decisions": 0},
        {"row": "fees", "quote": "行政事业性收费739.0766", "amount_10k_yuan": 739.0766},
    ]
}
# The rows of 三 printed with seven zeros (as printed: label, then the run of digits).
_ZERO_ROWS = (
    ("denied.state_secret", "1.属于国家秘密"), ("denied.prohibited_by_law", "2.其他法律行政法规禁止公开"),
    ("denied.security_stability", "3.危及“三安全一稳定”"), ("denied.third_party_rights", "4.保护第三方合法权益"),
    ("denied.internal_affairs", "5.属于三类内部事务信息"), ("denied.process_information", "6.属于四类过程性信息"),
    ("denied.enforcement_files", "7.属于行政执法案卷"), ("denied.administrative_query", "8.属于行政查询事项"),
    ("unavailable.not_held", "1.本机关不掌握相关政府信息"), ("unavailable.needs_creation", "2.没有现成信息需要另行制作"),
    ("unavailable.unclear_after_correction", "3.补正后申请内容仍不明确"),
    ("not_processed.petition_complaint", "1.信访举报投诉类申请"), ("not_processed.duplicate", "2.重复申请"),
    ("not_processed.publication", "3.要求提供公开出版物"), ("not_processed.excessive", "4.无正当理由大量反复申请"),
    ("not_processed.confirm_or_reissue", "5.要求行政机关确认或重新出具已获取信息"),
    ("other_handling.no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("other_handling.unpaid_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("other_handling.other", "3.其他"),
)
APPLICATIONS = {
    "rows": [
        row("new_received", "一、本年新收政府信息公开申请数量4000004", 4, 0, 0, 0, 0, 0, 4),
        row("carried_over", "二、上年结转政府信息公开申请数量0000000", 0, 0, 0, 0, 0, 0, 0),
        row("granted", "(一)予以公开3000003", 3, 0, 0, 0, 0, 0, 3),
        row("partially_granted", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)1000001", 1, 0, 0, 0, 0, 0, 1),
        *(row(key, f"{label}0000000", 0, 0, 0, 0, 0, 0, 0) for key, label in _ZERO_ROWS),
        row("total", "(七)总计4000004", 4, 0, 0, 0, 0, 0, 4),
        row("carried_forward", "四、结转下年度继续办理0000000", 0, 0, 0, 0, 0, 0, 0),
    ],
    "printed_inconsistencies": [],
}
# A misreading that breaks an identity but not grounding: the 3 of 予以公开 shifted one column right.
APPLICATIONS_BROKEN = {
    "rows": [
        *APPLICATIONS["rows"][:2],
        row("granted", "(一)予以公开3000003", 0, 3, 0, 0, 0, 0, 3),
        *APPLICATIONS["rows"][3:],
    ],
    "printed_inconsistencies": [],
}
_ZERO = {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}
REVIEW = {
    "groups": [
        {"group": g, "quote": "000000000000000", **_ZERO}
        for g in ("review", "litigation_direct", "litigation_after_review")
    ],
    "printed_inconsistencies": [],
}
CLAIMS: dict = {"claims": []}  # 总体情况 of this report states counts, but no total with parts and no rate

ANSWERS: dict[str, dict] = {
    "MetaAnswer": META,
    "ActiveDisclosure2021Answer": ACTIVE_DISCLOSURE,
    "ApplicationsAnswer": APPLICATIONS,
    "ReviewAnswer": REVIEW,
    "ClaimsAnswer": CLAIMS,
}


HEADINGS_2021 = (
    ("一、总体情况", "overview"),
    ("二、主动公开政府信息情况", "active_disclosure"),
    ("三、收到和处理政府信息公开申请情况", "applications"),
    ("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", "review_litigation"),
    ("五、存在的主要问题及改进情况", "problems"),
    ("六、其他需要报告的事项", "other"),
)


def frozen_document(path: Path) -> Document:
    """An eval report as NFKC text, built here rather than by the loader.

    The cassettes pin the exact request bodies, so their input must not move
    when the loader, the section splitter or the meta detector are improved.
    """
    text = unicodedata.normalize("NFKC", path.read_text(encoding="utf-8"))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return Document(path=str(path), format="txt", sha256=sha, source=text, text=text, offsets=list(range(len(text) + 1)))


def frozen_sections(text: str, headings=HEADINGS_2021) -> list[Section]:
    """Top-level sections found by their printed headings, in order."""
    starts, pos = [], 0
    for heading, role in headings:
        pos = text.index(heading, pos)
        starts.append((pos, heading, role))
        pos += len(heading)
    ends = [s for s, _, _ in starts[1:]] + [len(text)]
    return [
        Section(heading=h, number=h[0], level=1, span=Span(start=s, end=e), heading_span=Span(start=s, end=s + len(h)), role=r)
        for (s, h, r), e in zip(starts, ends)
    ]


def load_report(path: Path = REPORT) -> tuple[Document, list[Section], Meta]:
    """hebei-gxt-2021 with fixed sections and layout (independent of the reader's modules)."""
    doc = frozen_document(path)
    return doc, frozen_sections(doc.text), Meta(kind="annual_report", layout="2021")


def section_call(report_id: str, task: str, start: str, end: str | None, layout: str | None = None) -> tuple[Document, Call]:
    """One request on the text of an eval report from ``start`` up to ``end`` (exclusive)."""
    doc = frozen_document(ROOT / "eval" / "reports" / f"{report_id}.txt")
    a = doc.text.index(start)
    b = doc.text.index(end, a) if end else len(doc.text)
    extra = table_variables(task, layout) if task != "claims" else {"kind": "annual report"}
    if task == "meta":
        extra = {}
    return doc, Call(task=task, name=task, parts=[(a, doc.text[a:b])], heading=start, layout=layout, extra=extra)


def by_title(overrides: dict[str, list[Reply]] | None = None) -> Callable[[ChatRequest], Reply]:
    """A handler: scripted replies per schema title first (in order), then the clean answer."""
    queues = {k: list(v) for k, v in (overrides or {}).items()}

    def handle(request: ChatRequest) -> Reply:
        title = schema_title(request.body) or ""
        if queues.get(title):
            return queues[title].pop(0)
        return Reply.answer(ANSWERS[title])

    return handle
