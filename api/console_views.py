"""Jinja2 templates of the web console and the filters they use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import quote

from fastapi.templating import Jinja2Templates

from api.highlight import highlight

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

VERDICT_CLASSES = {"推荐": "v-ok", "可能符合": "v-maybe", "不符合": "v-no"}
FEEDBACK_LABELS = (
    ("useful", "有用"),
    ("not_relevant", "不相关"),
    ("applied", "已申报"),
    ("granted", "已获批"),
)
CARD_LABELS = ("谁可以申请", "能得到什么", "需要满足", "何时申报", "受理部门")


def format_wan(value: float | None) -> str:
    """An amount in 万元 as people write it: 50万元, 1.2亿元, 5000元."""
    if value is None:
        return "—"
    if value >= 10000:
        return f"{value / 10000:g}亿元"
    if value >= 1:
        return f"{value:g}万元"
    return f"{value * 10000:g}元"


def policy_path(policy_id: str, as_of: dt.date | None = None) -> str:
    """Console path of a policy or item; ids hold ``#`` and must be escaped in a URL path."""
    path = f"/policies/{quote(policy_id, safe='/')}"
    return f"{path}?as_of={as_of.isoformat()}" if as_of else path


def push_download_path(policy_id: str, file_format: str, as_of: dt.date | None = None) -> str:
    """The API URL that downloads a policy's push list as csv or xlsx."""
    query = f"format={file_format}" + (f"&as_of={as_of.isoformat()}" if as_of else "")
    return f"/v1/policies/{quote(policy_id, safe='/')}/enterprises?{query}"


def build_templates() -> Jinja2Templates:
    """A template set for one app (autoescaping on; filters registered)."""
    templates = Jinja2Templates(directory=str(TEMPLATE_DIR))
    templates.env.filters["verdict_class"] = lambda verdict: VERDICT_CLASSES.get(verdict, "v-no")
    templates.env.filters["wan"] = format_wan
    templates.env.filters["highlight"] = highlight
    templates.env.globals["policy_path"] = policy_path
    return templates
