"""/v1/admin: operations that need the API key."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ApiKeyDep, StateDep
from api.errors import ApiError
from api.schemas import HealthStatus

router = APIRouter(prefix="/v1/admin", tags=["运维 health"])


@router.post(
    "/reload",
    response_model=HealthStatus,
    summary="立即重新加载索引（重建索引后调用）",
    responses={503: {"description": "索引无法加载 / the index could not be loaded"}},
)
def reload_index(state: StateDep, _: ApiKeyDep) -> HealthStatus:
    """Load the index at the configured path now and swap it in; requests in flight finish
    on the old one. Without this call a rebuilt index is picked up within
    ``index_check_seconds`` anyway."""
    if not state.holder.load():
        raise ApiError(
            503,
            f"索引加载失败：{state.holder.last_error}",
            f"Loading the index failed: {state.holder.last_error}",
        )
    state.catalogue.invalidate()
    state.index.stale = False
    return HealthStatus(status="reloaded", index=state.holder.describe())
