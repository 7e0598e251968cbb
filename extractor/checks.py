"""The checker: the identities of spec §3 as pure functions, record (+ text, evidence) in, findings out.

Every rule returns ``Finding``s: ``status='fail'`` where the numbers break the
rule, ``status='not_checkable'`` (severity ``info``) where an input is missing.
A blank is never read as agreement: a sum with a blank part is only decided
when the parts that *are* given already exceed the total (counts are never
negative, so no blank can repair that); otherwise it is not checkable.

``check`` runs every rule that its inputs allow; ``failures`` keeps what a
person must look at. The text rules (``prose_vs_table``, ``grounding``, ``empty_table``) need the document
text; without it they say so (not checkable) instead of passing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from extractor import identities
from extractor.document import Span
from extractor.grounding import GROUNDING_WINDOW, is_grounded, row_numbers_printed
from extractor.identities import IdentityName, IdentityResult
from extractor.identities import clean as _clean
from extractor.identities import equal as _equal
from extractor.numbers import Number, decimals
from extractor.prose import CONCEPTS, compact_mapped, prose_statements, stat_value
from extractor.readings import Evidence, Finding, Severity
from extractor.record import (
    APPLICANT_COLUMNS,
    APPLICATION_ROWS_SINGLE_OTHER,
    APPLICATION_ROWS_SPLIT_OTHER,
    PRE2019_CASE_GROUPS,
    REVIEW_GROUPS,
    Claim,
    Record,
    flatten,
)

# The rules a gold file may list under ``source_inconsistencies`` (spec §2).
SOURCE_RULES: tuple[str, ...] = (
    "balance", "outcome_sum", "row_sum", "group_sum", "pre2019_sum",
    "claim_sum", "claim_rate", "prose_vs_table", "cross_year",
)

SIX_COLUMNS: tuple[str, ...] = identities.APPLICANT_PARTS
ORG_COLUMNS: tuple[str, ...] = tuple(c for c in SIX_COLUMNS if c != "natural_person")
_ROW_LABEL_SHORT: dict[str, str] = {
    "new_received": "一、本年新收", "carried_over": "二、上年结转", "total": "（七）总计",
    "carried_forward": "四、结转下年度", "other_handling": "（六）其他处理",
}


_GROUP_NUMBER: dict[str, str] = {
    "denied": "（三）", "unavailable": "（四）", "not_processed": "（五）", "other_handling": "（六）",
}


def _row_label(row: str) -> str:
    """A table 三 row as printed, short: （三）1.属于国家秘密."""
    if row in _ROW_LABEL_SHORT:
        return _ROW_LABEL_SHORT[row]
    label = APPLICATION_ROWS_SPLIT_OTHER.get(row) or APPLICATION_ROWS_SINGLE_OTHER.get(row, row)
    group = row.split(".")[0]
    return f"{_GROUP_NUMBER.get(group, '')}{label}" if "." in row else label


def _fmt(value: Number | None) -> str:
    if value is None:
        return "空白"
    if isinstance(value, float):
        return repr(value).removesuffix(".0")
    return str(value)


def _info(rule: str, where: str, paths: list[str], missing: Iterable[str], message: str = "") -> Finding:
    missing = list(missing)
    shown = ", ".join(missing[:6]) + ("…" if len(missing) > 6 else "")
    return Finding(
        rule=rule, where=where, paths=paths, severity="info", status="not_checkable",
        message=message or ("not checkable: blank or missing " + shown),
    )


def check_sum(
    rule: IdentityName,
    where: str,
    total: tuple[str, Number | None],
    parts: Sequence[tuple[str, Number | None]],
    severity: Severity = "error",
) -> Finding | None:
    """``total == sum(parts)``: a failure, a not-checkable note, or None when it holds.

    With blank parts the rule is decided only when the given parts already
    exceed the total (a lower bound no blank can lower).
    """
    return _sum_finding(identities.sum_identity(rule, total, parts), where, severity)


def _sum_finding(result: IdentityResult, where: str, severity: Severity = "error") -> Finding | None:
    """The finding of a sum identity (``identities.sum_identity``): failure, not-checkable note, or None."""
    if result.status == "not_checkable":
        return _info(result.identity, where, list(result.paths), result.missing)
    if result.holds:
        return None
    return Finding(
        rule=result.identity, where=where, paths=list(result.paths), stated=result.stated,
        computed=result.computed, severity=severity,
        message=f"{where}: stated {_fmt(result.stated)}, parts add up to {_fmt(result.computed)}"
        + (" (some parts blank; the given ones already exceed it)" if result.missing else ""),
    )


# ------------------------------------------------------------------ table 三
def _table3(record: Record) -> dict[str, dict[str, int | None]]:
    """Table 三 of the record as plain values (``identities.Table3``)."""
    return {row: counts.model_dump() for row, counts in (record.applications or {}).items()}


def _cell(record: Record, row: str, col: str) -> int | None:
    apps = record.applications or {}
    counts = apps.get(row)
    return None if counts is None else getattr(counts, col)


_app_path = identities.app_path


def other_handling_rows(record: Record, column: str | None = None) -> tuple[str, ...]:
    """How (六) is recorded: the single 2019 row, or the three 2021 parts (``identities.other_handling_rows``)."""
    return identities.other_handling_rows(_table3(record), column, record.meta.layout)


def outcome_rows(record: Record, column: str | None = None) -> tuple[str, ...]:
    """The leaf outcome rows whose sum is (七)总计, in table order."""
    return identities.outcome_rows(_table3(record), column, record.meta.layout)


def check_applications(record: Record) -> list[Finding]:
    """Table 三: ``balance`` and ``outcome_sum`` per column, ``row_sum`` per row."""
    if record.applications is None:
        return []
    findings: list[Finding] = []
    for result in identities.application_identities(_table3(record), record.meta.layout):
        finding: Finding | None
        if result.identity == "balance":
            assert result.column is not None  # balance holds per column
            where = f"表三 {APPLICANT_COLUMNS[result.column]}列"
            if result.status == "not_checkable":
                finding = _info("balance", f"{where}：一+二 = （七）+四", list(result.paths), result.missing)
            elif result.fails:
                new, carried, total, forward = result.values
                a, b = result.stated, result.computed
                finding = Finding(
                    rule="balance", where=f"{where}：一+二 = （七）+四", paths=list(result.paths), stated=a, computed=b,
                    message=f"{where}: 一 {new} + 二 {carried} = {a}, but （七） {total} + 四 {forward} = {b}",
                )
            else:
                finding = None
        elif result.identity == "outcome_sum":
            assert result.column is not None  # outcome_sum holds per column
            where = f"表三 {APPLICANT_COLUMNS[result.column]}列：（七）总计 vs 各办理结果之和"
            finding = _sum_finding(result, where)
        else:
            assert result.row is not None  # row_sum holds per row
            finding = _sum_finding(result, f"表三 {_row_label(result.row)}：总计 vs 六类申请人之和")
        if finding:
            findings.append(finding)
    return findings


# ------------------------------------------------------------------ table 四
def check_review_litigation(record: Record) -> list[Finding]:
    """Table 四: each group's 总计 = 维持 + 纠正 + 其他 + 尚未审结."""
    if record.review_litigation is None:
        return []
    findings: list[Finding] = []
    table = {group: outcomes.model_dump() for group, outcomes in record.review_litigation.items()}
    for result in identities.review_identities(table):
        assert result.group is not None  # group_sum holds per group
        finding = _sum_finding(result, f"表四 {REVIEW_GROUPS[result.group]}：总计 vs 维持+纠正+其他+尚未审结")
        if finding:
            findings.append(finding)
    return findings


