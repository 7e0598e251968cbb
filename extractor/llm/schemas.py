"""Response models, one per kind of section, with the rules a model can fix.

Each model is what one focused call returns. Field names and row keys come
from ``extractor.record`` (never re-typed). Validators read the section text
from the validation context (``context["source"]``) and raise ``ValueError``
with a message the model can act on; instructor sends that message back and
asks again. With ``context["lenient"]`` the rules are skipped: that is how the
last failed answer is still read and kept, with its failure recorded.

Numbers may arrive as strings ("1,234", "１２", "3.5万"): every number field
parses them with ``extractor.numbers.parse_number`` before pydantic's strict
type check, and a blank ("", "—", "/", "无") is None, never 0.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    create_model,
    model_validator,
)

from extractor import identities
from extractor.grounding import printed_numbers, row_numbers_printed
from extractor.llm.quotes import compact, grounded, has_digit, locate, number_printed
from extractor.numbers import parse_number
from extractor.record import (
    ACTIVE_DISCLOSURE_2019,
    ACTIVE_DISCLOSURE_2021,
    ACTIVE_DISCLOSURE_ROWS,
    APPLICANT_COLUMNS,
    APPLICATION_ROW_KEYS,
    APPLICATION_ROWS_SINGLE_OTHER,
    OTHER_HANDLING_SPLIT,
    PRE2019_LABELS,
    REVIEW_GROUPS,
    REVIEW_OUTCOMES,
    active_disclosure_spec,
)

_BLANKS = {"", "-", "—", "--", "——", "/", "无", "空", "null", "none", "n/a"}


def _cell(raw: Any) -> int | float | None:
    """A table cell: None for a blank, else the printed number (strings parsed)."""
    if raw is None:
        return None
    if isinstance(raw, str) and raw.strip().lower() in _BLANKS:
        return None
    value = parse_number(raw)
    if value is None:
        raise ValueError(f"{raw!r} is not a number; give the number as printed, or null for a blank cell")
    return value


def _count(raw: Any) -> int | None:
    value = _cell(raw)
    if isinstance(value, float):
        raise ValueError(f"{raw!r}: a count is a whole number")
    return value


def _required_number(raw: Any) -> int | float:
    value = _cell(raw)
    if value is None:
        raise ValueError("a number is required here")
    return value


Count = Annotated[int | None, BeforeValidator(_count)]
Amount = Annotated[int | float | None, BeforeValidator(_cell)]
RequiredNumber = Annotated[int | float, BeforeValidator(_required_number)]

QUOTE_HELP = "exact short text copied from the section that the values were read from (a row label with its numbers)"


def _context(info: ValidationInfo) -> dict[str, Any] | None:
    """The validation context, or None when rules are off (lenient re-read or no source)."""
    ctx = info.context
    if not isinstance(ctx, dict) or ctx.get("lenient") or not isinstance(ctx.get("source"), str):
        return None
    return ctx


def _fail(problems: list[str]) -> None:
    if problems:
        raise ValueError("; ".join(problems))


def _numbers(values: dict[str, Any]) -> list[Any]:
    return [v for v in values.values() if isinstance(v, (int, float)) and not isinstance(v, bool)]


def _ground_rows(rows: list[tuple[str, str, dict[str, Any]]], source: str) -> list[str]:
    """``_ground_row`` for every row; rows that quote the same text (a run of digits holding several rows,
    as column-major text prints table 四) are checked together, their values one after another."""
    shared: dict[str, list[Any]] = {}
    for _, quote, values in rows:
        shared.setdefault(quote, []).extend(_numbers(values))
    problems: list[str] = []
    for name, quote, values in rows:
        together = shared[quote] if has_digit(quote) and len(shared[quote]) > len(_numbers(values)) else None
        if together is not None and row_numbers_printed(together, quote):
            continue
        problems += ground_row(name, quote, values, source)
    return problems


def ground_row(name: str, quote: str, values: dict[str, Any], source: str) -> list[str]:
    """A row's quote must be in the section, and its numbers in the quote (when the quote has numbers)."""
    problems: list[str] = []
    if locate(quote, source) is None:
        problems.append(f"{name}: quote {quote!r} is not in the section; copy the text exactly")
        return problems
    numbers = _numbers(values)
    if has_digit(quote):
        if not row_numbers_printed(numbers, quote):
            problems.append(
                f"{name}: the values {numbers} are not what the quoted row {quote!r} prints; "
                "read the row again (a blank cell is null)"
            )
        return problems
    for col, value in values.items():
        if value is None or isinstance(value, str):
            continue
        path = name if col == "value" else f"{name}.{col}"
        if not grounded(value, source, quote):
            problems.append(f"{path}={value} is not printed in the section; read it again or use null")
    return problems


