"""The learned ranker: monotone gradient-boosted trees over pair features with a linear first
stage, both stored as one JSON file and scored with numpy (no pickle is ever loaded).

Pointwise: each (enterprise, item) pair is one example, relevant when its grade is at least 1,
grade-2 pairs weighing more.

- :class:`LinearRanker`, a sign-constrained logistic regression over standardised features:
  the first stage, an additive score the matcher orders candidates by and a push campaign
  bounds (``coef * (value - mean) / scale`` per feature);
- :class:`TreeRanker`, scikit-learn's ``HistGradientBoostingClassifier`` with each feature
  held to its :data:`SIGNS` direction, copied into arrays: it re-ranks the judged pairs. Its
  reasons are exact too (path attribution: a pair's contributions sum to its score minus an
  average pair's).

Training and cross-validation by enterprise (:func:`cross_validate`) compare both with the
hand-weighted score; ``policymatch ranker train`` drives them.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from policymatch.errors import InputError
from policymatch.match.features import FEATURE_NAMES

logger = logging.getLogger(__name__)

MODEL_FORMAT = "policymatch-linear-ranker/1"
TREES_FORMAT = "policymatch-tree-ranker/1"
# Grade-2 pairs (eligible, push it) count this many times a grade-1 or a negative pair.
GRADE2_WEIGHT = 3.0
DEFAULT_C = 1.0
SHIPPED_MODEL = "data/ranker.json"
# The direction each feature may push a score, from what a policy translator knows (+1 may only
# lift, -1 may only sink, 0 free). Fitting within these signs keeps a small labelled set from
# learning that serving the firm's first need hurts because a correlated feature already paid
# for it; such flips would not carry over to another corpus. A nationwide item is never better
# for being nationwide (with same/contained >= 0 it ranks below a local one, all else equal): left
# free, the fit learned "national = relevant" from the sample corpus, whose national items are
# broad tax and R&D breaks, and on real documents (State Council plans) that put 国务院 notices on
# top: trained without them, nDCG@10 on the dev set's 44 real documents fell from 0.83 to 0.57.
SIGNS: dict[str, int] = {
    **dict.fromkeys(
        (
            "relevance",
            "dense",
            "bm25",
            "dense_needs",
            "dense_description",
            "dense_scope",
            "dense_views_max",
            "dense_need_best",
            "region_same",
            "region_contained",
            "beneficiary_fit",
            "beneficiary_met",
            "qualification_fit",
            "qualification_required",
            "industry_fit",
            "need_fit",
            "need_count",
            "need_primary",
            "met",
            "is_support_measure",
            "amount_log",
        ),
        1,
    ),
    **dict.fromkeys(
        (
            "region_national",
            "region_outside",
            "region_unknown",
            "unmet_hard",
            "unmet_soft",
            "unknown",
            "unknown_share",
            "award_held",
            "need_other",
            "expired",
        ),
        -1,
    ),
}


class LinearRanker:
    """``score = sum(coef * (x - mean) / scale) + intercept`` over named features.

    Args:
        names: Feature of each coefficient.
        means: Training mean per feature.
        scales: Training standard deviation per feature (a constant feature has scale 1).
        coefficients: Logistic-regression coefficient per standardised feature.
        intercept: Added to every score (does not change an order).
        meta: What it was trained on and its cross-validated figures (kept in the file).
    """

    name = "learned-linear"

    def __init__(
        self,
        names: Sequence[str],
        means: Sequence[float],
        scales: Sequence[float],
        coefficients: Sequence[float],
        intercept: float = 0.0,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.names = tuple(names)
        self.means = np.asarray(means, dtype=np.float64)
        self.scales = np.asarray(scales, dtype=np.float64)
        self.coefficients = np.asarray(coefficients, dtype=np.float64)
        self.intercept = float(intercept)
        self.meta = dict(meta or {})
        sizes = {len(self.names), len(self.means), len(self.scales), len(self.coefficients)}
        if len(sizes) != 1:
            raise ValueError("names, means, scales and coefficients differ in length")
        if np.any(self.scales <= 0):
            raise ValueError("scales must be positive")

    def score(self, features: np.ndarray, names: Sequence[str] = FEATURE_NAMES) -> np.ndarray:
        """Score pairs; see :meth:`policymatch.match.ranking.Ranker.score`.

        A feature the model knows but ``names`` lacks counts at its training mean (no effect).
        """
        matrix = np.asarray(features, dtype=np.float64).reshape(-1, len(names))
        column = {name: i for i, name in enumerate(names)}
        out = np.full(matrix.shape[0], self.intercept)
        for j, name in enumerate(self.names):
            i = column.get(name)
            if i is not None and self.coefficients[j]:
                out += self.coefficients[j] * (matrix[:, i] - self.means[j]) / self.scales[j]
        return out

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        """Each feature's share of one pair's score against an average pair (non-zero only)."""
        shares = {}
        for j, name in enumerate(self.names):
            value = (
                self.coefficients[j] * (features.get(name, 0.0) - self.means[j]) / self.scales[j]
            )
            if abs(value) > 1e-9:
                shares[name] = float(value)
        return shares

    def standardised_weights(self) -> dict[str, float]:
        """Coefficient per feature (on the standardised scale), the largest effect first."""
        order = np.argsort(-np.abs(self.coefficients), kind="stable")
        return {self.names[j]: float(self.coefficients[j]) for j in order}

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "features": list(self.names),
            "means": [float(v) for v in self.means],
            "scales": [float(v) for v in self.scales],
            "coefficients": [float(v) for v in self.coefficients],
            "intercept": self.intercept,
            "meta": self.meta,
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as indented JSON (UTF-8)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        return path

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], source: str = "<dict>") -> LinearRanker:
        """Read :meth:`to_dict` output.

        Raises:
            InputError: Another format, a missing or malformed field (naming ``source``).
        """
        if raw.get("format") != MODEL_FORMAT:
            raise InputError(
                f"not a linear ranker model (format {raw.get('format')!r}, want {MODEL_FORMAT})",
                source=source,
                field="format",
            )
        try:
            return cls(
                raw["features"],
                raw["means"],
                raw["scales"],
                raw["coefficients"],
                raw.get("intercept", 0.0),
                raw.get("meta"),
            )
        except KeyError as exc:
            raise InputError(f"missing {exc.args[0]}", source=source, field=exc.args[0]) from exc
        except (TypeError, ValueError) as exc:
            raise InputError(f"malformed model: {exc}", source=source) from exc


class TreeRanker:
    """Gradient-boosted trees (scikit-learn's ``HistGradientBoostingClassifier``), stored as
    JSON arrays and scored with numpy, with a linear first stage.

    ``score = base + sum over trees of the leaf a pair reaches`` (log-odds, like the linear
    model). Trained with each feature held to its :data:`SIGNS` direction (monotonic
    constraints), so more of a good feature never lowers a score.

    Reasons are exact: each split on a pair's path credits its feature with the change of the
    expected score from the node to the child taken (path attribution), so the contributions
    sum to the pair's score minus the score of an average pair.

    The first stage is a :class:`LinearRanker` fitted on the same pairs: an additive score is
    what the matcher's candidate order and a push campaign's score bounds need (see
    :func:`first_stage`).

    Args:
        names: Feature names the trees index.
        trees: Per tree, equal-length lists ``feature`` (-1 at a leaf), ``threshold`` (go left
            when the value is at most it), ``left``, ``right`` (indices in the tree, after the
            node's own) and ``value`` (a leaf's output; at an inner node the mean of its
            leaves weighted by the training pairs reaching each).
        base: Added to every score (scikit-learn's baseline log-odds).
        first_stage: The linear model fitted alongside.
        meta: What it was trained on (kept in the file).
    """

    name = "learned-trees"

    def __init__(
        self,
        names: Sequence[str],
        trees: Sequence[Mapping[str, Sequence[float]]],
        base: float,
        first_stage: LinearRanker,
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        self.names = tuple(names)
        self.base = float(base)
        self.first_stage = first_stage
        self.meta = dict(meta or {})
        self.trees = [
            {key: list(tree[key]) for key in ("feature", "threshold", "left", "right", "value")}
            for tree in trees
        ]
        offsets = np.cumsum([0] + [len(t["feature"]) for t in self.trees])
        self._roots = offsets[:-1]
        feature = np.concatenate([np.asarray(t["feature"], dtype=np.int64) for t in self.trees])
        self._threshold = np.concatenate([np.asarray(t["threshold"], float) for t in self.trees])
        shift = np.repeat(offsets[:-1], [len(t["feature"]) for t in self.trees])
        self._left = np.concatenate([np.asarray(t["left"], np.int64) for t in self.trees]) + shift
        self._right = np.concatenate([np.asarray(t["right"], np.int64) for t in self.trees]) + shift
        self._value = np.concatenate([np.asarray(t["value"], float) for t in self.trees])
        if np.any(feature >= len(self.names)):
            raise ValueError("a tree splits on a feature the model does not name")
        for number, tree in enumerate(self.trees):
            size = len(tree["feature"])
            if any(len(tree[key]) != size for key in ("threshold", "left", "right", "value")):
                raise ValueError(f"tree {number}: its arrays differ in length")
            for node, split in enumerate(tree["feature"]):
                children = (tree["left"][node], tree["right"][node])
                if split >= 0 and not all(node < child < size for child in children):
                    raise ValueError(f"tree {number}, node {node}: a child must follow it")
        self._is_leaf = feature < 0
        self._expected = self.base + float(self._value[self._roots].sum())
        # a leaf points at itself and splits on nothing, so a walk needs no leaf test: after
        # as many steps as the deepest leaf is deep, every (row, tree) rests on its leaf
        self._depth = 0
        depth = np.zeros(len(feature), dtype=np.int64)
        for node in np.flatnonzero(~self._is_leaf):  # a child always follows its parent
            depth[[self._left[node], self._right[node]]] = depth[node] + 1
            self._depth = max(self._depth, int(depth[node]) + 1)
        leaves = np.flatnonzero(self._is_leaf)
        self._left[leaves] = self._right[leaves] = leaves
        self._feature = np.where(self._is_leaf, 0, feature)
        self._threshold[leaves] = np.inf

    def used_features(self) -> set[str]:
        """Features some split reads (the others cannot change a score)."""
        return {self.names[i] for i in set(self._feature[~self._is_leaf].tolist())}

    def _walk(self, matrix: np.ndarray, contributions: np.ndarray | None = None) -> np.ndarray:
        """Leaf node of every (row, tree); adds path credits to ``contributions`` when given."""
        n_rows, n_features = matrix.shape
        nodes = np.broadcast_to(self._roots, (n_rows, len(self._roots))).copy()
        offsets = (np.arange(n_rows) * n_features)[:, None]
        flat = matrix.ravel()
        for _ in range(self._depth):
            feature = self._feature[nodes]
            go_left = flat[offsets + feature] <= self._threshold[nodes]
            child = np.where(go_left, self._left[nodes], self._right[nodes])
            if contributions is not None:  # a leaf's own step credits nothing
                np.add.at(
                    contributions.ravel(),
                    offsets + feature,
                    self._value[child] - self._value[nodes],
                )
            nodes = child
        return nodes

    def _matrix(self, features: np.ndarray, names: Sequence[str]) -> np.ndarray:
        matrix = np.asarray(features, dtype=np.float64).reshape(-1, len(names))
        if tuple(names) == self.names:
            return matrix
        column = {name: i for i, name in enumerate(names)}
        missing = [n for n in self.used_features() if n not in column]
        if missing:
            raise ValueError(f"the trees read features the pairs lack: {sorted(missing)}")
        out = np.zeros((matrix.shape[0], len(self.names)))
        for j, name in enumerate(self.names):
            if name in column:
                out[:, j] = matrix[:, column[name]]
        return out

    def score(self, features: np.ndarray, names: Sequence[str] = FEATURE_NAMES) -> np.ndarray:
        """Score pairs; see :meth:`policymatch.match.ranking.Ranker.score`."""
        matrix = self._matrix(features, names)
        return self.base + self._value[self._walk(matrix)].sum(axis=1)

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        """Each feature's exact share of one pair's score against an average pair (non-zero)."""
        row = np.array([[features.get(n, 0.0) for n in self.names]])
        shares = np.zeros((1, len(self.names)))
        self._walk(row, shares)
        return {n: float(v) for n, v in zip(self.names, shares[0], strict=True) if abs(v) > 1e-9}

    def expected_score(self) -> float:
        """The score of an average training pair: :meth:`score` minus the contributions' sum."""
        return self._expected

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": TREES_FORMAT,
            "features": list(self.names),
            "base": self.base,
            "trees": [
                {
                    "feature": [int(v) for v in t["feature"]],
                    "threshold": [float(v) for v in t["threshold"]],
                    "left": [int(v) for v in t["left"]],
                    "right": [int(v) for v in t["right"]],
                    "value": [round(float(v), 9) for v in t["value"]],
                }
                for t in self.trees
            ],
            "first_stage": self.first_stage.to_dict(),
            "meta": self.meta,
        }

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON (UTF-8), one tree per line."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = self.to_dict()
        trees = raw.pop("trees")
        head = json.dumps(raw, ensure_ascii=False, indent=1)
        lines = ",\n".join("  " + json.dumps(t, separators=(",", ":")) for t in trees)
        path.write_text(head[:-2] + ',\n "trees": [\n' + lines + "\n ]\n}\n", encoding="utf-8")
        return path

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any], source: str = "<dict>") -> TreeRanker:
        """Read :meth:`to_dict` output.

        Raises:
            InputError: A missing or malformed field (naming ``source``).
        """
        try:
            return cls(
                raw["features"],
                raw["trees"],
                raw["base"],
                LinearRanker.from_dict(raw["first_stage"], source=f"{source} first_stage"),
                raw.get("meta"),
            )
        except KeyError as exc:
            raise InputError(f"missing {exc.args[0]}", source=source, field=exc.args[0]) from exc
        except (TypeError, ValueError, IndexError) as exc:
            raise InputError(f"malformed model: {exc}", source=source) from exc

    @classmethod
    def from_sklearn(
        cls,
        model: Any,
        names: Sequence[str],
        first_stage: LinearRanker,
        meta: Mapping[str, Any] | None = None,
    ) -> TreeRanker:
        """Copy a fitted binary ``HistGradientBoostingClassifier`` (numeric features only)."""
        trees = []
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            value = nodes["value"].astype(np.float64).copy()
            weight = nodes["count"].astype(np.float64)
            for i in reversed(range(len(nodes))):  # children follow their parent
                if not leaf[i]:
                    left, right = int(nodes["left"][i]), int(nodes["right"][i])
                    total = weight[left] + weight[right]
                    value[i] = (weight[left] * value[left] + weight[right] * value[right]) / total
            trees.append(
                {
                    "feature": np.where(leaf, -1, nodes["feature_idx"]).tolist(),
                    "threshold": np.where(leaf, 0.0, nodes["num_threshold"]).tolist(),
                    "left": np.where(leaf, 0, nodes["left"]).tolist(),
                    "right": np.where(leaf, 0, nodes["right"]).tolist(),
                    "value": value.tolist(),
                }
            )
        base = float(np.ravel(model._baseline_prediction)[0])
        return cls(names, trees, base, first_stage, meta)


