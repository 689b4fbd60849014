"""Ranked runs over policy records: item -> record aggregation, transposition, TREC files.

A run is ``{query_id: [Hit, ...]}`` best first. Matching ranks support items; evaluation ranks the
records the labels name, so a record scores the max over its items and keeps that best item to
explain itself. Ties are broken by id so the same inputs always give the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from policymatch.match.results import Match, MatchResults


@dataclass(frozen=True)
class Hit:
    """One ranked record (or enterprise, in the push direction) with its score.

    ``item_id`` is the record's best-scoring item, kept to explain the hit; ``match`` is the
    matcher's full result for that item when there is one.
    """

    id: str
    score: float
    item_id: str | None = None
    match: Match | None = None


Run = dict[str, list[Hit]]
"""``{query_id: [Hit, ...]}``, best first."""


def order_hits(hits: Iterable[Hit]) -> list[Hit]:
    """Sort best first: score descending, then id ascending so ties are deterministic."""
    return sorted(hits, key=lambda hit: (-hit.score, hit.id))


def aggregate_to_records(
    results: Iterable[MatchResults], item_to_record: Mapping[str, str], k: int | None = None
) -> Run:
    """Collapse ranked items into ranked records.

    Args:
        results: The matcher's ranked items per enterprise.
        item_to_record: ``{item_id: record_id}``; an item not in it falls back to its ``doc_id``
            when that is a record id (``item_to_record`` values), and is dropped otherwise.
        k: Keep at most this many records per query (all when None).

    Returns:
        ``{enterprise_id: [Hit(record_id, max item score, best item), ...]}`` best first.
    """
    record_ids = set(item_to_record.values())
    run: Run = {}
    for result in results:
        best: dict[str, Hit] = {}
        for match in result.matches:
            record_id = item_to_record.get(match.item_id)
            if record_id is None and match.doc_id in record_ids:
                record_id = match.doc_id
            if record_id is None:
                continue
            score = float(match.score)
            current = best.get(record_id)
            # Among equal item scores the smaller item id explains the record, for determinism.
            if (
                current is None
                or score > current.score
                or (score == current.score and match.item_id < (current.item_id or ""))
            ):
                best[record_id] = Hit(record_id, score, match.item_id, match)
        ordered = order_hits(best.values())
        run[result.query_id] = ordered if k is None else ordered[:k]
    return run


def transpose(run: Run, k: int | None = None) -> Run:
    """Rank the queries for each document: ``{record_id: [Hit(enterprise_id, score), ...]}``.

    Scores are reused as they are: the push direction is the same pair scores read by column.
    """
    columns: dict[str, list[Hit]] = {}
    for query_id, hits in run.items():
        for hit in hits:
            columns.setdefault(hit.id, []).append(Hit(query_id, hit.score, hit.item_id, hit.match))
    return {
        doc_id: (order_hits(hits) if k is None else order_hits(hits)[:k])
        for doc_id, hits in sorted(columns.items())
    }


def ranx_dict(run: Run) -> dict[str, dict[str, float]]:
    """The run in ranx's shape with rank-derived scores.

    ranx re-sorts by score and breaks ties its own way; giving ``n - position`` fixes the exact
    order this module chose (score, then id), so metrics match the TREC files and the report.
    """
    return {
        query_id: {hit.id: float(len(hits) - position) for position, hit in enumerate(hits)}
        for query_id, hits in run.items()
    }


def write_trec_run(run: Run, path: Path, name: str) -> None:
    """Write ``query_id Q0 doc_id rank score name`` lines, queries sorted, ranks from 1."""
    lines = [
        f"{query_id} Q0 {hit.id} {rank} {hit.score:.6f} {name}"
        for query_id in sorted(run)
        for rank, hit in enumerate(run[query_id], start=1)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
