"""The push list of a policy: enterprises ranked for one item or a whole document, and exports.

Export columns (Chinese header, English meaning): 排名 rank, 企业编号 enterprise id,
企业名称 name, 判断 verdict, 得分 score, 满足 met, 不满足 unmet, 待确认 unknown,
理由 reason, then one column per contact field found on the listed enterprises (联系人, 电话 ...).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from api.matching import VERDICT_ORDER
from api.schemas import PushList, PushRow
from policymatch.match.results import ConditionCheck, Match

BASE_COLUMNS = ("排名", "企业编号", "企业名称", "判断", "得分", "满足", "不满足", "待确认", "理由")
_STATUS_WORDS = (("unmet", "不满足"), ("unknown", "待确认"), ("met", "满足"))


def reason_line(checks: Sequence[ConditionCheck]) -> str:
    """One line a caller can read out: unmet first, then unknown, then met conditions."""
    parts = []
    for status, word in _STATUS_WORDS:
        # The rules may state one condition twice (document and item level); say it once.
        reasons = list(dict.fromkeys(c.reason or c.condition for c in checks if c.status == status))
        if reasons:
            parts.append(f"{word}：" + "；".join(reasons))
    return " | ".join(parts) or "无可核对条件，按相关度推荐"


def best_per_enterprise(matches: Iterable[Match]) -> list[Match]:
    """Keep each enterprise's best match (verdict first, then score), best first."""
    best: dict[str, Match] = {}
    for match in matches:
        current = best.get(match.enterprise_id)
        if current is None or _rank_key(match) < _rank_key(current):
            best[match.enterprise_id] = match
    return sorted(best.values(), key=_rank_key)


def _rank_key(match: Match) -> tuple[int, float]:
    return VERDICT_ORDER[match.verdict], -match.score


def build_push_list(
    policy_id: str, title: str, item_ids: list[str], matches: Iterable[Match], store: Any, k: int
) -> PushList:
    """Rows for the ``k`` best enterprises, with names and contacts from the store."""
    rows = []
    for rank, match in enumerate(best_per_enterprise(matches)[:k], start=1):
        profile = store.get_enterprise(match.enterprise_id)
        statuses = [c.status for c in match.checks]
        rows.append(
            PushRow(
                rank=rank,
                enterprise_id=match.enterprise_id,
                name=profile.name if profile is not None else "",
                verdict=match.verdict,
                score=round(match.score, 6),
                met=statuses.count("met"),
                unmet=statuses.count("unmet"),
                unknown=statuses.count("unknown"),
                reason=reason_line(match.checks),
                contact=dict(profile.contact) if profile is not None else {},
            )
        )
    return PushList(policy_id=policy_id, title=title, items=item_ids, rows=rows)


def _table(push: PushList) -> tuple[list[str], list[list[Any]]]:
    contact_keys = list(dict.fromkeys(key for row in push.rows for key in row.contact))
    header = [*BASE_COLUMNS, *contact_keys]
    body = [
        [
            row.rank,
            row.enterprise_id,
            row.name,
            row.verdict,
            row.score,
            row.met,
            row.unmet,
            row.unknown,
            row.reason,
            *(row.contact.get(key, "") for key in contact_keys),
        ]
        for row in push.rows
    ]
    return header, body


def to_csv(push: PushList) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly."""
    header, body = _table(push)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(push: PushList) -> bytes:
    """One sheet named 推送名单 with a bold, frozen header row and readable column widths."""
    header, body = _table(push)
    book = Workbook()
    sheet = book.active
    sheet.title = "推送名单"
    sheet.append(header)
    for row in body:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
    sheet.freeze_panes = "A2"
    widths = {"企业名称": 28, "理由": 60, "企业编号": 16}
    for index, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(name, 12)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