def first_stage(ranker: Any) -> Any:
    """The additive model that orders candidates and bounds push scores: a tree model's
    linear first stage, or the ranker itself."""
    return getattr(ranker, "first_stage", ranker)


Model = LinearRanker | TreeRanker


def load_ranker(path: str | Path) -> Model:
    """Load a model file written by :meth:`LinearRanker.save` or :meth:`TreeRanker.save`.

    Raises:
        InputError: The file is missing, not JSON, or not a model (naming the file).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("ranker model file not found", source=str(path))
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(f"not a JSON model file: {exc}", source=str(path), line=line) from exc
    return model_from_dict(raw, source=str(path))


def model_from_dict(raw: Any, source: str = "<dict>") -> Model:
    """A linear or tree model from its JSON object, told apart by ``format``.

    Raises:
        InputError: Not a model object (naming ``source``).
    """
    if not isinstance(raw, dict):
        raise InputError("expected a JSON object", source=source)
    if raw.get("format") == TREES_FORMAT:
        return TreeRanker.from_dict(raw, source=source)
    return LinearRanker.from_dict(raw, source=source)


def shipped_ranker() -> Model | None:
    """The model packaged in ``policymatch/match/data/ranker.json``; None when absent."""
    packaged = resources.files("policymatch.match").joinpath(SHIPPED_MODEL)
    if not packaged.is_file():
        return None
    raw = json.loads(packaged.read_text(encoding="utf-8"))
    return model_from_dict(raw, source=str(packaged))


def linear_weights(ranker: Any) -> tuple[dict[str, float], float]:
    """(raw weight per feature of :data:`FEATURE_NAMES`, constant) with
    ``score = sum(weight * value) + constant``.

    The hand-weighted score is linear as it stands; a learned
    :class:`~policymatch.match.learned.LinearRanker` is linear in the standardised features,
    ``coef * (x - mean) / scale``, so its raw weight is ``coef / scale`` and the means move into
    the constant.

    Raises:
        TypeError: The ranker is not linear, or weighs a feature outside :data:`FEATURE_NAMES`.
    """
    if isinstance(ranker, LinearRanker):
        weight = dict.fromkeys(FEATURE_NAMES, 0.0)
        constant = ranker.intercept
        for name, coef, mean, scale in zip(
            ranker.names, ranker.coefficients, ranker.means, ranker.scales, strict=True
        ):
            if name not in weight:
                if coef:
                    raise TypeError(f"the ranker weighs an unknown feature {name!r}")
                continue
            weight[name] = float(coef / scale)
            constant -= float(coef * mean / scale)
        return weight, float(constant)
    if hasattr(ranker, "weights"):
        return {n: float(ranker.weights.get(n, 0.0)) for n in FEATURE_NAMES}, 0.0
    raise TypeError("this needs a linear ranker with per-feature weights")


# ---------------------------------------------------------------------------- training
@dataclass
class PairTable:
    """Labelled pairs to train and evaluate on.

    Attributes:
        names: Feature of each column.
        features: ``(n_pairs, n_features)`` float64.
        queries: ``(n_pairs,)`` enterprise id of each pair.
        records: ``(n_pairs,)`` the labelled unit (policy record) each item belongs to; a
            record scores the best of its items.
        grades: ``(n_pairs,)`` int, 0 for unjudged pairs (pooling: unjudged is not relevant).
        judged: ``(n_pairs,)`` bool, whether a person graded the pair.
        qrels: ``{enterprise_id: {record_id: grade}}`` for the ideal ranking.
    """

    names: tuple[str, ...]
    features: np.ndarray
    queries: np.ndarray
    records: np.ndarray
    grades: np.ndarray
    judged: np.ndarray
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)

    def subset(self, mask: np.ndarray) -> PairTable:
        kept = set(self.queries[mask])
        return PairTable(
            self.names,
            self.features[mask],
            self.queries[mask],
            self.records[mask],
            self.grades[mask],
            self.judged[mask],
            {q: labels for q, labels in self.qrels.items() if q in kept},
        )

    def for_queries(self, queries: set[str]) -> PairTable:
        table = self.subset(np.isin(self.queries, list(queries)))
        table.qrels = {q: labels for q, labels in self.qrels.items() if q in queries}
        return table

    def for_documents(self, documents: set[str]) -> PairTable:
        """The pairs (and labels) of the records of ``documents`` (see :func:`document_of`)."""
        in_documents = np.array([document_of(r) in documents for r in self.records], dtype=bool)
        table = self.subset(in_documents)
        table.qrels = {
            q: {r: g for r, g in labels.items() if document_of(r) in documents}
            for q, labels in table.qrels.items()
        }
        return table

    def columns(self, names: Sequence[str]) -> np.ndarray:
        index = {n: i for i, n in enumerate(self.names)}
        return self.features[:, [index[n] for n in names]]


def training_sample(table: PairTable, negatives_per_query: int = 40, seed: int = 0) -> np.ndarray:
    """Mask of the pairs to fit on: every judged pair plus a seeded sample of unjudged ones."""
    rng = np.random.default_rng(seed)
    mask = table.judged.copy()
    for query in sorted(set(table.queries)):
        unjudged = np.flatnonzero((table.queries == query) & ~table.judged)
        if len(unjudged) > negatives_per_query:
            unjudged = rng.choice(unjudged, negatives_per_query, replace=False)
        mask[unjudged] = True
    return mask


def transferable_pairs(table: PairTable) -> np.ndarray:
    """Mask of the pairs whose record's grade holds for the item itself.

    A record graded 0 (or unjudged, by the pooling convention) has no item that serves the firm,
    so each of its items is a negative. A relevant record says only that at least one of its
    items serves the firm, not which, so its items count only when it has a single eligible item
    for that enterprise. On an item-level set (one item per record) every pair is kept; on a
    document-level set the positives of multi-item documents are left out.
    """
    keys = list(zip(table.queries, table.records, strict=True))
    counts = Counter(keys)
    return np.array(
        [grade < 1 or counts[key] == 1 for grade, key in zip(table.grades, keys, strict=True)],
        dtype=bool,
    )


@dataclass
class _TrainingPairs:
    """The pairs a model fits on, stacked, and per source set (main first) how many it gave."""

    features: np.ndarray
    grades: np.ndarray
    weights: np.ndarray  # grade-2 pairs weigh GRADE2_WEIGHT more, an extra set's its weight
    sources: list[dict[str, Any]]  # {"pairs", "relevant", "weight"}


def _training_pairs(
    table: PairTable,
    names: Sequence[str],
    negatives_per_query: int,
    seed: int,
    extra: Sequence[tuple[PairTable, float]],
) -> _TrainingPairs:
    """``table``'s judged pairs plus sampled unjudged ones, and the same of each ``extra`` set
    cut to :func:`transferable_pairs` at its weight.

    Raises:
        ValueError: No relevant or no irrelevant pair, or an extra weight is not positive.
    """
    mask = training_sample(table, negatives_per_query, seed)
    blocks = [(table.columns(names)[mask], table.grades[mask], 1.0)]
    for other, weight in extra:
        if not weight > 0:
            raise ValueError(f"an extra set's weight must be positive, not {weight}")
        kept = training_sample(other, negatives_per_query, seed) & transferable_pairs(other)
        blocks.append((other.columns(names)[kept], other.grades[kept], float(weight)))
    grades = np.concatenate([block[1] for block in blocks])
    if (grades >= 1).all() or (grades < 1).all():
        raise ValueError("training needs both relevant (grade >= 1) and irrelevant pairs")
    return _TrainingPairs(
        features=np.vstack([block[0] for block in blocks]),
        grades=grades,
        weights=np.concatenate(
            [np.where(block[1] >= 2, GRADE2_WEIGHT, 1.0) * block[2] for block in blocks]
        ),
        sources=[
            {"pairs": len(g), "relevant": int((g >= 1).sum()), "weight": w} for _, g, w in blocks
        ],
    )


def fit_linear(
    table: PairTable,
    names: Sequence[str] = FEATURE_NAMES,
    *,
    c: float = DEFAULT_C,
    negatives_per_query: int = 40,
    seed: int = 0,
    signed: bool = True,
    extra: Sequence[tuple[PairTable, float]] = (),
    meta: Mapping[str, Any] | None = None,
) -> LinearRanker:
    """Fit the logistic regression on ``table`` (judged pairs + sampled unjudged negatives).

    Args:
        table: Pairs with grades.
        names: Features to use (ablation drops some).
        c: Inverse L2 strength of scikit-learn's ``LogisticRegression``.
        negatives_per_query: Unjudged pairs sampled per enterprise as negatives.
        seed: Sampling seed; same table and seed, same model.
        signed: Keep each coefficient to its :data:`SIGNS` direction (False: unconstrained).
        extra: ``(table, weight)`` of other labelled sets fitted alongside, sampled the same way
            and cut to :func:`transferable_pairs`; each of their pairs weighs ``weight`` times a
            pair of ``table`` (e.g. the document-level dev set's negatives at 0.1).
        meta: Stored in the model file.

    Raises:
        ValueError: The pairs have no relevant or no irrelevant one, or an extra weight is not
            positive.
    """
    pairs = _training_pairs(table, names, negatives_per_query, seed, extra)
    return _fit_linear_on(pairs, names, c, signed, negatives_per_query, meta)


def _fit_linear_on(
    pairs: _TrainingPairs,
    names: Sequence[str],
    c: float,
    signed: bool,
    negatives_per_query: int,
    meta: Mapping[str, Any] | None,
) -> LinearRanker:
    x = pairs.features
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales < 1e-9] = 1.0
    signs = [SIGNS.get(n, 0) for n in names] if signed else [0] * len(names)
    coefficients, intercept = _signed_logistic(
        (x - means) / scales, (pairs.grades >= 1).astype(int), pairs.weights, c, signs
    )
    main, *extra = pairs.sources
    info = {
        "pairs": main["pairs"],
        "relevant": main["relevant"],
        "c": c,
        "signed": signed,
        "negatives_per_query": negatives_per_query,
        **({"extra": extra} if extra else {}),
        **(meta or {}),
    }
    return LinearRanker(names, means, scales, coefficients, intercept, info)


# Settings of the trees, chosen by 5-fold cross-validation by enterprise on the tune splits of
# both labelled sets (2026-11-24; 31 leaves x 100 and 7 x 200 within 0.005 of it).
TREE_PARAMS: dict[str, Any] = {
    "max_iter": 150,
    "learning_rate": 0.05,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 20,
    "l2_regularization": 1.0,
    "early_stopping": False,
}


def fit_trees(
    table: PairTable,
    names: Sequence[str] = FEATURE_NAMES,
    *,
    c: float = DEFAULT_C,
    negatives_per_query: int = 40,
    seed: int = 0,
    extra: Sequence[tuple[PairTable, float]] = (),
    meta: Mapping[str, Any] | None = None,
) -> TreeRanker:
    """Fit monotone gradient-boosted trees on the sample :func:`fit_linear` fits on (same
    weights, same ``extra`` sets), and the linear first stage with ``c``.

    Raises:
        ValueError: As :func:`fit_linear`.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    pairs = _training_pairs(table, names, negatives_per_query, seed, extra)
    linear = _fit_linear_on(pairs, names, c, True, negatives_per_query, None)
    model = HistGradientBoostingClassifier(
        **TREE_PARAMS,
        monotonic_cst=[SIGNS.get(n, 0) for n in names],
        random_state=seed,
    )
    grades = pairs.grades
    model.fit(pairs.features, (grades >= 1).astype(int), sample_weight=pairs.weights)
    info = {"pairs": len(grades), "relevant": int((grades >= 1).sum()), **TREE_PARAMS}
    return TreeRanker.from_sklearn(model, names, linear, {**info, **(meta or {})})


def _signed_logistic(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray, c: float, signs: Sequence[int]
) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression (scikit-learn's objective: ``C * sum(w * logloss) +
    |coef|^2 / 2``) with each coefficient kept to its sign (L-BFGS-B bounds; intercept free)."""
    from scipy.optimize import minimize
    from scipy.special import expit, log_expit

    n_features = x.shape[1]
    design = np.hstack([x, np.ones((x.shape[0], 1))])
    target = 2.0 * y - 1.0

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        margin = target * (design @ theta)
        loss = -c * float(weights @ log_expit(margin)) + 0.5 * float(theta[:-1] @ theta[:-1])
        gradient = -c * design.T @ (weights * target * expit(-margin))
        gradient[:-1] += theta[:-1]
        return loss, gradient

    bounds = [
        (0.0, None) if sign > 0 else (None, 0.0) if sign < 0 else (None, None) for sign in signs
    ] + [(None, None)]
    result = minimize(
        objective,
        np.zeros(n_features + 1),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 5000},
    )
    if not result.success:
        logger.warning("ranker fit did not converge: %s", result.message)
    return result.x[:-1].copy(), float(result.x[-1])


# --------------------------------------------------------------------------- scoring
def record_rankings(table: PairTable, scores: np.ndarray) -> dict[str, list[str]]:
    """Records per enterprise, best first; a record scores its best item (ties: record id)."""
    best: dict[str, dict[str, float]] = {}
    for query, record, score in zip(table.queries, table.records, scores, strict=True):
        current = best.setdefault(query, {})
        if record not in current or score > current[record]:
            current[record] = float(score)
    return {
        q: [r for r, _ in sorted(rs.items(), key=lambda kv: (-kv[1], kv[0]))]
        for q, rs in best.items()
    }


def ndcg_at(ranking: Sequence[str], labels: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains (grade 2 worth twice grade 1), as ranx computes it."""
    gains = [labels.get(r, 0) for r in ranking[:k]]
    dcg = sum(g / np.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((g for g in labels.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / np.log2(i + 2) for i, g in enumerate(ideal))
    return float(dcg / idcg) if idcg else 0.0


def precision_at(ranking: Sequence[str], labels: Mapping[str, int], k: int = 5) -> float:
    """Share of the first ``k`` records graded at least 1."""
    return sum(1 for r in ranking[:k] if labels.get(r, 0) >= 1) / k


def evaluate_scores(table: PairTable, scores: np.ndarray) -> dict[str, float]:
    """Mean nDCG@10 and P@5 over the enterprises with a relevant record in ``table.qrels``."""
    rankings = record_rankings(table, scores)
    judged = [q for q, labels in table.qrels.items() if any(g >= 1 for g in labels.values())]
    if not judged:
        return {"ndcg@10": 0.0, "precision@5": 0.0, "queries": 0}
    return {
        "ndcg@10": float(np.mean([ndcg_at(rankings.get(q, []), table.qrels[q]) for q in judged])),
        "precision@5": float(
            np.mean([precision_at(rankings.get(q, []), table.qrels[q]) for q in judged])
        ),
        "queries": len(judged),
    }


Fitter = Callable[[PairTable], Any]
_CV_METRICS = ("ndcg@10", "precision@5")


def document_of(record_id: str) -> str:
    """The document a record comes from: item records are named ``DOC#N``, so the items of one
    document stay on one side of a record split (siblings share wording and conditions)."""
    return record_id.split("#", 1)[0]


def document_halves(table: PairTable, seed: int = 0) -> tuple[set[str], set[str]]:
    """The table's documents in two seeded random halves."""
    documents = np.array(sorted({document_of(r) for r in table.records}))
    order = np.random.default_rng(seed).permutation(documents)
    return set(order[::2]), set(order[1::2])


def cross_validate(
    table: PairTable, fit: Fitter, folds: int = 5, *, new_documents: bool = False
) -> dict[str, float]:
    """Out-of-fold figures: enterprises split into ``folds`` groups (GroupKFold), each group
    scored by a model fitted on the others; metrics over all enterprises' held-out rankings.

    With ``new_documents`` the documents are halved as well: each fold's model trains on one
    half and ranks only the other, so the figure is for enterprises *and* policies it never saw,
    as on a new corpus (a model that learns which items are often relevant scores well by
    enterprise alone). The two halves' figures are averaged, weighted by their enterprises; they
    are NaN when a fold's half holds no relevant (or no irrelevant) pair to fit on.

    Raises:
        ValueError: ``fit``'s, when a fold by enterprise alone cannot be fitted.
    """
    from sklearn.model_selection import GroupKFold

    queries = np.array(sorted(set(table.queries)))
    splitter = GroupKFold(n_splits=max(2, min(folds, len(queries))))
    if new_documents:
        first, second = document_halves(table)
        sides = [(first, second), (second, first)]
    else:
        sides = [(None, None)]
    results = []
    for train_documents, test_documents in sides:
        ranked = table if test_documents is None else table.for_documents(test_documents)
        scores = np.zeros(len(ranked.grades))
        for train_q, test_q in splitter.split(queries, groups=queries):
            train = table.for_queries(set(queries[train_q]))
            if train_documents is not None:
                train = train.for_documents(train_documents)
            test_mask = np.isin(ranked.queries, queries[test_q])
            try:
                model = fit(train)
            except ValueError:
                if not new_documents:
                    raise
                return {**dict.fromkeys(_CV_METRICS, float("nan")), "queries": 0}
            scores[test_mask] = model.score(ranked.features[test_mask], ranked.names)
        results.append(evaluate_scores(ranked, scores))
    weights = [r["queries"] for r in results]
    if not sum(weights):
        return results[0]
    return {
        **{m: float(np.average([r[m] for r in results], weights=weights)) for m in _CV_METRICS},
        "queries": int(sum(weights)),
    }