# ------------------------------------------------------------------ whole-answer rules
_CJK = re.compile(r"[\u4e00-\u9fff]")


def answer_rows(answer: BaseModel) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, quote, numeric values) of every row of a table answer (rows, groups or items)."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    entries = getattr(answer, "rows", None) or getattr(answer, "groups", None) or getattr(answer, "items", None) or []
    for entry in entries:
        data = entry.model_dump()
        key = str(data.pop("row", None) or data.pop("group", None) or data.pop("key", ""))
        quote = str(data.pop("quote", "") or "")
        numbers = {k: v for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        out.append((key, quote, numbers))
    return out


def skeleton_problem(answer: BaseModel, source: str) -> str | None:
    """The all-zero skeleton: every number of the answer is 0 while the table's lines print other numbers."""
    values = [v for _, _, row in answer_rows(answer) for v in row.values()]
    if len(values) < 3 or any(v != 0 for v in values):
        return None
    # lines with words: a page footer (- 3 -) is not a table row
    printed = [n for line in source.splitlines() if _CJK.search(line) for n in printed_numbers(line) if n != 0]
    printed += [n for _, quote, _ in answer_rows(answer) for n in printed_numbers(quote) if n != 0]
    if not printed:
        return None
    return (
        f"every value of the answer is 0, but the table prints other numbers (such as {printed[0]}): "
        "read each cell as printed; a blank cell is null"
    )


def _label_core(label: str) -> str:
    """The words of a printed row label without its numbering and notes: （二）部分公开（区分…） -> 部分公开."""
    core = re.sub(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、])", "", label)
    core = core.split("（")[0].split("·")[-1]
    return compact(core)[0]


def missing_rows(answer: BaseModel, task: str, layout: str | None, source: str) -> list[str]:
    """Rows whose label the section prints but the answer leaves out (a truncated answer)."""
    given = {key for key, _, _ in answer_rows(answer)}
    hay = compact(source)[0]
    if task == "applications":
        labels = application_rows_for(layout)
        split = set(OTHER_HANDLING_SPLIT)
        missing = []
        for key, label in labels.items():
            core = _label_core(label)
            if len(core) < 4 or core not in hay or key in given:
                continue
            if key == "other_handling" and given & split:
                continue
            if key in split and "other_handling" in given:
                continue
            missing.append(key)
        return missing
    if task == "review_litigation":
        if not any(printed_numbers(source)):
            return []
        return [g for g, label in REVIEW_GROUPS.items() if g not in given and _label_core(label) in hay]
    if task == "pre2019":
        # statistics whose own label is printed (an attached statistics table), and the total of a sum whose
        # parts are given (the 2007 template states a total with its parts: 收到申请数 with its channels…)
        printed = [k for k, label in PRE2019_LABELS.items()
                   if k not in given and len(core := compact(label.split("（")[0])[0]) >= 4 and core in hay]
        totals = [total.removeprefix("pre2019.") for total, parts in identities.PRE2019_SUMS
                  if total not in given and any(p in given for p in parts)]
        return list(dict.fromkeys([*printed, *totals]))
    if task == "active_disclosure":
        spec = active_disclosure_spec(layout)
        return [r for r in spec if r not in given and len(_label_core(ACTIVE_DISCLOSURE_ROWS[r])) >= 2
                and _label_core(ACTIVE_DISCLOSURE_ROWS[r]) in hay]
    return []


def whole_answer_problems(answer: BaseModel, task: str, ctx: dict[str, Any]) -> list[str]:
    """The rules on a whole table answer: not the empty skeleton, no printed row left out."""
    problems = []
    skeleton = skeleton_problem(answer, ctx["source"])
    if skeleton:
        problems.append(skeleton)
    missing = missing_rows(answer, task, ctx.get("layout") or None, ctx["source"])
    if missing:
        problems.append(
            f"rows printed in the section but missing from the answer: {', '.join(missing)}; give every printed row"
        )
    return problems


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ table 三
if TYPE_CHECKING:  # the checker sees a key as text: the allowed keys are computed from record.py
    ApplicationRowKey = str
