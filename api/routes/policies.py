"""/v1/policies: the policy library, single policies, ingest, delete, and push lists."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api import policy_access
from api.deps import ApiKeyDep, MatcherDep, ReadAccessDep, StateDep, StoreDep
from api.errors import ApiError
from api.ingest import ingest_record, ingest_upload
from api.push_list import to_csv, to_xlsx
from api.schemas import IngestResponse, PolicyCreate, PolicyPage, PolicyPublic, PushList
from policymatch.match.results import Verdict

router = APIRouter(prefix="/v1/policies", tags=["政策 policies"])

_UPLOAD_DOC = {
    "requestBody": {
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PolicyCreate"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
        "required": True,
    }
}


@router.get("", response_model=PolicyPage, summary="政策库：检索与筛选政策文件")
def list_policies(
    state: StateDep,
    _: ReadAccessDep,
    q: Annotated[
        str | None, Query(description="关键词，空格分隔，须全部出现", max_length=200)
    ] = None,
    region: Annotated[str | None, Query(description="地区名称或区划代码，如 济南、370100")] = None,
    support_type: Annotated[str | None, Query(description="支持方式，如 贷款贴息")] = None,
    beneficiary: Annotated[str | None, Query(description="支持对象，如 高新技术企业")] = None,
    status: Annotated[
        Literal["all", "valid", "expired"],
        Query(description="all 全部 / valid 有效 / expired 已过期"),
    ] = "all",
    as_of: Annotated[dt.date | None, Query(description="判断是否过期的日期，默认今天")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> PolicyPage:
    """Documents that contain every word of ``q`` and pass the filters; title hits first."""
    return state.catalogue.search(
        q=q,
        region=region,
        support_type=support_type,
        beneficiary=beneficiary,
        status=status,
        as_of=as_of,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/{policy_id:path}/enterprises",
    response_model=PushList,
    summary="政策找企业：推送名单（JSON，或 ?format=csv / xlsx 下载）",
    responses={
        200: {
            "content": {
                "text/csv": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
            }
        },
        404: {"description": "没有该政策或条款 / unknown policy or item id"},
    },
)
def push_list(
    policy_id: str,
    state: StateDep,
    store: StoreDep,
    matcher: MatcherDep,
    _: ReadAccessDep,
    k: Annotated[int, Query(ge=1, le=5000, description="名单长度")] = 100,
    verdict: Annotated[
        list[Verdict] | None, Query(description="判断结果，可重复；默认 推荐 与 可能符合")
    ] = None,
    as_of: Annotated[dt.date | None, Query(description="按此日期判断有效期，默认今天")] = None,
    format: Annotated[
        Literal["json", "csv", "xlsx"], Query(description="json / csv / xlsx")
    ] = "json",
) -> Any:
    """Enterprises ranked for one item, or for a document (each enterprise's best item).

    Columns of the downloads: 排名, 企业编号, 企业名称, 判断, 得分, 满足, 不满足, 待确认,
    理由, then the enterprises' contact fields.
    """
    with state.match_slots:
        push = policy_access.push_list(
            store, matcher, policy_id, k=k, verdicts=verdict or (), as_of=as_of
        )
    if format == "json":
        return push
    stem = f"push_{policy_id}"
    if format == "csv":
        body, media, suffix = to_csv(push), "text/csv; charset=utf-8", "csv"
    else:
        body = to_xlsx(push)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        suffix = "xlsx"
    disposition = f'attachment; filename="{_ascii(stem)}.{suffix}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


@router.get(
    "/{policy_id:path}",
    response_model=PolicyPublic,
    summary="政策详情：文件、条款与政策卡片（也接受条款编号）",
    responses={404: {"description": "没有该政策或条款 / unknown policy or item id"}},
)
def get_policy(policy_id: str, store: StoreDep, _: ReadAccessDep) -> PolicyPublic:
    """A document with its items and their cards. Given an item id (``doc#3``), the same
    document is returned and ``item_id`` names the item asked for."""
    return policy_access.load_policy(store, policy_id)


@router.post(
    "",
    response_model=IngestResponse,
    status_code=201,
    summary="导入政策：JSON 文件或上传 .txt/.html/.docx/.pdf/.jsonl/.csv",
    openapi_extra=_UPLOAD_DOC,
    responses={
        409: {
            "description": "同编号政策已存在且内容不同，需 ?replace=true / id exists with other content"
        },
        413: {"description": "文件超过大小上限 / upload too large"},
        422: {
            "description": "文件或字段无法读取，指明行号与字段 / unreadable record, with line and field"
        },
    },
)
async def create_policy(
    request: Request,
    state: StateDep,
    _: ApiKeyDep,
    replace: Annotated[bool, Query(description="同编号已存在时是否替换")] = False,
) -> IngestResponse:
    """Ingest one JSON document, or every record of an uploaded file.

    The documents are split into items and translated into cards, then the index is marked
    stale and rebuilt in the background when the app can rebuild it (see ``index`` in the
    response). A document id that is already stored with different content is refused with
    409 unless ``replace=true``; the same content again is reported as ``unchanged``.
    """
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(
                422,
                "请用表单字段 file 上传政策文件。",
                "Upload the policy file in the form field 'file'.",
                field="file",
            )
        data = await upload.read()
        report = await run_in_threadpool(
            ingest_upload, state.store, upload.filename or "upload.txt", data, replace
        )
    else:
        try:
            payload = PolicyCreate.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(
                [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
            ) from exc
        report = await run_in_threadpool(ingest_record, state.store, payload, replace)
    index_state = state.documents_changed(report.documents) if report.documents else "updated"
    return IngestResponse(**report.model_dump(exclude={"index"}), index=index_state)


@router.delete(
    "/{policy_id:path}",
    status_code=204,
    summary="删除政策文件（含其条款与卡片）",
    responses={404: {"description": "没有该政策 / unknown policy id"}},
)
def delete_policy(policy_id: str, state: StateDep, _: ApiKeyDep) -> Response:
    """Remove a document, its items and cards; the index is rebuilt or marked stale."""
    policy_access.delete_policy(state.store, policy_id)
    state.documents_changed([policy_id])
    return Response(status_code=204)


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
