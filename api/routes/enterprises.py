"""/v1/enterprises: store, read, list and bulk-load member enterprise profiles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, UploadFile
from starlette.concurrency import run_in_threadpool

from api.bulk import load_enterprise_file
from api.deps import ApiKeyDep, ReadAccessDep, StateDep, StoreDep
from api.errors import ApiError
from api.profiles import profile_etag, profile_from_input, stored_profile, to_public
from api.schemas import BulkLoadReport, EnterpriseIn, EnterprisePage, EnterprisePublic

router = APIRouter(prefix="/v1/enterprises", tags=["企业 enterprises"])


@router.put(
    "/{enterprise_id}",
    response_model=EnterprisePublic,
    summary="新增或更新企业画像（If-Match 防止覆盖他人修改）",
    responses={
        201: {"description": "新建 / created"},
        409: {"description": "If-Match 与当前版本不符 / version conflict"},
        422: {"description": "字段有误 / invalid field"},
    },
)
def put_enterprise(
    enterprise_id: str,
    body: EnterpriseIn,
    store: StoreDep,
    state: StateDep,
    response: Response,
    _: ApiKeyDep,
    if_match: Annotated[str | None, Header(description="上次读取时的 ETag")] = None,
) -> EnterprisePublic:
    """Create or replace one enterprise; the server derives 区划 code, size class and age.

    Send the ``ETag`` from a previous read in ``If-Match`` to refuse the write (409) if someone
    changed the enterprise in between.
    """
    if body.id is not None and body.id != enterprise_id:
        raise ApiError(
            422,
            f"请求体中的 id（{body.id}）与地址中的企业编号（{enterprise_id}）不一致。",
            f"Body id {body.id!r} differs from the id in the path {enterprise_id!r}.",
            field="id",
        )
    current = store.get_enterprise(enterprise_id)
    if if_match is not None:
        wanted = if_match.strip().strip('"')
        have = profile_etag(current) if current is not None else None
        if wanted != "*" and wanted != have or (wanted == "*" and current is None):
            raise ApiError(
                409,
                "企业信息已被修改（版本不符），请重新读取后再提交。",
                "The enterprise changed since you read it (If-Match mismatch); reload and retry.",
                field="If-Match",
            )
    profile = profile_from_input(body, enterprise_id=enterprise_id)
    store.upsert_enterprises([profile])
    if state.warmer is not None:
        state.warmer.submit([profile])
    public = to_public(profile)
    response.status_code = 201 if current is None else 200
    response.headers["ETag"] = f'"{public.etag}"'
    return public


@router.get(
    "/{enterprise_id}",
    response_model=EnterprisePublic,
    summary="读取企业画像",
    responses={404: {"description": "没有该企业 / unknown enterprise"}},
)
def get_enterprise(
    enterprise_id: str, store: StoreDep, response: Response, _: ReadAccessDep
) -> EnterprisePublic:
    public = to_public(stored_profile(store, enterprise_id))
    response.headers["ETag"] = f'"{public.etag}"'
    return public


@router.get("", response_model=EnterprisePage, summary="企业列表（按名称或编号筛选）")
def list_enterprises(
    store: StoreDep,
    _: ReadAccessDep,
    q: Annotated[str | None, Query(description="名称或编号中包含的文字")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> EnterprisePage:
    rows = [p for p in store.iter_enterprises() if not q or q in p.name or q in p.id]
    page = [to_public(p) for p in rows[offset : offset + limit]]
    return EnterprisePage(total=len(rows), offset=offset, limit=limit, enterprises=page)


@router.post(
    "/bulk",
    response_model=BulkLoadReport,
    summary="批量导入企业：上传 CSV / XLSX / JSONL，错误行给出行号",
    responses={
        413: {"description": "文件超过大小上限 / upload too large"},
        415: {"description": "文件类型不支持 / unsupported file type"},
    },
)
async def bulk_load(
    request: Request, file: UploadFile, store: StoreDep, state: StateDep, _: ApiKeyDep
) -> BulkLoadReport:
    """Store every readable row; rows that fail are listed with their row number and field
    (the header is row 1 in CSV/XLSX; JSONL counts lines from 1) and nothing else is lost."""
    data = await file.read()
    on_stored = state.warmer.submit if state.warmer is not None else None
    return await run_in_threadpool(
        load_enterprise_file, store, file.filename or "upload", data, on_stored
    )