# ------------------------------------------------------------------ pre2019
def check_pre2019(record: Record) -> list[Finding]:
    """The old statistics table: channels add up to 收到申请数, outcomes to 申请答复数, cases to their totals."""
    p = record.pre2019
    if p is None:
        return []
    findings: list[Finding] = []
    values = {
        f"{name}.{key}": value
        for name in ("applications", *PRE2019_CASE_GROUPS)
        for key, value in getattr(p, name).model_dump().items()
    }
    wheres = {
        "applications.received": "统计表 收到申请数 vs 各渠道之和",
        "applications.responses": "统计表 申请答复数 vs 各答复类别之和",
        **{f"{g}.total": f"统计表 {label}数量 vs 维持+纠错+其他情形" for g, label in PRE2019_CASE_GROUPS.items()},
    }
    for result in identities.pre2019_sums(values):
        if not result.parts_given:
            continue  # no breakdown printed at all: nothing to check, nothing to report
        assert result.group is not None  # pre2019_sum names the total it checks
        finding = _sum_finding(result, wheres[result.group])
        if finding:
            findings.append(finding)
    return findings


# ------------------------------------------------------------------ claims
def rate_holds(percent: Number, numerator: Number, denominator: Number) -> bool:
    """A printed percent equals numerator/denominator within one unit of its last printed digit."""
    exact = float(numerator) / float(denominator) * 100
    return abs(exact - float(percent)) <= 10 ** -decimals(percent) + 1e-9


