"""Campaign output: an XLSX with one sheet per policy, or a folder of CSVs; summary.json beside it.

Columns (Chinese header, meaning): 排名 rank, 企业编号 enterprise id, 企业名称 name, 判断 verdict,
得分 score, 满足条件 met, 不满足条件 unmet, 待确认条件 unknown, 推荐理由 the one-line reason,
政策条目 item id (the item that ranked the enterprise), then one column per contact field found on
that policy's list (联系人, 联系电话 ...).

For ``--out lists.xlsx`` the side files are ``lists.summary.json``, ``lists.errors.csv`` and
``lists.checkpoint.json``; for ``--out folder/`` they are ``summary.json``, ``errors.csv`` and
``.checkpoint.json`` inside it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from policymatch.push.checkpoint import Counters
from policymatch.push.models import CampaignOptions, PushEntry, Target

BASE_COLUMNS = (
    "排名",
    "企业编号",
    "企业名称",
    "判断",
    "得分",
    "满足条件",
    "不满足条件",
    "待确认条件",
    "推荐理由",
    "政策条目",
)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_FILE_FORBIDDEN = re.compile(r"[^\w.\-#\u4e00-\u9fff]+")
_SHEET_MAX = 31


@dataclass(frozen=True)
class CampaignOutput:
    """Where a campaign writes: the lists, the summary, the errors and the checkpoint."""

    lists: Path
    summary: Path
    errors: Path
    checkpoint: Path

    @property
    def is_xlsx(self) -> bool:
        return self.lists.suffix.lower() == ".xlsx"

    @classmethod
    def for_path(cls, out: Path) -> CampaignOutput:
        out = Path(out)
        if out.suffix.lower() == ".xlsx":
            stem = out.with_suffix("")
            return cls(
                lists=out,
                summary=Path(f"{stem}.summary.json"),
                errors=Path(f"{stem}.errors.csv"),
                checkpoint=Path(f"{stem}.checkpoint.json"),
            )
        return cls(
            lists=out,
            summary=out / "summary.json",
            errors=out / "errors.csv",
            checkpoint=out / ".checkpoint.json",
        )


# Contact keys profile normalisation uses, as a chamber's staff read them.
CONTACT_LABELS = {"name": "联系人", "phone": "联系电话", "email": "电子邮箱"}


def table(entries: Sequence[PushEntry]) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of one policy's list; contact columns in order of first appearance."""
    contact_keys = list(dict.fromkeys(k for e in entries for k in e.contact))
    header = [*BASE_COLUMNS, *(CONTACT_LABELS.get(k, k) for k in contact_keys)]
    rows = []
    for rank, entry in enumerate(entries, start=1):
        by_status = {"met": [], "unmet": [], "unknown": []}
        for check in entry.checks:
            by_status[check.status].append(check.condition)
        rows.append(
            [
                rank,
                entry.enterprise_id,
                entry.name,
                entry.verdict,
                entry.score,
                "；".join(by_status["met"]),
                "；".join(by_status["unmet"]),
                "；".join(by_status["unknown"]),
                entry.reason,
                entry.item_id,
                *(entry.contact.get(k, "") for k in contact_keys),
            ]
        )
    return header, rows


def write_outputs(
    output: CampaignOutput,
    targets: Sequence[Target],
    lists: dict[str, list[PushEntry]],
    counters: Counters,
    options: CampaignOptions,
    error_rows: int,
) -> None:
    """Write the lists (XLSX or CSV folder) and summary.json."""
    if output.is_xlsx:
        write_xlsx(output.lists, targets, lists)
    else:
        write_csv_dir(output.lists, targets, lists)
    summary = build_summary(targets, lists, counters, options, error_rows)
    output.summary.parent.mkdir(parents=True, exist_ok=True)
    output.summary.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")


def write_xlsx(path: Path, targets: Sequence[Target], lists: dict[str, list[PushEntry]]) -> None:
    """One sheet per policy (named after its id), written in openpyxl's streaming mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    used: set[str] = set()
    for target in targets:
        sheet = workbook.create_sheet(sheet_name(target.policy_id, used))
        header, rows = table(lists.get(target.policy_id, []))
        bold = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = Font(bold=True)
            bold.append(cell)
        sheet.append(bold)
        for row in rows:
            sheet.append(row)
    if not targets:
        workbook.create_sheet("空")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    workbook.save(tmp)
    tmp.replace(path)


def write_csv_dir(
    folder: Path, targets: Sequence[Target], lists: dict[str, list[PushEntry]]
) -> None:
    """One UTF-8 (BOM) CSV per policy, named after its id."""
    folder.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for target in targets:
        name = _unique(_FILE_FORBIDDEN.sub("_", target.policy_id).strip("._") or "policy", used)
        header, rows = table(lists.get(target.policy_id, []))
        with (folder / f"{name}.csv").open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            writer.writerows(rows)


def sheet_name(policy_id: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (<= 31 chars, no []:*?/\\) for ``policy_id``."""
    base = _SHEET_FORBIDDEN.sub("_", policy_id).strip("'") or "policy"
    return _unique(base[:_SHEET_MAX], used, limit=_SHEET_MAX)


def _unique(name: str, used: set[str], limit: int | None = None) -> str:
    candidate, n = name, 1
    while candidate.lower() in used:
        n += 1
        suffix = f"~{n}"
        candidate = (name[: limit - len(suffix)] if limit else name) + suffix
    used.add(candidate.lower())
    return candidate


def build_summary(
    targets: Sequence[Target],
    lists: dict[str, list[PushEntry]],
    counters: Counters,
    options: CampaignOptions,
    error_rows: int,
) -> dict[str, Any]:
    """Counts per verdict, province, city and industry section: per policy and over all lists.

    ``enterprises`` counts input records; ``prefilter_passed`` per policy counts enterprises the
    vectorised rules left possible (the reach of the policy in the member base), ``listed`` the
    rows of its list.
    """
    overall = _breakdown([e for entries in lists.values() for e in entries])
    policies = {}
    for target in targets:
        entries = lists.get(target.policy_id, [])
        policies[target.policy_id] = {
            "title": target.title,
            "items": target.item_ids,
            "prefilter_passed": counters.prefilter_passed.get(target.policy_id, 0),
            "judged_pairs": counters.judged.get(target.policy_id, 0),
            "listed": len(entries),
            **_breakdown(entries),
        }
    return {
        "generated_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "options": options.model_dump(mode="json"),
        "enterprises": {
            "read": counters.read,
            "scored": counters.scored,
            "skipped": counters.skipped,
            "errors_reported": error_rows,
        },
        "listed": sum(len(v) for v in lists.values()),
        **overall,
        "policies": policies,
    }


def _breakdown(entries: Sequence[PushEntry]) -> dict[str, dict[str, int]]:
    def counts(values: Any) -> dict[str, int]:
        return dict(
            sorted(Counter(v or "未知" for v in values).items(), key=lambda kv: (-kv[1], kv[0]))
        )

    return {
        "by_verdict": counts(e.verdict for e in entries),
        "by_province": counts(e.province for e in entries),
        "by_city": counts(f"{e.province}{e.city}" if e.city else e.province for e in entries),
        "by_industry_section": counts(_section_label(e.industry_section) for e in entries),
    }


@cache
def _section_label(letter: str) -> str:
    """``"C"`` -> ``"C 制造业"``; "" stays "" (counted as 未知)."""
    if not letter:
        return ""
    from policymatch.reference import industries

    section = industries.get(letter)
    return f"{letter} {section.name}" if section else letter
