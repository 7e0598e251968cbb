"""Part-whole and rate statements in prose, found by the phrasings reports use.

A report says things like 主动公开政府信息4970条。其中,区直单位3933条,占79%。
各乡镇1037条,占21%。 — a total, its parts, and each part's share. The checker
verifies such statements (parts add up; a share equals part / total), so they
are read here into ``Claim`` records with the span they were read from.

The text is first cut into a stream of tokens — counts (``3933条``),
percents (``79%``), 其中/涉及 markers and punctuation — and the rules work
on that stream:

1. a count followed by 其中 / 涉及 / ``的N条…中`` and a list of counts is a
   total with its parts; when a 其中 opens a new sentence, the total is the
   count of the sentence before that the parts add up to (else the last one);
2. a count followed directly by counts that add up to it exactly (947条,
   工作动态602条, 领导活动110条…) is a total with its parts;
3. a percent attached to a part (``占79%``, ``(17.46%)``) is a rate of that part
   over its total; a run of such parts with no stated total takes as
   denominator the earlier count that every printed share fits (else the
   first count of the statement before: 答复805件…。予以公开258件,占33.9%…);
4. ``办结率100%`` is a rate over the count of the statement it closes.

``complete`` is False when the parts are only a selection: the list ends in
等, the passage is about 主要类别, or the parts cover less than 80% of the
total (a 其中 naming a few items of many).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel

from extractor.document import Span
from extractor.numbers import parse_number
from extractor.record import Claim, ClaimPart, ClaimRate, ClaimTotal, Number

__all__ = ["FoundClaim", "find_claims"]


class FoundClaim(BaseModel):
    """A claim and the span of ``Document.text`` it was read from."""

    claim: Claim
    span: Span


# ------------------------------------------------------------------ tokens
_MONEY_UNITS = ("万元", "亿元", "元")
_COUNT_UNITS = ("人次", "条", "件", "个", "项", "次", "篇", "份", "起", "期", "场")
_UNIT_RE = "|".join(_MONEY_UNITS + _COUNT_UNITS)
_NUM = r"(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_TOKEN_RE = re.compile(
    _NUM
    + r"\s*(?:(?P<pct>%)|(?:余|多)?\s*(?P<mult>万|亿)?(?:余|多)?\s*(?P<unit>" + _UNIT_RE + r")?(?!月|年))"
    + r"|(?P<mark>其中|涉及)"
    + r"|(?P<sent>[。!?]|\n\s*\n)"
    + r"|(?P<semi>;)"
    + r"|(?P<comma>[,:])"
    + r"|(?P<open>\()"
    + r"|(?P<close>\))"
)


@dataclass
class _Tok:
    kind: str  # count, pct, mark, sent, semi, comma, open, close
    start: int
    end: int
    value: Number = 0  # the count or percent (0 for punctuation and marks)
    unit: str | None = None
    depth: int = 0  # bracket depth: counts inside (…) are side remarks unless they form a nested list
    word: str = ""


def _tokens(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    depth = 0
    for m in _TOKEN_RE.finditer(text):
        if m.group("num") is not None:
            if m.start() > 0 and text[m.start() - 1] in "第〔[":
                continue  # 第3期, 〔2015〕: ordinals and document numbers are not counts
            value = parse_number(m.group("num"))
            if value is None:
                continue
            if m.group("pct"):
                toks.append(_Tok("pct", m.start(), m.end(), value, "%", depth))
            elif m.group("unit") or m.group("mult"):
                unit = (m.group("mult") or "") + (m.group("unit") or "")
                toks.append(_Tok("count", m.start(), m.end(), value, unit, depth))
            elif text[m.start() - 1 : m.start()] == "数" and re.match(r"\s*[。,;]", text[m.end() : m.end() + 2]):
                # 不予公开信息数1402。 — a count whose unit the writer left out
                toks.append(_Tok("count", m.start(), m.end(), value, None, depth, word="bare"))
        elif m.group("mark"):
            toks.append(_Tok("mark", m.start(), m.end(), word=m.group("mark"), depth=depth))
        elif m.group("open"):
            toks.append(_Tok("open", m.start(), m.end(), depth=depth))
            depth += 1
        elif m.group("close"):
            depth = max(0, depth - 1)
            toks.append(_Tok("close", m.start(), m.end(), depth=depth))
        else:
            kind = next(k for k in ("sent", "semi", "comma") if m.group(k))
            if kind == "sent":
                depth = 0
            toks.append(_Tok(kind, m.start(), m.end(), depth=depth))
    return toks


_FAMILIES = {
    **dict.fromkeys(("条", "件", "个", "项", "份", "篇", "起"), "items"),
    **dict.fromkeys(("次", "人次", "场"), "times"),
    "期": "issues",
}


def _kind(unit: str | None) -> str:
    """Counts add up only within one family of units (件 and 个 do; 条 and 期 or 元 do not)."""
    unit = unit or ""
    if unit.endswith("元"):
        return "money"
    base = unit.lstrip("万亿")
    return _FAMILIES.get(base, base) + ("·" + unit[0] if unit[:1] in "万亿" and base else "")


_NAME_TRIM_HEAD = re.compile(r"^(?:[\s\-—#*|、]+|其中|涉及|包括|另有|另|此外|同时|全年|今年以来|今年)+")
_NAME_TRIM_TAIL = re.compile(r"(?:共计|共|累计|合计|总计|达到|达|为|约|近|超过|超|突破|有)+$")


def _clean(name: str) -> str:
    name = re.sub(r"\s+", "", name)
    name = _NAME_TRIM_HEAD.sub("", name)
    name = _NAME_TRIM_TAIL.sub("", name)
    return name.strip("“”\"'·.")


# ------------------------------------------------------------------ finder
@dataclass
class _Part:
    tok: _Tok
    name: str
    pct: _Tok | None = None


@dataclass
class _Finder:
    text: str
    toks: list[_Tok]
    found: list[FoundClaim] = field(default_factory=list)
    used_parts: set[int] = field(default_factory=set)  # token start offsets used as parts
    used_pcts: set[int] = field(default_factory=set)

    # -- helpers
    def name_before(self, i: int) -> str:
        """The words printed before token ``i`` back to the last punctuation."""
        start = self.toks[i - 1].end if i > 0 else 0
        name = _clean(self.text[start : self.toks[i].start])
        if not name:  # 49件保留 / 1条播放量破亿: the name follows the count
            k = i + 1
            end = self.toks[k].start if k < len(self.toks) else len(self.text)
            name = _clean(self.text[self.toks[i].end : end])
        return name[-40:]

    def emit_total(self, total: _Tok, total_name: str, parts: list[_Part], complete: bool) -> None:
        claim = Claim(
            total=ClaimTotal(name=total_name or "合计", value=total.value, unit=total.unit),
            parts=[ClaimPart(name=p.name or "其中", value=p.tok.value) for p in parts],
            complete=complete,
        )
        start = min(total.start, parts[0].tok.start)
        end = max(total.end, parts[-1].tok.end)
        self.found.append(FoundClaim(claim=claim, span=Span(start=start, end=end)))
        self.used_parts.update(p.tok.start for p in parts)

    def emit_rate(
        self, name: str, pct: _Tok, numerator: Number | None, denominator: Number | None, span_start: int
    ) -> None:
        claim = Claim(rate=ClaimRate(name=name, percent=pct.value, numerator=numerator, denominator=denominator))
        self.found.append(FoundClaim(claim=claim, span=Span(start=min(span_start, pct.start), end=pct.end)))
        self.used_pcts.add(pct.start)

    def attached_pct(self, i: int) -> tuple[_Tok | None, int]:
        """A percent printed right after the count at ``i``: ``,占79%`` / ``(17.46%)`` / ``,2.04%占``."""
        toks = self.toks
        k = i + 1
        if k < len(toks) and toks[k].kind in ("comma", "open"):
            k += 1
            if k < len(toks) and toks[k].kind == "pct":
                gap = self.text[toks[k - 1].end : toks[k].start]
                if re.fullmatch(r"\s*(?:占比?|比例为|占比为)?\s*", gap):
                    return toks[k], k + 1
        return None, i + 1

    def parse_list(self, i: int, depth: int, allow_continue: bool) -> tuple[list[_Part], int, bool]:
        """Counts listed from token ``i`` on: (parts, index after the list, ended with 等)."""
        toks, parts, k = self.toks, [], i
        etc = False
        clause_has_count = False
        empty_clauses = 0
        while k < len(toks):
            t = toks[k]
            if t.kind == "count" and t.depth == depth:
                pct, nxt = self.attached_pct(k)
                parts.append(_Part(t, self.name_before(k), pct))
                clause_has_count = True
                tail = self.text[t.end : t.end + 2]
                if tail.startswith("等"):
                    etc = True
                k = nxt
                continue
            if t.kind == "open":
                # a bracket after a part: a nested list of the part, or a side remark to skip
                close = self._close_of(k)
                inner = [x for x in toks[k + 1 : close] if x.kind == "count" and x.depth == depth + 1]
                if parts and len(inner) >= 2:
                    sub, _, sub_etc = self.parse_list(k + 1, depth + 1, False)
                    if len(sub) >= 2 and not any(p.tok.start in self.used_parts for p in sub):
                        whole = parts[-1]
                        self.emit_total(whole.tok, whole.name, sub, _complete(whole.tok.value, sub, sub_etc))
                k = close + 1
                continue
            if t.kind in ("comma", "semi", "close"):
                if not clause_has_count and parts:
                    # a clause with no count ends the list, unless it only says 等 or a share
                    if not re.fullmatch(r"\s*等?\s*", self.text[toks[k - 1].end : t.start]):
                        break
                if not parts:
                    empty_clauses += 1
                    if empty_clauses > 1:
                        break
                if t.kind == "close" and t.depth < depth:
                    break
                clause_has_count = False
                k += 1
                continue
            if t.kind == "sent":
                if allow_continue and parts and all(p.pct for p in parts):
                    # 其中,A 3933条,占79%。B 1037条,占21%。 — a share list may run over a full stop
                    n = k + 1
                    if n < len(toks) and toks[n].kind == "count" and self.attached_pct(n)[0] is not None:
                        k = n
                        continue
                break
            if t.kind == "mark":
                break
            k += 1
        if parts:
            tail = self.text[parts[-1].tok.end : toks[k].start if k < len(toks) else len(self.text)]
            if re.match(r"\s*(?:等|\)等)", tail) or re.search(r"等\s*$", tail):
                etc = True
        return parts, k, etc

    def _close_of(self, k: int) -> int:
        depth = self.toks[k].depth
        for j in range(k + 1, len(self.toks)):
            if self.toks[j].kind == "close" and self.toks[j].depth == depth:
                return j
            if self.toks[j].kind == "sent":
                return j - 1
        return len(self.toks) - 1

    def sentence_start(self, i: int) -> int:
        j = i
        while j > 0 and self.toks[j - 1].kind != "sent":
            j -= 1
        return j

    # -- rule 1: 其中 / 涉及 / 的N条…中
    def marked_lists(self) -> None:
        toks = self.toks
        for i, t in enumerate(toks):
            if t.kind == "mark":  # 4970条。其中,…
                candidates = self._totals_before(i)
                start = i + 1
            elif (  # 在网站主动公开的425条政府信息中,…
                t.kind == "count"
                and self.text[max(0, t.start - 1) : t.start] == "的"
                and re.match(r"[^,。;:()]{0,15}?中\s*[,:]", self.text[t.end : t.end + 20])
            ):
                candidates = [i]
                start = i + 1
                while start < len(toks) and toks[start].kind != "comma":
                    start += 1
            else:
                continue
            if not candidates:
                continue
            parts, _, etc = self.parse_list(start, toks[start].depth if start < len(toks) else 0, True)
            family = _kind(toks[candidates[0]].unit)
            parts = [
                p for p in parts
                if (p.tok.word == "bare" or _kind(p.tok.unit) == family) and p.tok.start not in self.used_parts
            ]
            if len(parts) < 2:
                continue
            total_i, parts = _choose_total(toks, candidates, parts)
            total = toks[total_i]
            if total.start in self.used_parts:
                continue
            complete = _complete(total.value, parts, etc) and not self._selection_context(total_i)
            self.emit_total(total, self._total_name(total_i), parts, complete)
            self.rates_of(parts, total)

    def _totals_before(self, i: int) -> list[int]:
        """Counts that a 其中 at ``i`` may refer to, nearest first (the sentence before, if 其中 opens one)."""
        toks = self.toks
        j = i - 1
        while j >= 0 and toks[j].kind in ("comma", "open"):
            j -= 1
        if j >= 0 and toks[j].kind == "sent":
            j -= 1
        out = []
        while j >= 0 and toks[j].kind != "sent":
            if toks[j].kind == "count" and toks[j].depth == 0:
                out.append(j)
            j -= 1
        return out

    def _total_name(self, i: int) -> str:
        j = i - 1
        while j >= 0 and self.toks[j].kind not in ("comma", "semi", "sent", "open", "close"):
            j -= 1
        start = self.toks[j].end if j >= 0 else 0
        name = _clean(self.text[start : self.toks[i].start])
        # 发布380条财政资金信息 / 对53件文件进行清理: the noun follows the count
        end = self.toks[i].end
        after = re.match(r"[^,。;:()!?\d]{2,20}?(?=[,。;:()]|其中|涉及|$)", self.text[end : end + 24])
        if after and (len(name) <= 3 or re.search(r"(?:发布|公开|受理|收到|对|有|的|\d{4}年)$", name)):
            name = _clean(name + "…" + after.group())
        return name[-60:]

    def _selection_context(self, i: int) -> bool:
        """The passage is headed 主要类别: a list of the main items, not all of them."""
        before = self.text[max(0, self.toks[i].start - 120) : self.toks[i].start]
        return "主要类别" in before

    def rates_of(self, parts: list[_Part], total: _Tok) -> None:
        for p in parts:
            if p.pct is not None and p.pct.start not in self.used_pcts:
                self.emit_rate(f"{p.name}占比", p.pct, p.tok.value, total.value, p.tok.start)

    # -- rule 2: a total followed by parts that add up to it exactly
    def exact_sums(self) -> None:
        toks = self.toks
        counts = [i for i, t in enumerate(toks) if t.kind == "count" and t.depth == 0 and t.word != "bare"]
        for n, i in enumerate(counts):
            total = toks[i]
            if total.start in self.used_parts or total.value < 10:
                continue  # a small total is too easily matched by chance
            run: list[int] = []
            s: Number = 0
            sentences = 0
            prev = i
            for j in counts[n + 1 :]:
                between = toks[prev + 1 : j]
                prev = j
                sentences += sum(1 for x in between if x.kind == "sent")
                if sentences > 1 or (run and any(x.kind == "mark" for x in between)):
                    break
                if toks[j].start in self.used_parts:
                    if run:
                        break
                    continue  # parts of this total's 其中 list: the next statement may split it again
                if _kind(toks[j].unit) != _kind(total.unit):
                    break
                run.append(j)
                s += toks[j].value
                if s >= total.value:
                    break
            if len(run) >= 2 and s == total.value and all(toks[j].value < total.value for j in run):
                parts = [_Part(toks[j], self.name_before(j), self.attached_pct(j)[0]) for j in run]
                self.emit_total(total, self._total_name(i), parts, True)
                self.rates_of(parts, total)

    # -- rule 3: shares with no stated total
    def share_runs(self) -> None:
        toks = self.toks
        i = 0
        while i < len(toks):
            t = toks[i]
            pct, _ = self.attached_pct(i) if t.kind == "count" else (None, 0)
            if t.kind != "count" or pct is None or pct.start in self.used_pcts or t.start in self.used_parts:
                i += 1
                continue
            parts, end, _ = self.parse_list(i, t.depth, True)
            parts = [p for p in parts if p.tok.start not in self.used_parts]
            shares = [p for p in parts if p.pct is not None]
            denominator = self._fitting_count(i, shares)
            if denominator is None:
                denominator = self._statement_count(i)
            if denominator is not None:
                if len(parts) >= 2:
                    complete = _complete(denominator.value, parts, False)
                    self.emit_total(denominator, self._total_name(toks.index(denominator)), parts, complete)
                self.rates_of(shares, denominator)
            i = max(end, i + 1)

    def _fitting_count(self, i: int, shares: list[_Part]) -> _Tok | None:
        """The nearest earlier count that every printed share fits (one unit in the last printed digit)."""
        limit = self.toks[i].start - 600
        for j in range(i - 1, -1, -1):
            c = self.toks[j]
            if c.start < limit:
                break
            if c.kind != "count" or c.value in (0, None) or _kind(c.unit) != _kind(shares[0].tok.unit):
                continue
            if c.value >= max(p.tok.value for p in shares) and all(_fits(p.tok.value, c.value, p.pct) for p in shares):
                return c
        return None

    def _statement_count(self, i: int) -> _Tok | None:
        """The first count of the statement before the run (a 答复N件…。 followed by its breakdown)."""
        toks = self.toks
        j = i - 1
        while j >= 0 and toks[j].kind not in ("sent", "semi"):
            j -= 1
        if j < 0:
            return None
        k = j - 1
        while k >= 0 and toks[k].kind not in ("sent", "semi"):
            k -= 1
        firsts = [x for x in toks[k + 1 : j] if x.kind == "count" and x.depth == 0]
        return firsts[0] if firsts else None

    # -- rule 4: 办结率
    def _item_counts(self, lo: int, hi: int) -> list[int]:
        """Indexes of the counts of items (件/条…) outside brackets among tokens ``lo``..``hi``."""
        return [
            j for j in range(lo, hi)
            if self.toks[j].kind == "count" and self.toks[j].depth == 0 and _kind(self.toks[j].unit) == "items"
        ]

    def _words_before(self, j: int, width: int = 8) -> str:
        start = self.toks[j].start
        return self.text[max(0, start - width) : start].rstrip()

    def whole_rates(self) -> None:
        """N项X全部…,X率达到100%: a rate of 100% over a count the sentence says is done in full."""
        for m in _WHOLE_RATE.finditer(self.text):
            pct = next((t for t in self.toks if t.kind == "pct" and t.start == m.start("p")), None)
            if pct is None or pct.start in self.used_pcts or pct.value != 100:
                continue
            i = self.toks.index(pct)
            s = self.sentence_start(i)
            whole = [
                j for j in self._item_counts(s, i)
                if self.text.find("全部", self.toks[j].end, self.toks[j].end + 16) >= 0
            ]
            if len(whole) != 1:
                continue
            base = self.toks[whole[0]]
            noun = re.match(r"[^,。;:()\d]{1,14}?(?=全部)", self.text[base.end : base.end + 16])
            total_name = self._total_name(whole[0])
            extra = noun.group() if noun and noun.group() not in total_name else ""
            name = _clean(total_name + extra) + m.group("rate")
            self.emit_rate(name, pct, base.value, base.value, base.start)

    def share_of_whole(self) -> None:
        """…对47项行政权力…取消22项行政权力…,占全部行政权力的46%: a part's share of the whole it names."""
        for m in _SHARE_OF.finditer(self.text):
            pct = next((t for t in self.toks if t.kind == "pct" and t.start == m.start("p")), None)
            if pct is None or pct.start in self.used_pcts:
                continue
            i = self.toks.index(pct)
            noun = m.group("noun")
            named = [j for j in self._item_counts(self.sentence_start(i), i)
                     if self.text.startswith(noun, self.toks[j].end)]
            if len(named) < 2:
                continue
            whole = max(named, key=lambda j: self.toks[j].value or 0)
            part = next((j for j in reversed(named) if j != whole), None)
            if part is None:
                continue
            numerator, denominator = self.toks[part].value, self.toks[whole].value
            if not denominator or not _fits_truncated(numerator, denominator, pct):
                continue
            name = f"{_clean(self.name_before(part))}{noun}占全部{noun}"
            self.emit_rate(name, pct, numerator, denominator, self.toks[whole].start)

    def trailing_totals(self) -> None:
        """A list of counts closed by its total: …A N项,B M项,共K项 (共/合计/总计/累计 after the parts)."""
        toks = self.toks
        for k, t in enumerate(toks):
            if t.kind != "count" or t.start in self.used_parts or t.depth != 0:
                continue
            if not re.search(r"(?:共计|共|合计|总计|累计)\s*$", self.text[max(0, t.start - 3) : t.start]):
                continue
            if k == 0 or toks[k - 1].kind != "comma":
                continue
            parts: list[_Part] = []
            j = k - 2
            while j >= 0 and toks[j].kind == "count" and toks[j].depth == 0 and _kind(toks[j].unit) == _kind(t.unit):
                words = self.text[(toks[j - 1].end if j > 0 else 0) : toks[j].start]
                if re.search(r"共计|共|合计|总计|累计|其中", words):
                    break
                parts.insert(0, _Part(toks[j], self.name_before(j)))
                if j - 1 < 0 or toks[j - 1].kind != "comma":
                    break
                j -= 2
            if len(parts) < 2 or any(p.tok.start in self.used_parts for p in parts):
                continue
            if _sum(parts) != t.value and not self.text.startswith(("项", "条", "件", "个"), t.end - 1):
                continue
            self.emit_total(t, _clean(self.name_before(k)) or "合计", parts, True)

    def unitless_totals(self) -> None:
        """共收录X,A数据N条,B N条…: a total printed without a unit before parts that each carry one."""
        for m in _BARE_TOTAL.finditer(self.text):
            value = parse_number(m.group("n"))
            if value is None:
                continue
            after = m.end()
            k = next((j for j, t in enumerate(self.toks) if t.start >= after), None)
            if k is None:
                continue
            parts, _, etc = self.parse_list(k, 0, False)
            units = {p.tok.unit for p in parts}
            if len(parts) < 2 or len(units) != 1 or None in units or any(p.tok.start in self.used_parts for p in parts):
                continue
            if any(self.toks[j].kind == "sent" for j in range(k, self.toks.index(parts[-1].tok))):
                continue
            total = _Tok("count", m.start("n"), m.end("n"), value, None)
            name = _clean(m.group("name"))
            self.found.append(FoundClaim(
                claim=Claim(total=ClaimTotal(name=name or "合计", value=value, unit=None),
                            parts=[ClaimPart(name=p.name or "其中", value=p.tok.value) for p in parts],
                            complete=_complete(value, parts, etc) or _sum(parts) > value),
                span=Span(start=total.start, end=parts[-1].tok.end),
            ))
            self.used_parts.update(p.tok.start for p in parts)

    def completion_rates(self) -> None:
        for m in re.finditer(r"办结率(?:为|达|达到)?\s*(\d+(?:\.\d+)?)\s*%", self.text):
            pct = next((t for t in self.toks if t.kind == "pct" and t.start == m.start(1)), None)
            if pct is None or pct.start in self.used_pcts:
                continue
            i = self.toks.index(pct)
            s = self.sentence_start(i)
            semis = [j for j in range(s, i) if self.toks[j].kind == "semi"]
            s = semis[-1] + 1 if semis else s  # the statement the rate closes starts after the last ;
            counts = self._item_counts(s, i)
            done = next((j for j in counts if self._words_before(j).endswith("办结")), None)
            if done is not None:  # 受理117件,办结171件,办结率100%: completed over received, as printed
                before = [j for j in counts if j < done]
                if before:
                    received = self.toks[before[-1]]
                    self.emit_rate("办结率", pct, self.toks[done].value, received.value, received.start)
                continue
            if pct.value != 100:
                continue
            if len({self.toks[j].unit for j in counts}) > 1 and self._claimed_total_in(s, i) is None:
                continue  # 留言30件、公众号留言127条,办结率100%: two kinds of items, no total to take
            # 100%: all that was received was completed — the statement's total, else its first count,
            # else the last count of the sentence before (收到申请3件。…全部按时答复完毕,办结率为100%)
            base = self._claimed_total_in(s, i) or (self.toks[counts[0]] if counts else None)
            if base is None and s > 0:
                earlier = self._item_counts(self.sentence_start(s - 1), s)
                base = self.toks[earlier[-1]] if earlier else None
            if base is not None:
                self.emit_rate("办结率", pct, base.value, base.value, base.start)

    def _claimed_total_in(self, s: int, i: int) -> _Tok | None:
        lo, hi = self.toks[s].start, self.toks[i].start
        for f in self.found:
            if f.claim.total is not None and lo <= f.span.start < hi:
                return next((t for t in self.toks if t.kind == "count" and t.start == f.span.start), None)
        return None