def _claim_where(claim: Claim) -> str:
    if claim.rate is not None:
        r = claim.rate
        return f"{r.name} {_fmt(r.percent)}%（{_fmt(r.numerator)}/{_fmt(r.denominator)}）"
    assert claim.total is not None
    parts = "+".join(f"{p.name}{_fmt(p.value)}" for p in claim.parts)
    return f"{claim.total.name}{_fmt(claim.total.value)}{claim.total.unit or ''}：{parts}"


def check_claims(record: Record) -> list[Finding]:
    """``claim_sum`` for complete part-whole claims, ``claim_rate`` for rates with both counts given."""
    findings: list[Finding] = []
    for i, claim in enumerate(record.claims):
        path = f"claims.{i}"
        where = _claim_where(claim) if (claim.rate or claim.total) else path
        if claim.rate is not None:
            r = claim.rate
            if r.numerator is None or r.denominator is None or r.denominator == 0:
                findings.append(_info("claim_rate", where, [path], ["numerator/denominator"]))
                continue
            if not rate_holds(r.percent, r.numerator, r.denominator):
                exact = float(r.numerator) / float(r.denominator) * 100
                findings.append(Finding(
                    rule="claim_rate", where=where, paths=[path], stated=r.percent, computed=round(exact, 2),
                    message=f"{r.name}: printed {_fmt(r.percent)}%, "
                    f"but {_fmt(r.numerator)}/{_fmt(r.denominator)} = {exact:.2f}%",
                ))
        if claim.total is not None and claim.parts and claim.complete:
            computed = _clean(sum(p.value for p in claim.parts))
            if not _equal(claim.total.value, computed):
                findings.append(Finding(
                    rule="claim_sum", where=where, paths=[path], stated=claim.total.value, computed=computed,
                    message=f"{claim.total.name}: stated {_fmt(claim.total.value)}, "
                    f"its parts add up to {_fmt(computed)}",
                ))
    return findings


# ------------------------------------------------------------------ prose vs table
class _Alt:
    """One table quantity a prose count may describe: its value, and whether blanks left it a lower bound."""

    def __init__(self, label: str, value: Number | None, paths: list[str], exact: bool = True) -> None:
        self.label, self.value, self.paths, self.exact = label, value, paths, exact


def _sum_alt(label: str, cells: Sequence[tuple[str, Number | None]]) -> _Alt:
    values = [v for _, v in cells]
    if all(v is None for v in values):
        return _Alt(label, None, [p for p, _ in cells])
    return _Alt(label, _clean(sum(v for v in values if v is not None)), [p for p, _ in cells], None not in values)


def _app_cells(record: Record, rows: Sequence[str], col: str) -> list[tuple[str, Number | None]]:
    """Cells of ``rows`` in column ``col``; a blank 总计 cell falls back to its six applicant cells."""
    cells: list[tuple[str, Number | None]] = []
    for row in rows:
        value = _cell(record, row, col)
        if value is None and col == "total":
            cells += [(_app_path(row, c), _cell(record, row, c)) for c in SIX_COLUMNS]
        else:
            cells.append((_app_path(row, col), value))
    return cells


def _apps(record: Record, label: str, rows: Sequence[str], cols: Sequence[str] = ("total",)) -> _Alt:
    return _sum_alt(label, [cell for col in cols for cell in _app_cells(record, rows, col)])


def _received_alts(cols: Sequence[str], label: str):  # noqa: ANN202 - small factory of target functions
    def targets(record: Record) -> list[_Alt]:
        if record.applications is not None:
            return [
                _apps(record, f"表三 一、本年新收{label}", ["new_received"], cols),
                _apps(record, f"表三 一+二{label}", ["new_received", "carried_over"], cols),
                _apps(record, f"表三 （七）总计{label}", ["total"], cols),
            ]
        if record.pre2019 is not None and cols == ("total",):
            return [_Alt("统计表 收到申请数", record.pre2019.applications.received, ["pre2019.applications.received"])]
        return []
    return targets


