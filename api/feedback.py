"""Record feedback after checking that the enterprise and the item it names exist."""

from __future__ import annotations

from typing import Any

from api.errors import ApiError
from api.schemas import FeedbackCreate, FeedbackPublic


def record_feedback(store: Any, body: FeedbackCreate) -> FeedbackPublic:
    """Store ``body`` and return it as stored (with its id and time).

    Raises:
        ApiError: 404 naming the field when the enterprise or item is unknown; ad-hoc
            profiles from the console cannot give feedback because they are not stored.
    """
    if store.get_enterprise(body.enterprise_id) is None:
        raise ApiError(
            404,
            f"未找到企业：{body.enterprise_id}（反馈须针对已入库的企业）",
            f"No stored enterprise {body.enterprise_id!r}; feedback needs a stored enterprise.",
            field="enterprise_id",
        )
    if store.get_item(body.item_id) is None:
        raise ApiError(
            404,
            f"未找到政策条款：{body.item_id}",
            f"No policy item {body.item_id!r}.",
            field="item_id",
        )
    record = store.add_feedback(
        enterprise_id=body.enterprise_id, item_id=body.item_id, label=body.label, note=body.note
    )
    return FeedbackPublic.model_validate(record, from_attributes=True)