else:
    ApplicationRowKey = Literal[APPLICATION_ROW_KEYS]


class _ApplicationRowFields(_Answer):
    row: ApplicationRowKey = Field(description="row key")
    quote: str = Field(description=QUOTE_HELP)


_APPLICANT_FIELDS: dict[str, Any] = {
    col: (Count, Field(default=None, description=label)) for col, label in APPLICANT_COLUMNS.items()
}
_ApplicationRowBase = create_model("ApplicationRow", __base__=_ApplicationRowFields, **_APPLICANT_FIELDS)
APPLICANT_KEYS: tuple[str, ...] = tuple(APPLICANT_COLUMNS)
APPLICANT_PARTS: tuple[str, ...] = identities.APPLICANT_PARTS


class ApplicationsAnswer(_Answer):
    """Table 三: one entry per printed row."""

    # valid-type: the row model is built at import time (its columns come from record.py)
    rows: list[_ApplicationRowBase] = Field(description="every row of the table, in printed order")  # type: ignore[valid-type]
    printed_inconsistencies: list[str] = Field(
        default_factory=list,
        description="only if the printed table itself breaks an identity: which one and where",
    )

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> ApplicationsAnswer:
        ctx = _context(info)
        if ctx is None:
            return self
        problems: list[str] = []
        seen: dict[str, Any] = {}
        for row in self.rows:
            if row.row in seen:
                problems.append(f"row {row.row} given twice; give each row once")
            seen[row.row] = row
        problems += _ground_rows(answer_rows(self), ctx["source"])
        problems += whole_answer_problems(self, "applications", ctx)
        if ctx.get("layout") == "2019" and set(seen) & set(OTHER_HANDLING_SPLIT):
            problems.append("layout 2019 has one （六）其他处理 row: use row other_handling")
        if problems:
            _fail(problems)
        if not self.printed_inconsistencies:
            _fail(application_identity_errors(seen))
        return self


def application_identity_errors(rows: dict[str, Any]) -> list[str]:
    """Spec §3 identities of table 三 that the rows break (only where every term is present).

    The outcome rows are those the answer gives (``identities.answered_outcome_rows``).
    """
    errors: list[str] = []
    table = {key: {c: getattr(row, c) for c in APPLICANT_KEYS} for key, row in rows.items()}
    for row_key in rows:
        r = identities.row_sum(table, row_key)
        if r.fails and r.complete:
            errors.append(f"row {row_key}: the six applicant columns sum to {r.computed}, not total {r.stated}")
    leaves = identities.answered_outcome_rows(rows)
    for col in APPLICANT_KEYS:
        b = identities.balance(table, col)
        if b.fails:
            errors.append(f"column {col}: new_received+carried_over={b.stated} but total+carried_forward={b.computed}")
        o = identities.outcome_sum(table, col, leaves)
        if leaves and o.fails and o.complete:
            errors.append(f"column {col}: outcome rows (三(一)…(六)) sum to {o.computed}, not （七）总计 {o.stated}")
    if errors:
        errors.append(
            "re-read the cells; if the printed table itself is inconsistent, "
            "keep the printed numbers and say so in printed_inconsistencies"
        )
    return errors


# ------------------------------------------------------------------ table 四
if TYPE_CHECKING:  # the checker sees a key as text: the allowed keys are computed from record.py
    ReviewGroupKey = str
else:
    ReviewGroupKey = Literal[tuple(REVIEW_GROUPS)]


class _ReviewGroupFields(_Answer):
    group: ReviewGroupKey = Field(description="group key")
    quote: str = Field(description=QUOTE_HELP)


_OUTCOME_FIELDS: dict[str, Any] = {
    col: (Count, Field(default=None, description=label)) for col, label in REVIEW_OUTCOMES.items()
}
_ReviewGroupBase = create_model("ReviewGroup", __base__=_ReviewGroupFields, **_OUTCOME_FIELDS)
REVIEW_PARTS: tuple[str, ...] = identities.REVIEW_PARTS


