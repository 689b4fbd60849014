"""The pair table a retrain fits on is the same whichever ranker is installed: rows come in item
order, so the negatives sampled by position (and with them the model) do not change when the
shipped model does."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from policymatch.evaluation.ablation import collect_pairs
from policymatch.evaluation.devset import load_builtin_dataset
from policymatch.match.learned import fit_trees
from policymatch.settings import Settings

pytestmark = pytest.mark.slow


def test_pair_table_and_retrain_do_not_depend_on_the_installed_ranker(tmp_path):
    full = load_builtin_dataset("items")
    few = {p.id for p in full.profiles[:8]}
    dataset = dataclasses.replace(
        full,
        profiles=[p for p in full.profiles if p.id in few],
        qrels={q: labels for q, labels in full.qrels.items() if q in few},
    )
    tables = []
    for ranker in ("hand", None):  # the hand weights, then the shipped trees
        settings = Settings(data_dir=tmp_path, ranker=ranker)
        tables.append(collect_pairs(dataset, settings))
        for cached in (settings.cache_dir / "pairs").glob("*.npz"):
            cached.unlink()  # the cache key leaves the ranker out: build the table again
    by_hand, by_trees = tables
    assert len(by_hand.queries) > 100 and by_hand.judged.any()
    assert list(by_hand.queries) == list(by_trees.queries)
    assert list(by_hand.records) == list(by_trees.records)
    assert np.array_equal(by_hand.features, by_trees.features)
    first, second = (fit_trees(t, negatives_per_query=10) for t in tables)
    assert np.array_equal(first.score(by_hand.features), second.score(by_hand.features))