def _choose_total(toks: list[_Tok], candidates: list[int], parts: list[_Part]) -> tuple[int, list[_Part]]:
    """The candidate total that the list (or its first items) adds up to; else the nearest one.

    A list may run on into the next statement (…尚未审结37件;政府信息公开行政诉讼46件…):
    the longest prefix that adds up to a candidate is where the parts end.
    """
    for c in candidates:
        running: Number = 0
        for n, p in enumerate(parts):
            running += p.tok.value
            if running == toks[c].value and n >= 1 and (
                n == len(parts) - 1 or sum(q.tok.value for q in parts[: n + 2]) != toks[c].value
            ):
                return c, parts[: n + 1]
    return candidates[0], parts


def _sum(parts: list[_Part]) -> Number:
    return sum(p.tok.value for p in parts)


def _fits(numerator: Number, denominator: Number, pct: _Tok | None) -> bool:
    if pct is None:
        return True
    printed = f"{pct.value}"
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(numerator / denominator * 100 - pct.value) <= 10 ** (-decimals)


def _fits_truncated(numerator: Number, denominator: Number, pct: _Tok) -> bool:
    """The printed share is the exact one rounded or cut to the printed digits (22/47 = 46.8 -> 46 or 47)."""
    printed = f"{pct.value}"
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return abs(numerator / denominator * 100 - pct.value) < 10 ** (-decimals)


