"""Errors the API returns, and the handlers that give every error one JSON shape.

Every error body is ``{"detail": [{"field": ..., "message_zh": ..., "message_en": ...}]}``:
a person can act on it in either language, and a client can point at the field. No stack
trace ever reaches a client; unexpected exceptions are logged with their traceback instead.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.messages import validation_message
from policymatch.errors import InputError

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An error with an HTTP status and a message in Chinese and English.

    Args:
        status_code: HTTP status to answer with (404, 409, 413, 503 ...).
        message_zh: What went wrong and what to do, in Chinese.
        message_en: The same in English.
        field: The request field at fault, when one is.
        headers: Extra response headers (``WWW-Authenticate``, ``Retry-After``).
    """

    def __init__(
        self,
        status_code: int,
        message_zh: str,
        message_en: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message_en)
        self.status_code = status_code
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field
        self.headers = headers


def not_found(kind_zh: str, kind_en: str, key: str) -> ApiError:
    """A 404 naming what was looked for, e.g. ``not_found("政策", "policy", "gov-1")``."""
    return ApiError(404, f"未找到{kind_zh}：{key}", f"No {kind_en} with id {key!r}.")


def error_body(
    message_zh: str, message_en: str, field: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The one error shape: a list of ``{field, message_zh, message_en}`` entries."""
    return {
        "detail": [{"field": field, "message_zh": message_zh, "message_en": message_en, **extra}]
    }


def _field_path(loc: tuple[Any, ...]) -> tuple[str, str | None]:
    """Split a pydantic location into (where, dotted field): ("body", "profile.employees")."""
    where = str(loc[0]) if loc else "body"
    rest = [str(part) for part in loc[1:]]
    return where, ".".join(rest) or None


async def _validation_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    details = []
    for error in exc.errors():
        where, field = _field_path(tuple(error.get("loc", ())))
        zh, en = validation_message(error)
        details.append(
            {
                "field": field,
                "location": where,
                "message_zh": zh,
                "message_en": en,
                "type": error.get("type"),
            }
        )
    return JSONResponse({"detail": details}, status_code=422)


async def _input_error_handler(request: Request, exc: InputError) -> JSONResponse:
    place = exc.source or "请求"
    if exc.line is not None:
        place += f" 第 {exc.line} 行"
    body = error_body(
        f"{place}：{exc.message}", str(exc), exc.field, line=exc.line, source=exc.source
    )
    return JSONResponse(body, status_code=422)


_MACHINE_PATHS = ("/v1/", "/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/static/")


def _wants_html(request: Request) -> bool:
    """A browser on a console page: answer with a page, not JSON."""
    path = request.url.path
    if any(path.startswith(prefix) for prefix in _MACHINE_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "")


def _error_page(request: Request, status_code: int, message_zh: str, message_en: str) -> Response:
    templates = request.app.state.policymatch.templates
    context = {"status_code": status_code, "message_zh": message_zh, "message_en": message_en}
    return templates.TemplateResponse(request, "error.html", context, status_code=status_code)


async def _api_error_handler(request: Request, exc: ApiError) -> Response:
    if _wants_html(request):
        return _error_page(request, exc.status_code, exc.message_zh, exc.message_en)
    body = error_body(exc.message_zh, exc.message_en, exc.field)
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


_STATUS_ZH = {
    404: "未找到该地址",
    405: "不支持该请求方法",
    401: "需要 API 密钥",
    403: "无权执行此操作",
    413: "请求内容过大",
}


async def _http_error_handler(request: Request, exc: StarletteHTTPException) -> Response:
    message_en = str(exc.detail)
    message_zh = _STATUS_ZH.get(exc.status_code, "请求无法处理")
    if _wants_html(request):
        return _error_page(request, exc.status_code, message_zh, message_en)
    body = error_body(message_zh, message_en)
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _unexpected_handler(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    body = error_body(
        "服务器内部错误，请稍后重试；如问题持续请联系管理员。",
        "Internal server error; please retry later and contact the administrator if it persists.",
    )
    return JSONResponse(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the shape above."""
    app.add_exception_handler(RequestValidationError, _validation_handler)  # type: ignore[arg-type]
    app.add_exception_handler(InputError, _input_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, _api_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected_handler)
