"""中小企业划型标准规定 (工信部联企业〔2011〕300号): 大/中/小/微 from industry, headcount, money.

The 16 industry rows and their thresholds are ``data/sme_standard.json`` (built by
``scripts/build_reference.py``), each with the GB/T 4754-2017 codes it covers. The rules, as the
regulation words them:

* an enterprise is 中小微 when it is below the row's upper bound, which joins its fields with 或
  (工业: 从业人员1000人以下或营业收入40000万元以下); otherwise it is 大;
* 中型 needs every medium lower bound (且), 小型 every small lower bound (且);
* 微型 is what is left: below any small bound (或).

"以下" is strictly below, "及以上" at least. A missing field leaves the class undecided (None)
unless the fields that are present settle it: a factory of 15 人 is 微 whatever its revenue.

Example:
    >>> from policymatch.reference import sme
    >>> sme.size_class("3911", employees=300, revenue_wan=2000, assets_wan=None)
    '中'
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from policymatch.reference import industries
from policymatch.reference._files import DATA_DIR

logger = logging.getLogger(__name__)

SizeClass = Literal["大", "中", "小", "微"]
SizeField = Literal["employees", "revenue", "assets"]
FIELD_LABELS: dict[str, str] = {
    "employees": "从业人员",
    "revenue": "营业收入",
    "assets": "资产总额",
}
FIELD_UNITS: dict[str, str] = {"employees": "人", "revenue": "万元", "assets": "万元"}


@dataclass(frozen=True, slots=True, eq=False)
class SizeStandard:
    """One industry row of the standard.

    Attributes:
        industry: Row name as the regulation gives it, e.g. ``工业``.
        codes: GB/T 4754-2017 codes the row covers (empty for 其他未列明行业: the rest).
        sme_below: Upper bound of 中小微, joined by 或 (人 / 万元 by field).
        medium_at_least: Lower bounds of 中型, joined by 且.
        small_at_least: Lower bounds of 小型, joined by 且.
        rules: The regulation's wording: ``sme_upper``, ``medium``, ``small``, ``micro``.
    """

    seq: int
    industry: str
    codes: tuple[str, ...]
    sme_below: Mapping[str, float]
    medium_at_least: Mapping[str, float]
    small_at_least: Mapping[str, float]
    rules: Mapping[str, str]

    @property
    def fields(self) -> tuple[str, ...]:
        """Fields this row reads, in the order 从业人员, 营业收入, 资产总额."""
        used = {*self.sme_below, *self.medium_at_least, *self.small_at_least}
        return tuple(f for f in ("employees", "revenue", "assets") if f in used)


@dataclass(frozen=True, slots=True)
class SizeResult:
    """A size decision and what it rested on.

    Attributes:
        size_class: 大/中/小/微, or None when the given fields cannot settle it.
        standard: The row applied; None when the industry is outside the standard or unknown.
        missing: Fields the row needs that were not given (人 / 万元).
        reason: One Chinese line a person can check.
    """

    size_class: SizeClass | None
    standard: SizeStandard | None
    missing: tuple[str, ...]
    reason: str


def _all_at_least(bounds: Mapping[str, float], values: Mapping[str, float | None]) -> bool | None:
    """且 over ``value >= bound`` in three-valued logic (None = cannot tell)."""
    result: bool | None = True
    for field, bound in bounds.items():
        value = values.get(field)
        if value is None:
            result = None
        elif value < bound:
            return False
    return result


def _size_by(standard: SizeStandard, values: Mapping[str, float | None]) -> SizeClass | None:
    # Above the 或 upper bound means at least every bound, the same 且 test as the lower bounds.
    for size, bounds in (
        ("大", standard.sme_below),
        ("中", standard.medium_at_least),
        ("小", standard.small_at_least),
    ):
        decided = _all_at_least(bounds, values)
        if decided is None:
            return None
        if decided:
            return size  # type: ignore[return-value]
    return "微"


def _fmt(number: float) -> str:
    return f"{number:g}"


class SmeStandard:
    """The standard, with each GB/T 4754 code resolved to the rows it can fall under.

    Args:
        standards: The 16 rows; the one without codes catches what the others leave.
        excluded: Codes the standard does not cover (铁路运输业, 金融业 …).
        industry_table: GB/T 4754-2017, to enumerate the classes under a coarse code.
    """

    def __init__(
        self,
        standards: list[SizeStandard],
        excluded: list[str],
        industry_table: industries.IndustryTable,
    ) -> None:
        self.standards = tuple(standards)
        self.excluded = tuple(excluded)
        self._industries = industry_table
        scoped = {code: s for s in standards for code in s.codes}
        fallback = next(s for s in standards if not s.codes)
        rows_under: dict[str, dict[int, SizeStandard]] = {}
        for industry in industry_table:
            if industry.level != "class":
                continue
            chain = industry_table.ancestors(industry.code)
            row: SizeStandard | None = fallback
            for code in chain:  # the most specific scope or exclusion decides
                if code in scoped:
                    row = scoped[code]
                elif code in self.excluded:
                    row = None
            # a coarse code partly outside the standard is read by the rows that do cover it
            for code in chain:
                found = rows_under.setdefault(code, {})
                if row is not None:
                    found[row.seq] = row
        self._rows_under = {
            code: tuple(found[seq] for seq in sorted(found)) for code, found in rows_under.items()
        }

    @classmethod
    def load(cls, path: Path = DATA_DIR / "sme_standard.json") -> SmeStandard:
        """Read the packaged table."""
        raw = json.loads(path.read_text(encoding="utf-8"))
        standards = [
            SizeStandard(
                seq=row["seq"],
                industry=row["industry"],
                codes=tuple(row["codes"]),
                sme_below=row["sme_lt"],
                medium_at_least=row["medium_ge"],
                small_at_least=row["small_ge"],
                rules={k: row[f"{k}_rule"] for k in ("sme_upper", "medium", "small", "micro")},
            )
            for row in raw["rows"]
        ]
        return cls(standards, raw["excluded"], industries.default_table())

    def standards_for(self, industry_code: str | None) -> tuple[SizeStandard, ...]:
        """Rows an enterprise of this code may fall under (several for a coarse code like ``H``);
        empty when the code is unknown or outside the standard (铁路运输业, 金融业)."""
        code = industries.normalize_code(industry_code)
        return self._rows_under.get(code or "", ())

    def required_fields(self, industry_code: str | None) -> tuple[str, ...]:
        """Fields the applicable rows read (``employees``, ``revenue``, ``assets``)."""
        fields = {f for s in self.standards_for(industry_code) for f in s.fields}
        return tuple(f for f in ("employees", "revenue", "assets") if f in fields)

    def classify(
        self,
        industry_code: str | None,
        employees: float | None,
        revenue_wan: float | None,
        assets_wan: float | None,
    ) -> SizeResult:
        """Size class with the row used and a reason; see :func:`size_class`."""
        values = {"employees": employees, "revenue": revenue_wan, "assets": assets_wan}
        standards = self.standards_for(industry_code)
        if not standards:
            reason = (
                "缺少行业代码，无法划型"
                if not industry_code
                else f"行业{industry_code}不在中小企业划型标准适用范围内"
            )
            return SizeResult(None, None, (), reason)
        sizes = {_size_by(s, values) for s in standards}
        standard = standards[0]
        missing = tuple(f for f in self.required_fields(industry_code) if values[f] is None)
        if len(sizes) == 1 and None not in sizes:
            size = sizes.pop()
            given = "，".join(
                f"{FIELD_LABELS[f]}{_fmt(values[f])}{FIELD_UNITS[f]}"  # type: ignore[arg-type]
                for f in standard.fields
                if values[f] is not None
            )
            rows = "、".join(s.industry for s in standards)
            return SizeResult(size, standard, missing, f"按{rows}标准，{given}，属{size}型企业")
        if missing:
            labels = "、".join(FIELD_LABELS[f] for f in missing)
            return SizeResult(None, standard, missing, f"缺少{labels}数据，无法划型")
        rows = "、".join(s.industry for s in standards)
        return SizeResult(
            None, standard, missing, f"行业代码{industry_code}跨{rows}多个标准，无法划型"
        )

    def size_class(
        self,
        industry_code: str | None,
        employees: float | None,
        revenue_wan: float | None,
        assets_wan: float | None,
    ) -> SizeClass | None:
        """See the module function :func:`size_class`."""
        return self.classify(industry_code, employees, revenue_wan, assets_wan).size_class


@cache
def default_standard() -> SmeStandard:
    """The packaged standard, read once."""
    return SmeStandard.load()


def size_class(
    industry_code: str | None,
    employees: float | None,
    revenue_wan: float | None,
    assets_wan: float | None,
) -> SizeClass | None:
    """大/中/小/微 under 工信部联企业〔2011〕300号.

    Args:
        industry_code: GB/T 4754-2017 code (``"3911"``, ``"39"``, ``"C"``). A coarse code is
            decided only when every row under it gives the same answer.
        employees: 从业人员, 人.
        revenue_wan: 营业收入, 万元.
        assets_wan: 资产总额, 万元.

    Returns:
        The class, or None when the industry is unknown or outside the standard, or a field the
        rule needs is missing and the others do not settle it.
    """
    return default_standard().size_class(industry_code, employees, revenue_wan, assets_wan)


def classify(
    industry_code: str | None,
    employees: float | None,
    revenue_wan: float | None,
    assets_wan: float | None,
) -> SizeResult:
    """Like :func:`size_class`, with the row used, missing fields and a Chinese reason."""
    return default_standard().classify(industry_code, employees, revenue_wan, assets_wan)


def required_fields(industry_code: str | None) -> tuple[str, ...]:
    """Fields the standard reads for this industry: a subset of employees, revenue, assets."""
    return default_standard().required_fields(industry_code)


def standards_for(industry_code: str | None) -> tuple[SizeStandard, ...]:
    """See :meth:`SmeStandard.standards_for`."""
    return default_standard().standards_for(industry_code)