def _rows_alt(label: str, rows_of):  # noqa: ANN001, ANN202
    def targets(record: Record) -> list[_Alt]:
        if record.applications is None:
            return []
        return [_apps(record, label, rows_of(record))]
    return targets


def _prefixed(prefix: str):  # noqa: ANN202
    return lambda record: [k for k in outcome_rows(record) if k.startswith(prefix)]


def _cases_alt(group: str):  # noqa: ANN202
    def targets(record: Record) -> list[_Alt]:
        if record.review_litigation is not None:
            rl = record.review_litigation
            groups = ["review"] if group == "review" else ["litigation_direct", "litigation_after_review"]
            cells = [(f"review_litigation.{g}.total", rl[g].total if g in rl else None) for g in groups]
            return [_sum_alt("表四 " + ("行政复议总计" if group == "review" else "行政诉讼总计（两组之和）"), cells)]
        if record.pre2019 is not None:
            cases = getattr(record.pre2019, group)
            return [_Alt(f"统计表 {PRE2019_CASE_GROUPS[group]}数量", cases.total, [f"pre2019.{group}.total"])]
        return []
    return targets


def _count(value: Number | str | None) -> Number | None:
    """A table 二 cell as a count: only the ``amount_unit`` column holds text, and it is never a count."""
    return None if isinstance(value, str) else value


def _disclosure_alt(key: str):  # noqa: ANN202
    """Table 二 (layout 2021: 制发/现行有效; layout 2019: 新制作/新公开/对外公开总数)."""
    def targets(record: Record) -> list[_Alt]:
        ad = record.active_disclosure
        if ad is None or "normative_documents" not in ad:
            return []
        row = ad["normative_documents"]
        cols = {"issued": ("issued", "made", "published"), "in_force": ("in_force", "total_public")}[key]
        alts = [_Alt(f"表二 规范性文件 {c}", _count(row.get(c)), [f"active_disclosure.normative_documents.{c}"])
                for c in cols if c in row]
        return alts
    return targets


def _proactive(record: Record) -> list[_Alt]:
    if record.pre2019 is None:
        return []
    return [_Alt("统计表 主动公开政府信息数", record.pre2019.proactive_items, ["pre2019.proactive_items"])]


# The table quantities each prose concept (``extractor.prose.CONCEPTS``) may describe: agreement with any one
# is enough. A concept without targets is compared with its row in a statistics table printed in the text.
_TARGETS = {
    "收到申请": _received_alts(("total",), ""),
    "自然人申请": _received_alts(("natural_person",), "（自然人）"),
    "法人或其他组织申请": _received_alts(ORG_COLUMNS, "（法人或其他组织）"),
    "上年结转": lambda r: [_apps(r, "表三 二、上年结转", ["carried_over"])] if r.applications is not None else [],
    "结转下年": lambda r: [_apps(r, "表三 四、结转下年度", ["carried_forward"])] if r.applications is not None else [],
    "办结": lambda r: [_apps(r, "表三 （七）总计", ["total"])] if r.applications is not None else [],
    "予以公开及部分公开": _rows_alt("表三 （一）予以公开+（二）部分公开", lambda r: ["granted", "partially_granted"]),
    "予以公开": _rows_alt("表三 （一）予以公开", lambda r: ["granted"]),
    "部分公开": _rows_alt("表三 （二）部分公开", lambda r: ["partially_granted"]),
    "不予公开": _rows_alt("表三 （三）不予公开", _prefixed("denied.")),
    "无法提供": _rows_alt("表三 （四）无法提供", _prefixed("unavailable.")),
    "不予处理": _rows_alt("表三 （五）不予处理", _prefixed("not_processed.")),
    "其他处理": _rows_alt("表三 （六）其他处理", _prefixed("other_handling")),
    "行政复议": _cases_alt("review"),
    "行政诉讼": _cases_alt("litigation"),
    "制发规范性文件": _disclosure_alt("issued"),
    "现行有效规范性文件": _disclosure_alt("in_force"),
    "主动公开政府信息": _proactive,
}
_STAT_LABELS = {c.name: c.stat_label for c in CONCEPTS if c.stat_label is not None}


