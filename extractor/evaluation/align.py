"""Align the items of two claim lists by their numbers before scoring them.

Claims carry free-text names that two readers word differently, but the
numbers are what a claim asserts, so items are paired by how many numbers
they share (a weighted Dice overlap of tagged numbers) with an optimal
one-to-one assignment. Order in either list does not matter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

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


def match_claims(gold: Sequence[Claim], predicted: Sequence[Claim]) -> list[tuple[int | None, int | None]]:
    """Pair gold and predicted claims by value; unpaired items come back as ``(i, None)`` / ``(None, j)``.

    The result lists every gold index once (in gold order, paired or not),
    then every unpaired predicted index.
    """
    pairs: dict[int, int] = {}
    if gold and predicted:
        sim = np.array([[claim_similarity(g, p) for p in predicted] for g in gold])
        from scipy.optimize import linear_sum_assignment  # here: scipy costs half a second to import

        rows, cols = linear_sum_assignment(sim, maximize=True)
        for i, j in zip(rows.tolist(), cols.tolist()):
            if sim[i, j] >= MIN_SIMILARITY or (sim[i, j] > 0 and _anchored(gold[i], predicted[j])):
                pairs[i] = j
    used = set(pairs.values())
    result: list[tuple[int | None, int | None]] = [(i, pairs.get(i)) for i in range(len(gold))]
    result += [(None, j) for j in range(len(predicted)) if j not in used]
    return result
