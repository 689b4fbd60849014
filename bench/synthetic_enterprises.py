"""Realistic synthetic member databases for push benchmarks, built from the shared reference tables.

Regions come from the 统计用区划代码 county list, industries from GB/T 4754-2017 classes, names from
the companynameparser lexicons, size from the SME standard's bands; qualification rates are rough
shares seen in chamber-of-commerce member lists. Deterministic for a given seed.

    python -m bench.synthetic_enterprises --rows 100000 --out /tmp/members.jsonl
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import numpy as np

SHARED_DATA = Path(
    os.environ.get(
        "POLICYMATCH_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)

# Member databases lean to the provinces a chamber serves; the rest share the remainder.
PROVINCE_WEIGHTS = {
    "37": 0.30,
    "33": 0.15,
    "44": 0.15,
    "32": 0.12,
    "51": 0.06,
    "31": 0.06,
    "11": 0.04,
}
SECTION_WEIGHTS = {
    "C": 0.34,
    "F": 0.20,
    "I": 0.08,
    "L": 0.08,
    "M": 0.06,
    "E": 0.05,
    "H": 0.05,
    "A": 0.04,
    "G": 0.04,
    "K": 0.02,
    "R": 0.02,
    "O": 0.02,
}
SIZE_BANDS = {  # (share, employees range, revenue range 万元)
    "微": (0.60, (1, 19), (10, 300)),
    "小": (0.28, (20, 99), (300, 2000)),
    "中": (0.09, (100, 299), (2000, 40000)),
    "大": (0.03, (1000, 20000), (40000, 2000000)),
}
QUALIFICATION_RATES = {
    "高新技术企业": 0.10,
    "科技型中小企业": 0.12,
    "专精特新中小企业": 0.03,
    "专精特新小巨人": 0.005,
    "外贸企业": 0.08,
}
NEED_SENTENCES = [
    "扩大生产线需要设备贷款",
    "招聘应届高校毕业生",
    "申请研发费用补助",
    "推进数字化转型和上云",
    "参加境外展会开拓海外市场",
    "引进高层次技术人才",
    "降低厂房租金",
    "申报高新技术企业认定",
    "缓解流动资金周转压力",
    "节能降耗改造",
    "开展员工职业技能培训",
    "首台套装备推广应用",
    "拓展电商直播销售渠道",
    "申请贷款贴息",
    "稳定用工减轻社保负担",
]


def _city_short(region: str) -> str:
    """济南 from 山东省济南市历城区; 北京 from 北京市东城区."""
    match = re.match(r"^(?:.+?(?:省|自治区))?(.+?)(?:市|自治州|地区|盟)", region)
    return match.group(1) if match else region[:2]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


class MemberGenerator:
    """Draws member enterprises row by row; holds the reference tables it samples from."""

    def __init__(self, seed: int = 7, shared_data: Path = SHARED_DATA) -> None:
        self.rng = np.random.default_rng(seed)
        nbs = shared_data / "reference" / "admin_divisions" / "nbs_2023_modood"
        provinces = {r["code"]: r["name"] for r in _read_csv(nbs / "provinces.csv")}
        cities = {r["code"]: r["name"] for r in _read_csv(nbs / "cities.csv")}
        counties = _read_csv(nbs / "areas.csv")
        self.counties = [
            (
                r["code"],
                provinces[r["provinceCode"]]
                + ("" if cities[r["cityCode"]] == "市辖区" else cities[r["cityCode"]])
                + r["name"],
            )
            for r in counties
        ]
        weights = np.array([PROVINCE_WEIGHTS.get(code[:2], 0.0) for code, _ in self.counties])
        rest = weights == 0
        weights[rest] = (1 - sum(PROVINCE_WEIGHTS.values())) / rest.sum()
        # within a province each county weighs the same
        for prov, share in PROVINCE_WEIGHTS.items():
            mask = np.array([code[:2] == prov for code, _ in self.counties])
            weights[mask] = share / mask.sum()
        self.county_p = weights / weights.sum()

        classes = [
            r
            for r in _read_csv(shared_data / "reference" / "gbt4754_2017_industry_codes.csv")
            if r["level_name"] == "小类" and r["section"] in SECTION_WEIGHTS
        ]
        self.classes = classes
        cw = np.array([SECTION_WEIGHTS[r["section"]] for r in classes])
        section_sizes = {s: sum(r["section"] == s for r in classes) for s in SECTION_WEIGHTS}
        cw = cw / np.array([section_sizes[r["section"]] for r in classes])
        self.class_p = cw / cw.sum()

        lex = shared_data / "enterprises" / "companynameparser_lexicons"
        brands = (lex / "brand.txt").read_text(encoding="utf-8").split()
        self.brands = [b for b in brands if 2 <= len(b) <= 3][:50000]
        self.trades = (lex / "trade.txt").read_text(encoding="utf-8").split()
        self._trade_cache: dict[str, list[str]] = {}
        self.size_names = list(SIZE_BANDS)
        self.size_p = np.array([band[0] for band in SIZE_BANDS.values()])

    def _trade_for(self, industry: dict[str, str]) -> str:
        """A trade word that shares a two-character word with the industry name, so names read true."""
        name = industry["name"]
        if name not in self._trade_cache:
            bigrams = {name[i : i + 2] for i in range(len(name) - 1)}
            fitting = [t for t in self.trades if any(b in t for b in bigrams)]
            self._trade_cache[name] = fitting or [re.sub("(制造|服务|经营)$", "", name)]
        options = self._trade_cache[name]
        return options[int(self.rng.integers(len(options)))]

    def rows(self, n: int, start: int = 0) -> Iterator[dict]:
        rng = self.rng
        county_idx = rng.choice(len(self.counties), size=n, p=self.county_p)
        class_idx = rng.choice(len(self.classes), size=n, p=self.class_p)
        size_idx = rng.choice(len(self.size_names), size=n, p=self.size_p)
        for i in range(n):
            code, region = self.counties[county_idx[i]]
            industry = self.classes[class_idx[i]]
            size = self.size_names[size_idx[i]]
            _, (e_lo, e_hi), (r_lo, r_hi) = SIZE_BANDS[size]
            employees = int(rng.integers(e_lo, e_hi + 1))
            revenue = round(float(np.exp(rng.uniform(np.log(r_lo), np.log(r_hi)))), 1)
            founded = dt.date(2026, 1, 1) - dt.timedelta(days=int(rng.integers(100, 365 * 30)))
            tech = industry["section"] in {"C", "I", "M"}
            quals = [
                q
                for q, rate in QUALIFICATION_RATES.items()
                if rng.random() < rate * (1.8 if tech and q != "外贸企业" else 0.5)
            ]
            if industry["section"] == "C" and revenue >= 2000:
                quals.append("规上工业企业")
            needs = list(rng.choice(NEED_SENTENCES, size=int(rng.integers(1, 4)), replace=False))
            brand = self.brands[int(rng.integers(len(self.brands)))]
            trade = self._trade_for(industry)
            city = _city_short(region)
            yield {
                "id": f"m{start + i:07d}",
                "name": f"{city}{brand}{trade}有限公司",
                "region": region,
                "region_code_hint": code,
                "industry": industry["name"],
                "industry_code": industry["class_"],
                "scope": f"{industry['name']}；{trade}的研发、生产与销售",
                "description": f"主营{trade}，{size}型企业",
                "employees": employees,
                "revenue": revenue,
                "total_assets": round(revenue * float(rng.uniform(0.5, 2.0)), 1),
                "founded": founded.isoformat(),
                "qualifications": quals,
                "needs": needs,
                "contact": {
                    "联系电话": f"0{int(rng.integers(100, 999))}-{int(rng.integers(10**7, 10**8))}"
                },
            }


# What a member's query text is made of (EnterpriseProfile.query_text), with the figures that
# go with the size written in the description.
TEXT_FIELDS = (
    "industry",
    "industry_code",
    "scope",
    "description",
    "employees",
    "revenue",
    "total_assets",
    "qualifications",
    "needs",
)


def repeat_texts(rows: Iterator[dict], distinct_texts: int | None) -> Iterator[dict]:
    """Members whose query texts cycle through the first ``distinct_texts`` members' texts.

    Member ``i`` keeps its own id, name, region, founding day and contact, and takes the
    :data:`TEXT_FIELDS` of member ``i % distinct_texts``. A warm-campaign benchmark over many
    members then needs the e5 embedder only for ``distinct_texts`` of them (every member is
    still a distinct record with its own profile, rules and list entry).
    """
    first: list[dict] = []
    for i, row in enumerate(rows):
        if distinct_texts is None or i < distinct_texts:
            if distinct_texts is not None:
                first.append({k: row[k] for k in TEXT_FIELDS})
            yield row
        else:
            yield {**row, **first[i % distinct_texts]}


def write_members(
    path: Path,
    rows: int,
    seed: int = 7,
    chunk: int = 50_000,
    distinct_texts: int | None = None,
) -> Path:
    """Write ``rows`` synthetic members to ``path`` (.jsonl, .csv or .parquet), chunk by chunk.

    ``distinct_texts``: see :func:`repeat_texts` (None: every member its own text).
    """
    gen = MemberGenerator(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    members = repeat_texts(
        (
            row
            for start in range(0, rows, chunk)
            for row in gen.rows(min(chunk, rows - start), start)
        ),
        distinct_texts,
    )
    if path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        writer = None
        for start in range(0, rows, chunk):
            batch = list(islice(members, min(chunk, rows - start)))
            table = pa.Table.from_pylist(batch)  # contact becomes a struct column
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
        if writer:
            writer.close()
        return path
    with path.open("w", encoding="utf-8", newline="") as f:
        if path.suffix == ".csv":
            fields = [
                "id",
                "name",
                "region",
                "industry",
                "industry_code",
                "scope",
                "description",
                "employees",
                "revenue",
                "total_assets",
                "founded",
                "qualifications",
                "needs",
            ]
            writer = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
            writer.writeheader()
            for row in members:
                row["qualifications"] = ";".join(row["qualifications"])
                row["needs"] = ";".join(row["needs"])
                writer.writerow(row)
        else:
            for row in members:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--distinct-texts",
        type=int,
        default=None,
        help="members' query texts cycle through this many (see repeat_texts)",
    )
    args = parser.parse_args()
    write_members(args.out, args.rows, args.seed, distinct_texts=args.distinct_texts)
    print(f"wrote {args.rows} members to {args.out}")


if __name__ == "__main__":
    main()