def _compare(stated: Number, alts: list[_Alt]) -> tuple[str, _Alt | None]:
    """'agree', 'fail' (with the table quantity to report) or 'unknown'."""
    if not alts:
        return "unknown", None
    if any(a.value is not None and a.exact and _equal(a.value, stated) for a in alts):
        return "agree", None
    if any(a.value is None or (not a.exact and a.value <= stated) for a in alts):
        return "unknown", next((a for a in alts if a.value is None or not a.exact), None)
    return "fail", alts[0]



def check_prose_vs_table(record: Record, text: str | None) -> list[Finding]:
    """``prose_vs_table``: a count stated in prose against the table cell it describes."""
    if text is None:
        return [_info("prose_vs_table", "正文 vs 表格", [], [], "not checkable: no report text")]
    compact = None
    findings: list[Finding] = []
    seen: set[tuple[str, Number, Number | None]] = set()
    for statement in prose_statements(text, record.meta.year):
        name, stated, span, snippet = statement.concept, statement.value, statement.span, statement.snippet
        target = _TARGETS.get(name)
        if target is not None:
            alts = target(record)
        else:
            if compact is None:
                compact = compact_mapped(text)[0]
            label = _STAT_LABELS.get(name)
            stat = stat_value(compact, label) if label is not None else None
            alts = [_Alt(f"统计表 {name}", stat, [])] if stat is not None else []
        if not alts:
            continue
        verdict, alt = _compare(stated, alts)
        where = f"{name}：正文“{snippet}” vs " + " / ".join(a.label for a in alts)
        paths = [p for a in alts for p in a.paths]
        if verdict == "unknown":
            findings.append(Finding(
                rule="prose_vs_table", where=where, paths=paths, stated=stated, severity="info",
                status="not_checkable", evidence=[span],
                message=f"prose states {_fmt(stated)}; the table cell it describes is blank or partly blank",
            ))
        elif verdict == "fail" and alt is not None:
            key = (name, stated, alt.value)
            if key in seen:
                continue
            seen.add(key)
            findings.append(Finding(
                rule="prose_vs_table", where=where, paths=paths, stated=stated, computed=alt.value,
                severity="warning", evidence=[span],
                message=f"prose states {name} {_fmt(stated)}, the table has {_fmt(alt.value)} ({alt.label})",
            ))
    return findings


# ------------------------------------------------------------------ grounding
def _row_of(path: str, values: dict[str, Number], evidence: dict[str, Evidence]) -> list[Number]:
    """The values read from the same span as ``path`` (its row, or rows sharing one run of digits), in
    printed order: a run of digits must be split exactly by them (``grounding.row_numbers_printed``)."""
    span = evidence[path].span
    return [v for p, v in values.items() if p in evidence and evidence[p].span == span]


def check_grounding(record: Record, text: str | None, evidence: dict[str, Evidence] | None) -> list[Finding]:
    """``grounding``: every extracted number occurs in the text near the span it was read from.

    Values without a span cannot be grounded (not checkable, one note for all
    of them); a number that is not near its span is a failure.
    """
    values = {
        path: value for path, value in flatten(record).items()
        if not path.startswith("meta.") and isinstance(value, (int, float)) and not isinstance(value, bool)
    }
    if not values:
        return []
    if text is None or not evidence:
        what = "no report text" if text is None else "no evidence spans"
        return [_info("grounding", "全部数值", [], [], f"not checkable: {what}")]
    findings: list[Finding] = []
    unspanned: list[str] = []
    for path, value in values.items():
        ev = evidence.get(path)
        if ev is None or ev.span is None:
            unspanned.append(path)
            continue
        lo = max(0, ev.span.start - GROUNDING_WINDOW)
        hi = min(len(text), ev.span.end + GROUNDING_WINDOW)
        quoted = text[ev.span.start:ev.span.end]
        if is_grounded(value, text[lo:hi], quoted):
            continue
        if row_numbers_printed(_row_of(path, values, evidence), quoted):
            continue  # the values of its row are what the quote prints (cells may run together)
        findings.append(Finding(
            rule="grounding", where=path, paths=[path], stated=value, evidence=[ev.span],
            message=f"{path} = {_fmt(value)} does not occur near its evidence "
            f"“{text[ev.span.start:ev.span.end][:40]}” ({ev.engine})",
        ))
    if unspanned:
        findings.append(_info(
            "grounding", f"{len(unspanned)} 个数值", unspanned, unspanned,
            f"not checkable: {len(unspanned)} values have no evidence span",
        ))
    return findings


