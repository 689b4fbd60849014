"""Build PolicyMatch's own compact reference tables from the facts in ../shared/data/reference.

Writes, under ``policymatch/reference/data/``:

* ``regions.tsv``: 区划 (统计用区划代码 2023, functional zones dropped): code, name, short_name,
  level (province/city/county), parent, flags.
* ``industries.tsv``: GB/T 4754-2017 codes: code, level (section/division/group/class), name,
  parent. Names only; the standard's explanatory notes are not copied.
* ``region_names_en.tsv``: code, name_en of provinces and prefecture-level cities as English
  texts write them (Shandong, Jinan; pinyin from pypinyin, the official exceptions below), for
  documents whose issuer comes in English (Jinan Municipal People's Government).
* ``sme_standard.json``: the 16 rows of 中小企业划型标准规定 (工信部联企业〔2011〕300号) with their
  thresholds (人, 万元) and the GB/T 4754-2017 codes each row covers.

Run: ``PYTHONPATH=. .venv/bin/python scripts/build_reference.py [--shared ../shared/data]``
(needs ``pip install pypinyin`` for the English names).
The hand-written tables (``qualifications.json``, ``industry_keywords.tsv``) are not touched.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
from pathlib import Path

logger = logging.getLogger("build_reference")

REPO = Path(__file__).resolve().parents[1]
OUT_DIR = REPO / "policymatch" / "reference" / "data"
DEFAULT_SHARED = Path(os.environ.get("POLICYMATCH_SHARED_DATA", REPO / ".." / "shared" / "data"))

# 计划单列市: cities whose budgets are planned separately from their province.
SEPARATELY_PLANNED = {"210200", "370200", "330200", "350200", "440300"}
MUNICIPALITIES = {"110000", "120000", "310000", "500000"}

# The 55 minority names as they appear inside autonomous-area names (some drop the 族).
ETHNIC_GROUPS = (
    "蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 "
    "东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 "
    "俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ETHNIC = "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True))
_AUTONOMOUS = re.compile(rf"(?:(?:{_ETHNIC})族?)*自治(?:区|州|县|旗)$")
# 旗 stays: 巴林左旗 would become 巴林左, which nobody writes.
_SUFFIXES = ("特别行政区", "新区", "地区", "特区", "省", "市", "区", "县", "盟")
_SHORT_OVERRIDES = {"神农架林区": "神农架"}

# English names that are not the plain pinyin of the short name (official or customary usage).
ENGLISH_NAMES = {
    "陕西": "Shaanxi",
    "内蒙古": "Inner Mongolia",
    "西藏": "Tibet",
    "香港": "Hong Kong",
    "澳门": "Macao",
    "呼和浩特": "Hohhot",
    "乌鲁木齐": "Urumqi",
    "拉萨": "Lhasa",
    "西安": "Xian",
}


# Which GB/T 4754-2017 codes each row of the 2011 standard covers. From the regulation's 第二条
# (工业 = 采矿业, 制造业, 电力、热力、燃气及水生产和供应业; 交通运输业 excludes 铁路运输业;
# 信息传输业 = 电信、互联网和相关服务) read against GB/T 4754-2017 as NBS's 2017 划分办法 does:
# 装卸搬运 (591) goes with 交通运输业, the rest of 59 is 仓储业.
SME_SCOPE: dict[str, list[str]] = {
    "农、林、牧、渔业": ["A"],
    "工业": ["B", "C", "D"],
    "建筑业": ["E"],
    "批发业": ["51"],
    "零售业": ["52"],
    "交通运输业": ["54", "55", "56", "57", "58", "591"],
    "仓储业": ["592", "593", "594", "595", "596", "599"],
    "邮政业": ["60"],
    "住宿业": ["61"],
    "餐饮业": ["62"],
    "信息传输业": ["63", "64"],
    "软件和信息技术服务业": ["65"],
    "房地产开发经营": ["7010"],
    "物业管理": ["7020"],
    "租赁和商务服务业": ["L"],
    "其他未列明行业": [],  # everything not covered above and not excluded below
}
# Outside the standard: 铁路运输业 (excluded by 第二条), 金融业 (its own standard, 银发〔2015〕309号),
# 自有房地产经营活动, 公共管理/社会组织, 国际组织.
SME_EXCLUDED = ["53", "J", "7040", "S", "T"]


def short_region_name(name: str, level: str) -> str:
    """济南市 -> 济南, 内蒙古自治区 -> 内蒙古, 延边朝鲜族自治州 -> 延边; keeps names that would shrink below 2 chars."""
    if name in _SHORT_OVERRIDES:
        return _SHORT_OVERRIDES[name]
    stripped = _AUTONOMOUS.sub("", name)
    if stripped != name:
        if len(stripped) >= 2:
            return stripped
        bare = re.sub(r"族?自治(?:区|州|县|旗)$", "", name)
        return bare if len(bare) >= 2 else name
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def build_regions(shared: Path) -> list[dict[str, str]]:
    """Rows of the 区划 table, province first, each with its parent code."""
    base = shared / "reference" / "admin_divisions" / "nbs_2023_modood"
    provinces = _read_csv(base / "provinces.csv")
    cities = _read_csv(base / "cities.csv")
    counties = _read_csv(base / "areas.csv")
    province_names = {p["code"]: p["name"] for p in provinces}
    rows: list[dict[str, str]] = []
    for p in provinces:
        code = p["code"] + "0000"
        flags = "直辖市" if code in MUNICIPALITIES else ""
        rows.append(
            dict(
                code=code,
                name=p["name"],
                short_name=short_region_name(p["name"], "province"),
                level="province",
                parent="",
                flags=flags,
            )
        )
    pseudo_cities: set[str] = set()
    city_codes: set[str] = set()
    for c in cities:
        code = c["code"] + "00"
        parent = c["provinceCode"] + "0000"
        if "直辖县级行政区划" in c["name"]:
            pseudo_cities.add(c["code"])  # its counties hang directly under the province
            continue
        name, flags = c["name"], ""
        if c["name"] in ("市辖区", "县"):
            # 直辖市: the city level of 北京/天津/上海/重庆 is a bookkeeping node named like the province.
            name, flags = province_names[c["provinceCode"]], "直辖市辖区"
        if code in SEPARATELY_PLANNED:
            flags = "计划单列市"
        city_codes.add(code)
        rows.append(
            dict(
                code=code,
                name=name,
                short_name=short_region_name(name, "city"),
                level="city",
                parent=parent,
                flags=flags,
            )
        )
    dropped = 0
    for a in counties:
        code = a["code"]
        if code[4] == "7":  # 统计用 functional zones (开发区, 高新区 ...) are not 区划
            dropped += 1
            continue
        if code in city_codes:  # 东莞市, 中山市, 儋州市 have no county level
            continue
        parent = (
            a["provinceCode"] + "0000" if a["cityCode"] in pseudo_cities else a["cityCode"] + "00"
        )
        rows.append(
            dict(
                code=code,
                name=a["name"],
                short_name=short_region_name(a["name"], "county"),
                level="county",
                parent=parent,
                flags="",
            )
        )
    logger.info("regions: %d rows, %d functional zones dropped", len(rows), dropped)
    return rows


def build_industries(shared: Path) -> list[dict[str, str]]:
    """Rows of the GB/T 4754-2017 table: code, level, name, parent."""
    levels = {"1": "section", "2": "division", "3": "group", "4": "class"}
    rows = []
    for r in _read_csv(shared / "reference" / "gbt4754_2017_industry_codes.csv"):
        level = levels[r["level"]]
        parent = {
            "section": "",
            "division": r["section"],
            "group": r["division"],
            "class": r["group"],
        }[level]
        rows.append(dict(code=r["code"], level=level, name=r["name"].strip(), parent=parent))
    logger.info("industries: %d rows", len(rows))
    return rows


def build_sme(shared: Path) -> list[dict[str, object]]:
    """The 16 rows of the SME size standard with thresholds and GB/T 4754 scope."""

    def number(text: str) -> float | None:
        return float(text) if text.strip() else None

    rows: list[dict[str, object]] = []
    for r in _read_csv(shared / "reference" / "sme_classification_2011_gxbl300.csv"):
        industry = r["industry"]
        if industry not in SME_SCOPE:
            raise ValueError(f"SME row {industry!r} has no GB/T 4754 scope in SME_SCOPE")
        thresholds = {}
        for bound in ("sme_lt", "medium_ge", "small_ge"):
            thresholds[bound] = {
                field: number(r[f"{field}_{bound}" + ("" if field == "employees" else "_wan")])
                for field in ("employees", "revenue", "assets")
            }
            thresholds[bound] = {k: v for k, v in thresholds[bound].items() if v is not None}
        rows.append(
            dict(
                seq=int(r["seq"]),
                industry=industry,
                codes=SME_SCOPE[industry],
                sme_upper_rule=r["sme_upper_rule"],
                medium_rule=r["medium_rule"],
                small_rule=r["small_rule"],
                micro_rule=r["micro_rule"],
                **thresholds,
            )
        )
    return rows


def build_region_names_en(regions: list[dict[str, str]]) -> list[dict[str, str]]:
    """English names of provinces and prefecture-level cities (the 直辖市' city nodes left out)."""
    from pypinyin import lazy_pinyin

    rows = []
    for region in regions:
        if region["level"] not in ("province", "city") or region["flags"] == "直辖市辖区":
            continue
        short = region["short_name"]
        english = ENGLISH_NAMES.get(short) or "".join(lazy_pinyin(short)).capitalize()
        rows.append(dict(code=region["code"], name_en=english))
    return rows


def _write_tsv(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=list(rows[0]), delimiter="\t", lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder"
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    regions = build_regions(args.shared)
    _write_tsv(args.out / "regions.tsv", regions)
    _write_tsv(args.out / "region_names_en.tsv", build_region_names_en(regions))
    _write_tsv(args.out / "industries.tsv", build_industries(args.shared))
    sme = {
        "source": "中小企业划型标准规定（工信部联企业〔2011〕300号）",
        "units": {"employees": "人", "revenue": "万元", "assets": "万元"},
        "excluded": SME_EXCLUDED,
        "rows": build_sme(args.shared),
    }
    (args.out / "sme_standard.json").write_text(
        json.dumps(sme, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    logger.info("wrote %s", args.out)


if __name__ == "__main__":
    main()
