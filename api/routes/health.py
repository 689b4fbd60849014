"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from api.deps import StateDep
from api.schemas import HealthStatus

router = APIRouter(tags=["运维 health"])


@router.get("/healthz", response_model=HealthStatus, summary="存活检查 liveness")
def healthz() -> HealthStatus:
    """The process answers; says nothing about the index."""
    return HealthStatus(status="ok")


@router.get(
    "/readyz",
    response_model=HealthStatus,
    summary="就绪检查 readiness: 503 until an index is loaded",
    responses={503: {"model": HealthStatus, "description": "no index loaded"}},
)
def readyz(state: StateDep) -> Response:
    """200 once an index is loaded (and serving), 503 before; reports staleness too."""
    info = state.holder.describe()
    info["stale"] = state.index.stale
    info["updating"] = state.index.updating
    if state.index.last_error:
        info["rebuild_error"] = state.index.last_error
    if state.holder.ready:
        # Let a rebuilt index on disk be noticed even if no match request arrives.
        state.holder.get()
    body = HealthStatus(status="ready" if state.holder.ready else "not ready", index=info)
    return JSONResponse(
        body.model_dump(mode="json"), status_code=200 if state.holder.ready else 503
    )


@router.get("/metrics", summary="Prometheus 指标", response_class=Response)
def metrics(state: StateDep) -> Response:
    """Request counts and latency by route template, index size."""
    return Response(state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
