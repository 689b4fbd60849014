"""POST /v1/match: policy items an enterprise can apply for, ranked, with reasons."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import MatcherDep, ReadAccessDep, StateDep, StoreDep
from api.matching import MatchQuery, run_match
from api.profiles import profile_from_input, stored_profile
from api.schemas import GroupBy, MatchRequest, MatchResponse
from policymatch.match.results import Verdict

router = APIRouter(prefix="/v1", tags=["匹配 match"])


@router.post(
    "/match",
    response_model=MatchResponse,
    summary="企业查政策：为企业画像匹配可申报的政策条款",
    responses={
        404: {"description": "enterprise_id 不存在 / unknown enterprise_id"},
        422: {"description": "画像字段有误，逐字段给出中英文说明 / invalid profile field"},
        503: {"description": "索引未就绪 / index not loaded"},
    },
)
def match(
    body: MatchRequest,
    state: StateDep,
    store: StoreDep,
    matcher: MatcherDep,
    _: ReadAccessDep,
    k: Annotated[int, Query(ge=1, le=100, description="返回条数")] = 10,
    verdict: Annotated[
        list[Verdict] | None,
        Query(description="只要这些判断结果，可重复：推荐 / 可能符合 / 不符合"),
    ] = None,
    region: Annotated[
        list[str] | None, Query(description="政策所属地区（名称或区划代码），可重复")
    ] = None,
    support_type: Annotated[
        list[str] | None, Query(description="支持方式，如 贷款贴息、资金奖励，可重复")
    ] = None,
    as_of: Annotated[dt.date | None, Query(description="按此日期判断有效期，默认今天")] = None,
    group_by: Annotated[
        GroupBy, Query(description="item 按条款；document 按政策文件汇总")
    ] = "item",
) -> MatchResponse:
    """Rank policy items for an inline profile or a stored enterprise.

    Each result carries the verdict (推荐 / 可能符合 / 不符合), every condition checked with
    its status and a one-line reason, the words that matched, and the card's amount and
    deadline. Filters apply after ranking; ``k`` counts results after filtering.
    """
    if body.profile is not None:
        profile = profile_from_input(body.profile)
    else:
        profile = stored_profile(store, body.enterprise_id or "")
    query = MatchQuery(
        k=k,
        as_of=as_of,
        verdicts=verdict or (),
        regions=region or (),
        support_types=support_type or (),
        group_by=group_by,
    )
    with state.match_slots:
        return run_match(matcher, store, profile, query)
