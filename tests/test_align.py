"""The claim aligner's assignment (evaluation/align.py) against brute force on small matrices."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from extractor.evaluation.align import max_weight_assignment


def brute_force_best(weights: list[list[float]]) -> float:
    """The largest sum of a one-to-one assignment of min(rows, columns) pairs, by trying every one."""
    n, m = len(weights), len(weights[0])
    if n <= m:
        return max(sum(weights[i][j] for i, j in enumerate(cols)) for cols in itertools.permutations(range(m), n))
    return max(sum(weights[i][j] for j, i in enumerate(rows)) for rows in itertools.permutations(range(n), m))


def assert_optimal(weights: list[list[float]]) -> None:
    pairs = max_weight_assignment(weights)
    n, m = len(weights), len(weights[0])
    assert len(pairs) == min(n, m)
    assert len({i for i, _ in pairs}) == len(pairs) and len({j for _, j in pairs}) == len(pairs)
    assert all(0 <= i < n and 0 <= j < m for i, j in pairs)
    assert pairs == sorted(pairs)
    assert abs(sum(weights[i][j] for i, j in pairs) - brute_force_best(weights)) < 1e-9


def test_random_small_matrices_match_brute_force() -> None:
    rng = random.Random(20261204)
    for _ in range(300):
        n, m = rng.randint(1, 6), rng.randint(1, 6)
        # Similarities as the aligner sees them: many ties (0, 1, Dice fractions) and arbitrary reals.
        weights = [[rng.choice([0.0, 0.0, 0.25, 0.5, 1.0, rng.random()]) for _ in range(m)] for _ in range(n)]
        assert_optimal(weights)


@settings(max_examples=60)
@given(
    st.integers(1, 5).flatmap(
        lambda m: st.lists(
            st.lists(st.floats(-100, 100, allow_nan=False), min_size=m, max_size=m), min_size=1, max_size=5
        )
    )
)
def test_any_real_weights_match_brute_force(weights: list[list[float]]) -> None:
    assert_optimal(weights)


def test_edges() -> None:
    assert max_weight_assignment([]) == []
    assert max_weight_assignment([[]]) == []
    assert max_weight_assignment([[0.3]]) == [(0, 0)]
    # The greedy choice (row 0 takes its best, 0.9) loses: 0.8 + 0.8 beats 0.9 + 0.
    assert max_weight_assignment([[0.9, 0.8], [0.8, 0.0]]) == [(0, 1), (1, 0)]
    assert max_weight_assignment([[0.1], [0.7], [0.2]]) == [(1, 0)]