_WHOLE_RATE = re.compile(r"(?P<rate>[\u4e00-\u9fff]{1,8}率)(?:为|达|达到|均为|均达到)?\s*(?P<p>100)\s*%")
_SHARE_OF = re.compile(
    r"占(?:全部|所有|总)(?P<noun>[\u4e00-\u9fff]{2,10}?)(?:总数|总量)?的?"
    r"\s*(?P<p>\d+(?:\.\d+)?)\s*%"
)
_BARE_TOTAL = re.compile(
    r"(?P<name>[\u4e00-\u9fff]{2,16}?)(?:共计|共|合计|总计|累计)"
    r"(?:收录|归集|录入|报送|发布|公示)?(?:各类)?(?:数据|信息)?"
    r"(?P<n>\d+)(?=\s*,)"
)


def _complete(total: Number, parts: list[_Part], etc: bool) -> bool:
    """False when the parts are a selection: 等, or far less than the total."""
    return not etc and not (_sum(parts) < 0.8 * total)


def find_claims(text: str) -> list[FoundClaim]:
    """Every part-whole and rate statement in ``text`` (NFKC-normalised), in text order."""
    finder = _Finder(text=text, toks=_tokens(text))
    finder.marked_lists()
    finder.unitless_totals()
    finder.exact_sums()
    finder.trailing_totals()
    finder.share_runs()
    finder.share_of_whole()
    finder.whole_rates()
    finder.completion_rates()
    return sorted(finder.found, key=lambda f: (f.span.start, f.span.end))
