"""The FastAPI app: ``create_app(settings)`` builds one, ``lifespan`` loads the index once.

Run it with ``policymatch serve`` or ``uvicorn api.main:create_app --factory``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api.catalogue import PolicyCatalogue
from api.console_views import STATIC_DIR, build_templates
from api.errors import install_error_handlers
from api.holder import MatcherHolder
from api.metrics import ApiMetrics
from api.middleware import AccessLogMiddleware, BodySizeLimitMiddleware
from api.routes import admin, console, enterprises, feedback, health, match, policies
from api.state import AppState
from api.warm import QueryWarmer
from policymatch.settings import Settings, get_settings

logger = logging.getLogger(__name__)

DESCRIPTION = """
政策翻译官 PolicyMatch：把惠企政策拆成可申报的条款、翻译成“谁可以申请 / 能得到什么 / 何时申报”的政策卡片，
并为企业匹配可申报的政策（或为政策找到符合条件的企业），每条结果都给出满足、不满足与待确认的条件。

* 读接口默认开放（`read_requires_key` 可关闭）；写接口需要请求头 `X-API-Key`。
* 错误统一为 `{"detail": [{"field", "message_zh", "message_en"}]}`。
* 金额单位万元，人数单位人，日期 YYYY-MM-DD。
"""


class EmbedderCache:
    """The embedder, made on first use and shared by every Matcher this app loads."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._embedder: Any = None
        self._lock = threading.Lock()

    def get(self) -> Any:
        with self._lock:
            if self._embedder is None:
                from policymatch.embed import get_embedder

                self._embedder = get_embedder(self._settings)
            return self._embedder


def matcher_loader(settings: Settings, store: Any, embedders: EmbedderCache) -> Any:
    """``path -> Matcher``: load an index with the app's embedder, store and settings."""

    def load(index_dir: Path) -> Any:
        from policymatch.match.matcher import Matcher

        matcher = Matcher.load(index_dir, embedder=embedders.get(), store=store, settings=settings)
        _warm_up(matcher)
        return matcher

    return load


def _warm_up(matcher: Any) -> None:
    """Run one match so the first client does not pay for lazy set-up (model, jieba, tables)."""
    from policymatch.profile.models import EnterpriseProfile

    started = time.perf_counter()
    try:
        matcher.match(EnterpriseProfile(id="warm-up", needs=["设备更新补贴"]), k=1)
    except Exception:  # warming is an optimisation; a real request will report the problem
        logger.exception("warm-up match failed")
    logger.info("matcher warmed up in %.1f s", time.perf_counter() - started)


def index_updater(settings: Settings, store: Any, embedders: EmbedderCache) -> Any:
    """``doc_ids -> None``: re-index changed documents into ``settings.resolved_index_dir``."""

    def update(doc_ids: set[str]) -> None:
        from api.index_update import update_index

        update_index(store, embedders.get(), settings.resolved_index_dir, doc_ids)

    return update


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the index once at start; the app serves (503 on matching) if none is built yet."""
    state: AppState = app.state.policymatch
    blas = _one_blas_thread()
    if not state.holder.ready and not state.holder.load():
        logger.warning("starting without an index: %s", state.holder.last_error)
    yield
    if blas is not None:
        blas.restore_original_limits()
    close = getattr(state.store, "close", None)
    if callable(close):
        close()


def _one_blas_thread() -> Any:
    """Limit numpy's BLAS to one thread while serving; None when threadpoolctl is missing.

    A request's matrix products are small (a few query vectors against the items): one
    thread does them in well under a millisecond, while waking BLAS's second thread on a
    2-core machine busy with other requests took 14 ms per dense scoring (bench/api.py).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(limits=1, user_api="blas")


def create_app(
    settings: Settings | None = None, *, store: Any = None, update_index: bool = True
) -> FastAPI:
    """Build the API and console app.

    Args:
        settings: Configuration; defaults to the ``POLICYMATCH_*`` environment.
        store: An open policy store to use instead of opening ``settings.resolved_database_url``.
        update_index: Re-index documents added or deleted through the API in the background;
            False leaves the index stale until ``policymatch index`` runs.

    Returns:
        A FastAPI app whose state (store, matcher holder, metrics) belongs to it alone.
    """
    settings = settings or get_settings()
    if store is None:
        from policymatch.store import PolicyStore

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = PolicyStore(settings.resolved_database_url)
    metrics = ApiMetrics()
    embedders = EmbedderCache(settings)
    holder: MatcherHolder[Any] = MatcherHolder(
        settings.resolved_index_dir,
        matcher_loader(settings, store, embedders),
        check_every=settings.index_check_seconds,
        on_swap=lambda matcher: _on_swap(metrics, matcher),
    )
    app = FastAPI(
        title="PolicyMatch 政策翻译官 API",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.policymatch = AppState(
        settings=settings,
        store=store,
        holder=holder,
        metrics=metrics,
        catalogue=PolicyCatalogue(store),
        templates=build_templates(),
        update_index=index_updater(settings, store, embedders) if update_index else None,
        warmer=QueryWarmer(holder),
    )
    install_error_handlers(app)
    for router in (
        health.router,
        match.router,
        policies.router,
        enterprises.router,
        feedback.router,
        admin.router,
        console.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["X-API-Key", "Content-Type", "If-Match"],
            expose_headers=["ETag"],
        )
    app.add_middleware(BodySizeLimitMiddleware, max_mb=settings.max_upload_mb)
    # Added last so it is outermost: it times and counts every request, 413s included.
    app.add_middleware(AccessLogMiddleware, metrics=metrics)
    return app


def _on_swap(metrics: ApiMetrics, matcher: Any) -> None:
    metrics.index_reloads.inc()
    try:
        metrics.index_items.set(len(matcher))
    except TypeError:
        logger.debug("the matcher does not report its size")
