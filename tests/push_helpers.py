"""Shared pieces of the push tests: synthetic member files and a keyword scorer.

The keyword scorer stands in for the index-backed scorer where a test is about the campaign's
streaming, top-N, resume and output (it needs no model): relevance is the share of an item's
keywords found in the enterprise's query text, the prefilter is the item's province, and
judging checks a revenue floor, so verdicts and scores vary as they do in real campaigns.
"""

from __future__ import annotations

import importlib.util
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from policymatch.match.batch import ChunkScores
from policymatch.match.batch_rules import RuleMasks
from policymatch.match.columns import Groups, ValueMemo, build_columns
from policymatch.match.results import ConditionCheck, Match
from policymatch.profile import normalize_profile
from policymatch.profile.models import EnterpriseProfile
from policymatch.push.models import CampaignOptions, PushEntry, Target
from policymatch.push.topn import SCORE_DECIMALS

SHARED_DATA = Path(
    os.environ.get(
        "POLICYMATCH_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)


@dataclass(frozen=True)
class KeywordItem:
    keywords: tuple[str, ...]
    province: str | None  # 2-digit 区划 prefix, None nationwide
    revenue_floor: float  # 万元


ITEMS: dict[str, KeywordItem] = {
    "tech#1": KeywordItem(("研发", "技术", "高新技术企业", "设备", "科技"), "37", 500.0),
    "tech#2": KeywordItem(("数字化", "上云", "软件", "信息"), None, 100.0),
    "jobs#0": KeywordItem(("招聘", "毕业生", "培训", "用工", "社保"), None, 0.0),
    "trade#0": KeywordItem(("境外", "展会", "外贸", "海外"), "33", 300.0),
}


@dataclass
class KeywordScorer:
    """A :class:`~policymatch.push.scoring.ChunkScorer` over :data:`ITEMS`."""

    items: dict[str, KeywordItem] = field(default_factory=lambda: dict(ITEMS))
    judged: int = 0

    def fingerprint(self) -> str:
        return json.dumps({k: v.__dict__ for k, v in self.items.items()}, sort_keys=True)

    def known_items(self, item_ids):
        return [i for i in item_ids if i in self.items]

    def score(self, profiles, item_ids) -> ChunkScores:
        relevance = np.zeros((len(profiles), len(item_ids)))
        possible = np.ones((len(profiles), len(item_ids)), dtype=bool)
        for r, profile in enumerate(profiles):
            text = profile.query_text()
            for j, item_id in enumerate(item_ids):
                item = self.items[item_id]
                relevance[r, j] = sum(k in text for k in item.keywords) / len(item.keywords)
                if item.province and profile.region_code:
                    possible[r, j] = profile.region_code.startswith(item.province)
        return ChunkScores(relevance, possible)

    def judge(self, item_id, profiles, relevance) -> list[Match]:
        self.judged += len(profiles)
        item = self.items[item_id]
        matches = []
        for profile, bound in zip(profiles, relevance, strict=True):
            condition = f"营业收入≥{item.revenue_floor:g}万元"
            if profile.revenue is None:
                status, verdict, penalty = "unknown", "可能符合", 0.1
            elif profile.revenue >= item.revenue_floor:
                status, verdict, penalty = "met", "推荐", 0.0
            else:
                status, verdict, penalty = "unmet", "不符合", 0.5
            check = ConditionCheck(
                condition=condition,
                kind="numeric",
                status=status,
                reason=f"营业收入{profile.revenue}万元"
                if profile.revenue is not None
                else "未填营业收入",
            )
            matches.append(
                Match(
                    item_id=item_id,
                    doc_id=item_id.split("#")[0],
                    enterprise_id=profile.id,
                    title=item_id,
                    score=float(bound) - penalty,
                    verdict=verdict,
                    checks=[check],
                )
            )
        return matches


def member_generator():
    """bench/synthetic_enterprises.py's MemberGenerator (bench/ is not an installed package).

    Skips the calling test when ../shared/data (the reference tables it samples) is absent.
    """
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data not present at {SHARED_DATA}")
    path = Path(__file__).resolve().parents[1] / "bench" / "synthetic_enterprises.py"
    spec = importlib.util.spec_from_file_location("bench_synthetic_enterprises", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MemberGenerator


def write_members(path: Path, rows: int, seed: int = 11, bad_rows: bool = True) -> Path:
    """Synthetic members (bench generator) as JSONL, with three bad rows when asked."""
    records = list(member_generator()(seed, SHARED_DATA).rows(rows))
    if bad_rows:
        records[5] = {**records[5], "id": ""}
        records[17] = {**records[17], "employees": "很多人"}
        records[29] = {**records[29], "region": "火星市奥林帕斯区"}
    with path.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def brute_force(
    path: Path, scorer: KeywordScorer, targets: list[Target], options: CampaignOptions
) -> dict[str, list[tuple[str, float, str]]]:
    """Judge every possible pair of every good record and keep each policy's best ``top``."""
    profiles: list[EnterpriseProfile] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        if not str(raw.get("id") or "").strip():
            continue
        try:
            profiles.append(normalize_profile(raw, as_of=options.as_of))
        except ValueError:
            continue
    out = {}
    for target in targets:
        scores = scorer.score(profiles, target.item_ids)
        best: dict[str, tuple[float, str, str]] = {}
        for j, item_id in enumerate(target.item_ids):
            rows = [r for r in range(len(profiles)) if scores.possible[r, j]]
            matches = scorer.judge(item_id, [profiles[r] for r in rows], scores.relevance[rows, j])
            for match in matches:
                score = round(match.score, SCORE_DECIMALS)
                if match.verdict not in options.verdicts:
                    continue
                if options.min_score is not None and score < options.min_score:
                    continue
                current = best.get(match.enterprise_id)
                if current is None or (-score, item_id) < (-current[0], current[2]):
                    best[match.enterprise_id] = (score, match.verdict, item_id)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))[: options.top]
        out[target.policy_id] = [(eid, score, verdict) for eid, (score, verdict, _) in ranked]
    return out


def as_triples(entries: list[PushEntry]) -> list[tuple[str, float, str]]:
    return [(e.enterprise_id, e.score, e.verdict) for e in entries]


def push_mask(card, firms: list[EnterpriseProfile], as_of) -> tuple[list[bool], RuleMasks]:
    """What the push masks (`RuleMasks.possible`) leave possible for ``firms``, one chunk."""
    n = len(firms)
    columns = build_columns(
        firms, [frozenset()] * n, np.zeros((n, 384), np.float32), np.zeros(n), np.ones(n)
    )
    memo = ValueMemo()
    masks = RuleMasks(as_of, memo)

    def group(name: str) -> Groups:
        inverse, values = columns.distinct(name)
        return Groups(inverse, values, memo.ids(name, values))

    possible = masks.possible(card, columns, group("region"), group("industry"), {})
    return possible.tolist(), masks