# ------------------------------------------------------------------ empty tables
_TABLE_ROLES: dict[str, str] = {
    "active_disclosure": "表二 主动公开",
    "applications": "表三 收到和处理申请",
    "review_litigation": "表四 行政复议、行政诉讼",
}


def _table_values(record: Record, table: str) -> list[Number | None] | None:
    prefix = table + "."
    values = [v for k, v in flatten(record).items() if k.startswith(prefix) and not isinstance(v, str)]
    if getattr(record, table) is None:
        return None
    return values


def _meaningful_numbers(text: str, span: Span) -> list[tuple[Number, Span]]:
    """Non-zero numbers of a section that are data: not list numbering (1. 2、), years, dates or page footers."""
    from extractor.numbers import iter_numbers

    out: list[tuple[Number, Span]] = []
    for tok in iter_numbers(text, span.start, span.end):
        after = text[tok.span.end : tok.span.end + 1]
        before = text[max(0, tok.span.start - 1) : tok.span.start]
        if tok.value == 0:
            continue
        if after in (".", "、", "．", "年", "月", "日", "-", "—", ")", "）") or before in ("(", "（", "—", "第"):
            continue
        if tok.text.startswith("-") and text[tok.span.end : tok.span.end + 1] in ("-", "—"):
            continue
        out.append((abs(tok.value), tok.span))
    return out


def _nonzero_statements(text: str, record: Record) -> dict[str, list[Span]]:
    """Spans of the non-zero counts the prose states about each table's quantities (by the cells they describe)."""
    out: dict[str, list[Span]] = {}
    for statement in prose_statements(text, record.meta.year):
        target = _TARGETS.get(statement.concept)
        if not statement.value or target is None:
            continue
        for table in {p.split(".", 1)[0] for alt in target(record) for p in alt.paths}:
            out.setdefault(table, []).append(statement.span)
    return out


def check_empty_tables(record: Record, text: str | None, sections: list | None = None) -> list[Finding]:  # noqa: ANN001
    """``empty_table``: an all-zero or all-blank table whose section prints non-zero numbers (a skeleton answer).

    ``sections`` are ``extractor.sections.Section``s of ``text`` (split here when not given).
    """
    tables = {t: _table_values(record, t) for t in _TABLE_ROLES}
    empty = {t: v for t, v in tables.items() if v is not None and all(x in (None, 0) for x in v)}
    if not empty:
        return []
    if text is None:
        return [_info("empty_table", _TABLE_ROLES[t], [t], [], "not checkable: no report text") for t in empty]
    if sections is None:
        from extractor.sections import split_sections

        sections = split_sections(text)
    findings: list[Finding] = []
    stated = _nonzero_statements(text, record)
    for table in empty:
        section = next((s for s in sections if s.role == table), None)
        if section is None:
            findings.append(_info("empty_table", _TABLE_ROLES[table], [table], [], "not checkable: section not found"))
            continue
        # Only numbers that are this table's quantities count: a body that received no applications prints
        # an all-zero table 三 and may print other numbers (a hotline's cases) in the same section.
        numbers = [(v, sp) for v, sp in _meaningful_numbers(text, section.span)
                   if any(sp.start == st.start for st in stated.get(table, []))]
        if numbers:
            shown = "、".join(_fmt(v) for v, _ in numbers[:5])
            findings.append(Finding(
                rule="empty_table", where=_TABLE_ROLES[table], paths=[table], stated=0, computed=numbers[0][0],
                severity="warning", evidence=[s for _, s in numbers[:5]],
                message=f"{_TABLE_ROLES[table]} is all zero or blank, but its section prints {shown}",
            ))
    return findings


# ------------------------------------------------------------------ across years
def cross_year(prev: Record, cur: Record, *, include_not_checkable: bool = False) -> list[Finding]:
    """``cross_year``: last year's 结转下年度 = this year's 上年结转 (per column); layout 2021:
    last 现行有效 + this 制发 − this 废止 = this 现行有效 (规章, 行政规范性文件).

    ``stated`` is this year's printed value, ``computed`` what last year's report implies.
    Like ``check``: failures, plus not-checkable notes on request.
    """
    findings = _cross_year(prev, cur)
    return findings if include_not_checkable else failures(findings)


