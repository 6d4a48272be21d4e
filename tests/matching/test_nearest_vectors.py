"""Nearest stored vectors: the int8 prefilter of large matrices returns the same ids as the full product."""
from __future__ import annotations

import numpy as np
import pytest

from app.matching.embeddings import Vectors


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def _exact_nearest(ids, matrix, queries, k) -> set[int]:
    scores = matrix @ np.stack(queries, axis=1)
    return {int(ids[i]) for column in scores.T for i in np.argsort(-column)[:k]}


@pytest.mark.parametrize("spread", [1.0, 0.05])  # independent vectors; vectors sharing one direction, as e5's do
def test_the_int8_prefilter_finds_the_exact_nearest(monkeypatch, spread):
    monkeypatch.setattr("app.matching.embeddings.QUANTISE_FROM", 1000)
    rng = np.random.default_rng(5)
    shared = rng.standard_normal(64)
    matrix = _unit(shared + spread * rng.standard_normal((4000, 64)))
    ids = np.arange(100, 4100, dtype=np.int64)
    vectors = Vectors(1, ids, matrix)
    assert vectors._quantised is not None
    for _ in range(20):
        queries = list(_unit(matrix[rng.integers(0, 4000, 2)] + spread * rng.standard_normal((2, 64))))
        assert vectors.nearest(queries, 25) == _exact_nearest(ids, matrix, queries, 25)


def test_a_zero_row_and_tiny_matrices_are_handled(monkeypatch):
    monkeypatch.setattr("app.matching.embeddings.QUANTISE_FROM", 3)
    matrix = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)
    vectors = Vectors(1, np.array([1, 2, 3, 4]), matrix)
    assert vectors.nearest([np.array([1, 0, 0], dtype=np.float32)], 1) == {2}
    assert vectors.nearest([np.array([0, 0.6, 0.8], dtype=np.float32)], 10) == {1, 2, 3, 4}
