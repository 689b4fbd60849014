"""Enterprise profiles as columns: what batch scoring reads, without a profile object per row.

A push campaign scores every enterprise of a chunk against every item, but reads only a few
profile attributes to do so: the 区划 and industry codes, the qualifications and size class,
the need categories, a handful of numbers and the query vector. :class:`ProfileColumns` holds
exactly those for a chunk: categorical attributes as integer codes into a list of values (as
Arrow dictionary arrays do), numbers as float64 with NaN for unknown, vectors as one float32
matrix. The profile cache stores them per record, so a warm campaign gathers a chunk's columns
with numpy and builds full :class:`~policymatch.profile.models.EnterpriseProfile` s only for the
few pairs judged in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from policymatch.profile.models import EnterpriseProfile

# Categorical attributes the vectorised features and rule masks group by.
CATEGORICALS: tuple[str, ...] = ("region", "industry", "kinds", "qualifications", "needs")
# The numeric profile fields a hard threshold can name (the int and float fields of
# EnterpriseProfile); ``founded`` is kept as a day number so ages follow the scorer's as-of day.
NUMERIC_FIELDS: tuple[str, ...] = ("employees", "revenue", "total_assets", "rd_ratio", "age_years")
_FOUNDED = "founded"


def industry_key(code: str | None, business: Sequence[str]) -> str:
    """One string for a registered industry code and the codes the scope names, for grouping
    profiles that every industry rule judges alike (``"6520|6513,6519"``)."""
    return f"{code or ''}|{','.join(business)}"


def split_industry_key(key: str) -> tuple[str | None, list[str]]:
    """The inverse of :func:`industry_key`."""
    code, _, business = key.partition("|")
    return code or None, [c for c in business.split(",") if c]


def categorical_values(profile: EnterpriseProfile, needs: frozenset[str]) -> dict[str, Hashable]:
    """The value of each of :data:`CATEGORICALS` for one profile (``needs`` already matched).

    ``kinds`` is what beneficiary kinds depend on (qualifications as a set, size class);
    ``qualifications`` keeps order and repeats, as the qualification share counts them.
    """
    return {
        "region": profile.region_code,
        "industry": industry_key(profile.industry_code, profile.business_industry_codes),
        "kinds": (tuple(sorted(profile.qualifications)), profile.size_class),
        "qualifications": tuple(profile.qualifications),
        "needs": tuple(sorted(needs)),
    }


@dataclass(frozen=True)
class Attributes:
    """The profile attributes the per-value feature functions read, and nothing else.

    Stands in for an :class:`EnterpriseProfile` (building one with pydantic costs ~1000x more)
    when a feature such as ``region_relation`` is computed once per distinct value.
    """

    region_code: str | None = None
    industry_code: str | None = None
    business_industry_codes: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    size_class: str | None = None


def representative(name: str, value: Hashable) -> Attributes:
    """Attributes holding only ``value`` of categorical ``name``, for the per-value feature
    functions (region relation, industry fit ...) that read nothing else."""
    if name == "region":
        return Attributes(region_code=value)  # type: ignore[arg-type]
    if name == "industry":
        code, business = split_industry_key(value)  # type: ignore[arg-type]
        return Attributes(industry_code=code, business_industry_codes=tuple(business))
    if name == "kinds":
        qualifications, size = value  # type: ignore[misc]
        return Attributes(qualifications=qualifications, size_class=size)
    if name == "qualifications":
        return Attributes(qualifications=value)  # type: ignore[arg-type]
    raise KeyError(name)


@dataclass
class ProfileColumns:
    """A chunk of enterprises in columns.

    Attributes:
        ids: ``(n,)`` enterprise ids (object array of str).
        codes: Per categorical name, ``(n,)`` int64 codes into ``values[name]``.
        values: Per categorical name, the value of each code (a list or a mapping by code).
        numbers: Per name of :data:`NUMERIC_FIELDS` and ``founded`` (proleptic day number),
            ``(n,)`` float64, NaN where unknown.
        vectors: ``(n, dim)`` float32 query vectors.
        low: ``(n,)`` float64, each enterprise's lowest cosine to any indexed item.
        high: ``(n,)`` float64, the highest (with ``low``, the min-max scaling of relevance).
    """

    ids: np.ndarray
    codes: dict[str, np.ndarray]
    values: dict[str, Sequence[Hashable] | dict[int, Hashable]]
    numbers: dict[str, np.ndarray]
    vectors: np.ndarray
    low: np.ndarray
    high: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def distinct(self, name: str) -> tuple[np.ndarray, list[Hashable]]:
        """(row -> group number ``(n,)``, the value of each group) of categorical ``name``."""
        groups, inverse = np.unique(self.codes[name], return_inverse=True)
        values = self.values[name]
        return inverse.reshape(-1), [values[int(code)] for code in groups]

    def numeric(self, field: str, as_of: dt.date) -> np.ndarray:
        """``(n,)`` float64 values of ``field`` as the threshold rules read them, NaN unknown.

        ``age_years`` is counted from ``founded`` to ``as_of`` (never negative) where the founding
        day is known, else the stated age; a field profiles hold no number for is all NaN.
        """
        if field == "age_years":
            founded = self.numbers[_FOUNDED]
            days = as_of.toordinal() - founded
            from_founding = np.maximum(0.0, days / 365.25)
            return np.where(np.isnan(founded), self.numbers["age_years"], from_founding)
        if field in NUMERIC_FIELDS:
            return self.numbers[field]
        return np.full(len(self), np.nan)  # a field profiles hold no number for: unknown

    def take(self, rows: np.ndarray) -> ProfileColumns:
        """The columns of ``rows`` (an index array), sharing the value lists."""
        return ProfileColumns(
            ids=self.ids[rows],
            codes={name: codes[rows] for name, codes in self.codes.items()},
            values=self.values,
            numbers={name: values[rows] for name, values in self.numbers.items()},
            vectors=self.vectors[rows],
            low=self.low[rows],
            high=self.high[rows],
        )


def numeric_values(profile: EnterpriseProfile) -> dict[str, float]:
    """:data:`NUMERIC_FIELDS` and ``founded`` of one profile, NaN where unknown."""
    out = {}
    for name in NUMERIC_FIELDS:
        value = getattr(profile, name)
        out[name] = float(value) if isinstance(value, int | float) else np.nan
    out[_FOUNDED] = float(profile.founded.toordinal()) if profile.founded else np.nan
    return out


NUMBER_COLUMNS: tuple[str, ...] = (*NUMERIC_FIELDS, _FOUNDED)


def build_columns(
    profiles: Sequence[EnterpriseProfile],
    needs: Sequence[frozenset[str]],
    vectors: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
) -> ProfileColumns:
    """Columns of ``profiles`` with chunk-local codes (the slow path, for records not cached).

    Args:
        profiles: Normalised profiles.
        needs: Need categories of each profile.
        vectors: ``(n, dim)`` float32 query vectors.
        low: ``(n,)`` lowest cosine of each profile to the indexed items.
        high: ``(n,)`` highest cosine.
    """
    codes: dict[str, list[int]] = {name: [] for name in CATEGORICALS}
    values: dict[str, list[Hashable]] = {name: [] for name in CATEGORICALS}
    lookup: dict[str, dict[Hashable, int]] = {name: {} for name in CATEGORICALS}
    numbers: dict[str, list[float]] = {name: [] for name in NUMBER_COLUMNS}
    for profile, profile_needs in zip(profiles, needs, strict=True):
        for name, value in categorical_values(profile, profile_needs).items():
            code = lookup[name].get(value)
            if code is None:
                code = lookup[name][value] = len(values[name])
                values[name].append(value)
            codes[name].append(code)
        for name, number in numeric_values(profile).items():
            numbers[name].append(number)
    return ProfileColumns(
        ids=np.array([p.id for p in profiles], dtype=object),
        codes={name: np.array(c, dtype=np.int64) for name, c in codes.items()},
        values=dict(values),
        numbers={name: np.array(v, dtype=np.float64) for name, v in numbers.items()},
        vectors=np.asarray(vectors, dtype=np.float32).reshape(len(profiles), -1),
        low=np.asarray(low, dtype=np.float64),
        high=np.asarray(high, dtype=np.float64),
    )


class Groups(NamedTuple):
    """The distinct values of one categorical in a chunk.

    Attributes:
        inverse: ``(n,)`` row -> group number.
        values: The value of each group.
        ids: ``(n_groups,)`` each value's id in the :class:`ValueMemo` (stable across chunks).
    """

    inverse: np.ndarray
    values: list[Hashable]
    ids: np.ndarray


class ValueMemo:
    """Functions of one attribute value (a feature, a rule's decision), kept across chunks.

    Each distinct value of a categorical gets an id the first time a chunk holds it; results
    live in one float64 array per (name, scope) indexed by id, so a chunk's values are one
    numpy gather and only values never seen before are computed.
    """

    def __init__(self) -> None:
        self._ids: dict[str, dict[Hashable, int]] = {}
        self._tables: dict[Hashable, np.ndarray] = {}

    def ids(self, name: str, values: Sequence[Hashable]) -> np.ndarray:
        """``(len(values),)`` int64 ids of ``values`` of categorical ``name``."""
        known = self._ids.setdefault(name, {})
        return np.array([known.setdefault(v, len(known)) for v in values], dtype=np.int64)

    def lookup(self, key: Hashable, groups: Groups, compute: Callable[[Any], float]) -> np.ndarray:
        """``(len(groups.values),)`` float64: ``compute(value)`` per group, memoised by ``key``."""
        table = self._tables.get(key)
        size = int(groups.ids.max()) + 1 if len(groups.ids) else 0
        if table is None or len(table) < size:
            grown = np.full(max(size, 2 * len(table) if table is not None else 64), np.nan)
            if table is not None:
                grown[: len(table)] = table
            table = self._tables[key] = grown
        values = table[groups.ids]
        for g in np.flatnonzero(np.isnan(values)).tolist():
            values[g] = table[groups.ids[g]] = float(compute(groups.values[g]))
        return values