def _cross_year(prev: Record, cur: Record) -> list[Finding]:
    py, cy = prev.meta.year, cur.meta.year
    label = f"{py if py is not None else '上年'}→{cy if cy is not None else '本年'}"
    if py is not None and cy is not None and cy != py + 1:
        return [_info("cross_year", label, [], [], f"not checkable: {py} and {cy} are not consecutive years")]
    findings: list[Finding] = []
    if prev.applications is not None and cur.applications is not None:
        for col, col_label in APPLICANT_COLUMNS.items():
            last = _cell(prev, "carried_forward", col)
            this = _cell(cur, "carried_over", col)
            where = f"{label} 表三 {col_label}列：上年 四、结转下年度 vs 本年 二、上年结转"
            paths = [_app_path("carried_over", col)]
            if last is None or this is None:
                missing = "上年结转下年度" if last is None else _app_path("carried_over", col)
                findings.append(_info("cross_year", where, paths, [missing]))
            elif last != this:
                findings.append(Finding(
                    rule="cross_year", where=where, paths=paths, stated=this, computed=last,
                    message=f"{where}: last year carried {last} forward, this year reports {this} carried over",
                ))
    if prev.meta.layout == cur.meta.layout == "2021" and prev.active_disclosure and cur.active_disclosure:
        for row in ("regulations", "normative_documents"):
            if row not in prev.active_disclosure and row not in cur.active_disclosure:
                continue
            p_row, c_row = prev.active_disclosure.get(row, {}), cur.active_disclosure.get(row, {})
            last_in_force, issued, repealed, in_force = (
                p_row.get("in_force"), c_row.get("issued"), c_row.get("repealed"), c_row.get("in_force"),
            )
            kind = "规章" if row == "regulations" else "行政规范性文件"
            where = f"{label} 表二 {kind}：上年现行有效 + 本年制发 − 本年废止 = 本年现行有效"
            base = f"active_disclosure.{row}"
            paths = [f"{base}.in_force", f"{base}.issued", f"{base}.repealed"]
            inputs = (last_in_force, issued, repealed, in_force)
            numbers = [v for v in inputs if isinstance(v, (int, float))]
            if len(numbers) != len(inputs):
                names = ["上年 in_force", *paths[1:], paths[0]]  # one name per input, in the order of inputs
                missing_inputs = [p for p, v in zip(names, inputs, strict=True) if v is None]
                findings.append(_info("cross_year", where, paths, missing_inputs))
                continue
            last_in_force, issued, repealed, in_force = numbers
            expected = _clean(last_in_force + issued - repealed)
            if not _equal(expected, in_force):
                findings.append(Finding(
                    rule="cross_year", where=where, paths=paths, stated=in_force, computed=expected,
                    message=f"{where}: {last_in_force} + {issued} − {repealed} = {expected}, printed {in_force}",
                ))
    return findings


# ------------------------------------------------------------------ all rules
def check(
    record: Record,
    text: str | None = None,
    evidence: dict[str, Evidence] | None = None,
    sections: list | None = None,  # noqa: ANN001 - extractor.sections.Section, split from text when None
    *,
    include_not_checkable: bool = False,
) -> list[Finding]:
    """Every within-report rule of spec §3 on one record.

    ``text`` is ``Document.text`` of the report (the prose, grounding and
    empty-table rules need it); ``evidence`` maps dotted paths to the spans
    values were read from. Returns failures, plus not-checkable notes on request.
    """
    findings = [
        *check_applications(record),
        *check_review_litigation(record),
        *check_pre2019(record),
        *check_claims(record),
        *check_prose_vs_table(record, text),
        *check_grounding(record, text, evidence),
        *check_empty_tables(record, text, sections),
    ]
    if evidence:
        findings = [_with_cell_evidence(f, evidence) for f in findings]
    return findings if include_not_checkable else failures(findings)


def _with_cell_evidence(finding: Finding, evidence: dict[str, Evidence]) -> Finding:
    """A finding on table cells points at the text of every cell it involves, so a person can look."""
    if finding.evidence:
        return finding
    spans = [evidence[p].span for p in finding.paths if p in evidence and evidence[p].span is not None]
    return finding.model_copy(update={"evidence": spans}) if spans else finding


def failures(findings: Iterable[Finding]) -> list[Finding]:
    """The findings a person must look at (rules that fail, not rules that could not be checked)."""
    return [f for f in findings if f.status == "fail"]