class ReviewAnswer(_Answer):
    """Table 四: the three groups of five outcomes."""

    # valid-type: the group model is built at import time (its columns come from record.py)
    groups: list[_ReviewGroupBase] = Field(description="each group of the table")  # type: ignore[valid-type]
    printed_inconsistencies: list[str] = Field(
        default_factory=list, description="only if the printed table itself breaks total = sum of outcomes"
    )

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> ReviewAnswer:
        ctx = _context(info)
        if ctx is None:
            return self
        problems: list[str] = []
        seen: set[str] = set()
        for group in self.groups:
            if group.group in seen:
                problems.append(f"group {group.group} given twice")
            seen.add(group.group)
        problems += _ground_rows(answer_rows(self), ctx["source"])
        problems += whole_answer_problems(self, "review_litigation", ctx)
        _fail(problems)
        if not self.printed_inconsistencies:
            errors = []
            for group in self.groups:
                r = identities.group_sum({group.group: {c: getattr(group, c) for c in REVIEW_OUTCOMES}}, group.group)
                if r.fails and r.complete:
                    errors.append(f"group {group.group}: outcomes sum to {r.computed}, not total {r.stated}")
            if errors:
                errors.append(
                    "re-read the cells; if the printed table is itself inconsistent, say so in printed_inconsistencies"
                )
            _fail(errors)
        return self


# ------------------------------------------------------------------ table 二
def _disclosure_model(layout: str, spec: dict[str, dict[str, str]]) -> type[BaseModel]:
    columns: dict[str, str] = {}
    for cols in spec.values():
        for col, label in cols.items():
            columns.setdefault(col, label)
    fields: dict[str, Any] = {
        # valid-type (here and below): the row keys and the row model are computed per layout
        "row": (Literal[tuple(spec)], Field(description="row key")),  # type: ignore[valid-type]
        "quote": (str, Field(description=QUOTE_HELP)),
    }
    for col, label in columns.items():
        kind = str | None if col == "amount_unit" else Amount
        fields[col] = (kind, Field(default=None, description=label))
    row_model = create_model(f"DisclosureRow{layout}", __base__=_Answer, **fields)

    def _rules(self: Any, info: ValidationInfo) -> Any:
        ctx = _context(info)
        if ctx is None:
            return self
        problems: list[str] = []
        seen: set[str] = set()
        for row in self.rows:
            if row.row in seen:
                problems.append(f"row {row.row} given twice")
            seen.add(row.row)
            allowed = spec[row.row]
            extra = [c for c in columns if c not in allowed and getattr(row, c) is not None]
            if extra:
                problems.append(f"row {row.row} has no column {', '.join(extra)} in layout {layout}: use null")
        problems += _ground_rows(
            [(row.row, row.quote, {c: getattr(row, c) for c in spec[row.row]}) for row in self.rows], ctx["source"]
        )
        problems += whole_answer_problems(self, "active_disclosure", {**ctx, "layout": layout})
        _fail(problems)
        return self

    return create_model(
        f"ActiveDisclosure{layout}Answer",
        __base__=_Answer,
        __doc__=f"Table 二 of layout {layout}: one entry per printed row.",
        # dict-item: pydantic hints a plain callable, but its documented use passes a decorated validator
        __validators__={"_rules": model_validator(mode="after")(_rules)},  # type: ignore[dict-item]
        rows=(list[row_model], Field(description="every row of the table")),  # type: ignore[valid-type]
    )


ACTIVE_DISCLOSURE_ANSWERS: dict[str, type[BaseModel]] = {
    "2019": _disclosure_model("2019", ACTIVE_DISCLOSURE_2019),
    "2021": _disclosure_model("2021", ACTIVE_DISCLOSURE_2021),
}


# ------------------------------------------------------------------ meta
_CN_YEAR_DIGITS = "〇一二三四五六七八九"


def _states_year(quote: str, year: int) -> bool:
    """The quote states the year in arabic digits or in Chinese numerals (二〇二一 / 二零二一)."""
    cn = "".join(_CN_YEAR_DIGITS[int(d)] for d in str(year))
    return str(year) in unicodedata.normalize("NFKC", quote) or cn in quote or cn.replace("〇", "零") in quote


