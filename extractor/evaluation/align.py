"""Align the items of two claim lists by their numbers before scoring them.

Claims carry free-text names that two readers word differently, but the
numbers are what a claim asserts, so items are paired by how many numbers
they share (a weighted Dice overlap of tagged numbers) with an optimal
one-to-one assignment (``max_weight_assignment``: the Hungarian method, exact,
O(n²m) for the dozen or so claims a report holds). Order in either list does
not matter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from extractor.record import Claim, Number

# A total or a percent names the claim; a part or a rate operand is one of many.
_WEIGHTS: dict[str, float] = {"total": 2.0, "percent": 2.0, "part": 1.0, "numerator": 1.0, "denominator": 1.0}
# Pairs below this overlap (and without a shared total or percent) are left unmatched.
MIN_SIMILARITY = 0.25


def claim_numbers(claim: Claim) -> Counter[tuple[str, Number]]:
    """The claim's numbers tagged by role, as a multiset (parts may repeat a value)."""
    return claim.numbers()


def _weight(numbers: Counter[tuple[str, Number]]) -> float:
    return sum(_WEIGHTS[role] * n for (role, _), n in numbers.items())


def claim_similarity(a: Claim, b: Claim) -> float:
    """Weighted Dice overlap of the two claims' tagged numbers, in [0, 1]."""
    na, nb = claim_numbers(a), claim_numbers(b)
    denominator = _weight(na) + _weight(nb)
    return 2 * _weight(na & nb) / denominator if denominator else 0.0


def _anchored(a: Claim, b: Claim) -> bool:
    """Same total value, or same percent: the two describe the same statement."""
    if a.total is not None and b.total is not None and a.total.value == b.total.value:
        return True
    return a.rate is not None and b.rate is not None and a.rate.percent == b.rate.percent


def max_weight_assignment(weights: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Row-column pairs, each row and column used at most once, whose weights have the largest sum.

    ``weights`` is a rectangular matrix (rows × columns); ``min(rows, columns)``
    pairs come back, sorted by row. The Hungarian method with potentials
    (shortest augmenting paths), exact for any real weights.
    """
    if not weights or not weights[0]:
        return []
    transposed = len(weights) > len(weights[0])
    matrix = [list(col) for col in zip(*weights, strict=True)] if transposed else [list(row) for row in weights]
    n, m = len(matrix), len(matrix[0])  # n <= m: every row is assigned
    inf = float("inf")
    # 1-based, as the method is usually written: row/column 0 is the virtual start of every augmenting path.
    u = [0.0] * (n + 1)  # row potentials
    v = [0.0] * (m + 1)  # column potentials
    row_of = [0] * (m + 1)  # row_of[j]: the row assigned to column j (0: none)
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        row_of[0] = i
        j0 = 0
        min_slack = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = row_of[j0], inf, 0
            for j in range(1, m + 1):
                if used[j]:
                    continue
                slack = -matrix[i0 - 1][j - 1] - u[i0] - v[j]  # cost = -weight: maximise the weights
                if slack < min_slack[j]:
                    min_slack[j], way[j] = slack, j0
                if min_slack[j] < delta:
                    delta, j1 = min_slack[j], j
            for j in range(m + 1):
                if used[j]:
                    u[row_of[j]] += delta
                    v[j] -= delta
                else:
                    min_slack[j] -= delta
            j0 = j1
            if row_of[j0] == 0:
                break
        while j0:  # flip the augmenting path
            j1 = way[j0]
            row_of[j0] = row_of[j1]
            j0 = j1
    pairs = [(row_of[j] - 1, j - 1) for j in range(1, m + 1) if row_of[j]]
    return sorted((c, r) for r, c in pairs) if transposed else sorted(pairs)


def match_claims(gold: Sequence[Claim], predicted: Sequence[Claim]) -> list[tuple[int | None, int | None]]:
    """Pair gold and predicted claims by value; unpaired items come back as ``(i, None)`` / ``(None, j)``.

    The result lists every gold index once (in gold order, paired or not),
    then every unpaired predicted index.
    """
    pairs: dict[int, int] = {}
    if gold and predicted:
        sim = [[claim_similarity(g, p) for p in predicted] for g in gold]
        for i, j in max_weight_assignment(sim):
            if sim[i][j] >= MIN_SIMILARITY or (sim[i][j] > 0 and _anchored(gold[i], predicted[j])):
                pairs[i] = j
    used = set(pairs.values())
    result: list[tuple[int | None, int | None]] = [(i, pairs.get(i)) for i in range(len(gold))]
    result += [(None, j) for j in range(len(predicted)) if j not in used]
    return result
