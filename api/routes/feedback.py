"""/v1/feedback: what enterprises said about matches, and its export as TREC qrels."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from api.deps import ApiKeyDep, ReadAccessDep, StoreDep
from api.feedback import record_feedback
from api.qrels import latest_labels, to_trec
from api.schemas import FeedbackCreate, FeedbackPublic

router = APIRouter(prefix="/v1/feedback", tags=["反馈 feedback"])


@router.post(
    "",
    response_model=FeedbackPublic,
    status_code=201,
    summary="记录反馈：有用 / 不相关 / 已申报 / 已获批",
    responses={404: {"description": "企业或条款不存在 / unknown enterprise or item"}},
)
def post_feedback(body: FeedbackCreate, store: StoreDep, _: ApiKeyDep) -> FeedbackPublic:
    """Store one label for an (enterprise, item) pair; both must exist."""
    return record_feedback(store, body)


@router.get(
    "/qrels",
    response_class=PlainTextResponse,
    summary="导出 TREC qrels：granted/applied→2，useful→1，not_relevant→0",
)
def export_qrels(store: StoreDep, _: ReadAccessDep) -> PlainTextResponse:
    """Feedback as ``enterprise_id 0 item_id grade`` lines, the latest label per pair.

    Grades: granted 已获批 = 2, applied 已申报 = 2, useful 有用 = 1, not_relevant 不相关 = 0.
    Load it with ``ranx.Qrels.from_file(path, kind="trec")`` to evaluate a run against real
    outcomes.
    """
    return PlainTextResponse(to_trec(latest_labels(store.iter_feedback())))