class MetaAnswer(_Answer):
    """Who reports, on which year, printed when, and what kind of document it is."""

    agency: str | None = Field(default=None, description="the reporting body exactly as printed")
    year: int | None = Field(default=None, description="the year reported on (not the publication year)")
    year_quote: str | None = Field(default=None, description="exact text that states the year, e.g. 2021年度")
    published: str | None = Field(default=None, description="date printed on the report, YYYY-MM-DD; null if none")
    published_quote: str | None = Field(default=None, description="exact text of that date, e.g. 2022年1月21日")
    kind: Literal["annual_report", "work_summary"] = Field(
        default="annual_report", description="annual_report (年度报告) or work_summary (工作落实情况 etc.)"
    )

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> MetaAnswer:
        ctx = _context(info)
        if ctx is None:
            return self
        source = ctx["source"]
        problems: list[str] = []
        if self.agency and locate(self.agency, source) is None:
            problems.append(f"agency {self.agency!r} is not printed in the text; copy the name exactly")
        if self.year is not None:
            if not 1990 <= self.year <= 2100:
                problems.append(f"year {self.year} is not a plausible report year")
            if not self.year_quote or locate(self.year_quote, source) is None:
                problems.append("year_quote must be copied exactly from the text")
            elif not _states_year(self.year_quote, self.year):
                problems.append(f"year_quote {self.year_quote!r} does not contain {self.year}")
        if self.published is not None:
            import datetime as _dt

            try:
                date = _dt.date.fromisoformat(self.published)
            except ValueError:
                problems.append(f"published {self.published!r} is not a YYYY-MM-DD date")
            else:
                if not self.published_quote or locate(self.published_quote, source) is None:
                    problems.append("published_quote must be copied exactly from the text")
                elif has_digit(self.published_quote) and not all(
                    number_printed(n, self.published_quote) for n in (date.year, date.month, date.day)
                ):  # a date in Chinese numerals (二〇二二年一月二十日) is not checked here
                    problems.append(f"published_quote {self.published_quote!r} does not state {self.published}")
        _fail(problems)
        return self


# ------------------------------------------------------------------ claims
class ClaimTotalAnswer(_Answer):
    name: str
    value: RequiredNumber
    unit: str | None = None


class ClaimPartAnswer(_Answer):
    name: str
    value: RequiredNumber


class ClaimRateAnswer(_Answer):
    name: str
    percent: RequiredNumber
    numerator: Amount = None
    denominator: Amount = None


class ClaimAnswer(_Answer):
    quote: str = Field(description="the sentence (or clause) stating the claim, copied exactly")
    total: ClaimTotalAnswer | None = None
    parts: list[ClaimPartAnswer] = Field(default_factory=list)
    complete: bool = Field(
        default=True, description="false when the parts are only a selection (…等, 其中 naming some)"
    )
    rate: ClaimRateAnswer | None = None

    def numbers(self) -> list[tuple[str, int | float]]:
        out: list[tuple[str, int | float]] = []
        if self.total is not None:
            out.append((f"total {self.total.name}", self.total.value))
        out += [(f"part {p.name}", p.value) for p in self.parts]
        if self.rate is not None:
            out.append((f"rate {self.rate.name}", self.rate.percent))
            terms = (("numerator", self.rate.numerator), ("denominator", self.rate.denominator))
            out += [(f"rate {self.rate.name} {k}", v) for k, v in terms if v is not None]
        return out


class FigureAnswer(_Answer):
    """One quantity stated in the prose (spec "figures"), with the clause it was read from."""

    name: str = Field(description="the thing counted, the shortest noun phrase as printed")
    value: RequiredNumber = Field(description="the number as printed")
    unit: str | None = Field(
        default=None, description="what is printed between the number and the next word (万元, 件, %)"
    )
    approx: bool = Field(default=False, description="true when 余/多/近/约/以上/左右 qualifies the number")
    quote: str = Field(description="the clause holding the number, copied exactly")


