"""Feedback as relevance labels (TREC qrels), so real outcomes become evaluation data.

Mapping (graded relevance, as ranx and trec_eval read it):

==============  =====  ==========================================
label           grade  meaning
==============  =====  ==========================================
granted         2      已获批: the enterprise got the support
applied         2      已申报: it was relevant enough to apply
useful          1      有用: worth knowing, not (yet) applied for
not_relevant    0      不相关: a wrong match
==============  =====  ==========================================

When one enterprise labels one item several times, the latest label counts (an enterprise
that applied and later was granted, or changed its mind).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

RELEVANCE: dict[str, int] = {"granted": 2, "applied": 2, "useful": 1, "not_relevant": 0}


def latest_labels(feedback: Iterable[Any]) -> dict[str, dict[str, int]]:
    """``{enterprise_id: {item_id: grade}}`` from feedback records in the order they were given.

    Args:
        feedback: Records with ``enterprise_id``, ``item_id`` and ``label``, oldest first.
    """
    qrels: dict[str, dict[str, int]] = {}
    for record in feedback:
        grade = RELEVANCE.get(record.label)
        if grade is None:  # a label written by another tool (evaluation imports), not ours
            continue
        qrels.setdefault(record.enterprise_id, {})[record.item_id] = grade
    return qrels


def to_trec(qrels: dict[str, dict[str, int]]) -> str:
    """TREC qrels lines ``query 0 doc grade``, sorted for stable output."""
    lines = [
        f"{query} 0 {doc} {grade}"
        for query in sorted(qrels)
        for doc, grade in sorted(qrels[query].items())
    ]
    return "\n".join(lines) + ("\n" if lines else "")