class ClaimsAnswer(_Answer):
    """Part-whole and ratio statements found in the prose, and every quantity it states (figures)."""

    claims: list[ClaimAnswer] = Field(
        default_factory=list, description="every claim in the text; [] when there is none"
    )
    figures: list[FigureAnswer] = Field(default_factory=list, description="every quantity stated in the text, in order")

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> ClaimsAnswer:
        ctx = _context(info)
        if ctx is None:
            return self
        problems: list[str] = []
        for i, claim in enumerate(self.claims):
            if locate(claim.quote, ctx["source"]) is None:
                problems.append(f"claim {i}: quote is not in the text; copy the sentence exactly")
                continue
            if claim.rate is None and (claim.total is None or not claim.parts):
                problems.append(f"claim {i}: give a total with its parts, or a rate")
            for name, value in claim.numbers():
                if not number_printed(value, claim.quote, zero_words=False):
                    problems.append(f"claim {i}: {name}={value} is not in its quote")
        for i, figure in enumerate(self.figures):
            if locate(figure.quote, ctx["source"]) is None:
                problems.append(f"figure {i}: quote is not in the text; copy the clause exactly")
            elif not number_printed(figure.value, figure.quote, zero_words=False):
                problems.append(f"figure {i}: {figure.name}={figure.value} is not printed in its quote")
        _fail(problems)
        return self


# ------------------------------------------------------------------ pre2019
# record.py has label tables for the applications and case groups; the two
# scalar keys are labelled here with the wording of the spec.
if TYPE_CHECKING:  # the checker sees a key as text: the allowed keys are computed from record.py
    Pre2019Key = str
else:
    Pre2019Key = Literal[tuple(PRE2019_LABELS)]


class Pre2019Item(_Answer):
    key: Pre2019Key = Field(description="statistic key")
    quote: str = Field(description="exact short text stating the number (a sentence clause or a table row)")
    value: Amount = Field(description="the number as printed")


class Pre2019Answer(_Answer):
    """The statistics of a pre-2019 report (old statistics table and the prose around it)."""

    items: list[Pre2019Item] = Field(default_factory=list, description="every statistic the text states; omit the rest")
    printed_inconsistencies: list[str] = Field(
        default_factory=list, description="only if the printed numbers themselves break a sum: which and where"
    )

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> Pre2019Answer:
        ctx = _context(info)
        if ctx is None:
            return self
        problems: list[str] = []
        seen: dict[str, int | float | None] = {}
        for item in self.items:
            if item.key in seen:
                problems.append(f"{item.key} given twice; give each statistic once")
            seen[item.key] = item.value
            if item.value is not None and item.key != "fees_10k_yuan" and isinstance(item.value, float):
                problems.append(f"{item.key}={item.value}: a count is a whole number")
            problems += ground_row(item.key, item.quote, {"value": item.value}, ctx["source"])
        problems += whole_answer_problems(self, "pre2019", ctx)
        _fail(problems)
        if not self.printed_inconsistencies:
            _fail(pre2019_identity_errors(seen))
        return self


def pre2019_identity_errors(values: dict[str, int | float | None]) -> list[str]:
    """Spec §3 pre2019 sums that the given statistics break (only where every term is given)."""
    errors = [
        f"{r.group}={r.stated} but its parts sum to {r.computed}"
        for r in identities.pre2019_sums(values) if r.fails and r.complete
    ]
    if errors:
        errors.append(
            "re-read the numbers; if the report itself is inconsistent, keep them and say so in printed_inconsistencies"
        )
    return errors


TASK_MODELS: dict[str, type[BaseModel]] = {
    "pre2019": Pre2019Answer,
    "meta": MetaAnswer,
    "applications": ApplicationsAnswer,
    "review_litigation": ReviewAnswer,
    "claims": ClaimsAnswer,
}


def response_model(task: str, layout: str | None = None) -> type[BaseModel]:
    """The response model of one task (table 二 depends on the layout)."""
    if task == "active_disclosure":
        return ACTIVE_DISCLOSURE_ANSWERS["2021" if layout == "2021" else "2019"]  # as record.active_disclosure_spec
    return TASK_MODELS[task]


def application_rows_for(layout: str | None) -> dict[str, str]:
    """Row key -> printed label for the prompt (layout 2021 may print （六） split or as one row)."""
    if layout == "2019":
        return dict(APPLICATION_ROWS_SINGLE_OTHER)
    rows = dict(APPLICATION_ROWS_SINGLE_OTHER)
    rows.update(OTHER_HANDLING_SPLIT)
    return {k: rows[k] for k in APPLICATION_ROW_KEYS}
