"""Dependencies routes declare: settings, store, matcher, and the API-key checks.

Routes read the app's state through these aliases only, so a test app built by
``create_app(settings)`` never touches another app's store or index.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from api.errors import ApiError
from api.holder import IndexNotReadyError
from api.state import AppState
from policymatch.match.matcher import Matcher
from policymatch.settings import Settings
from policymatch.store import PolicyStore

API_KEY_HEADER = "X-API-Key"
# Browsers cannot set headers on a plain link; the console may carry the key in this cookie.
API_KEY_COOKIE = "policymatch_api_key"

_api_key_header = APIKeyHeader(name=API_KEY_HEADER, auto_error=False, description="API 密钥")


def get_state(request: Request) -> AppState:
    return request.app.state.policymatch  # type: ignore[no-any-return]


StateDep = Annotated[AppState, Depends(get_state)]


def get_settings_dep(state: StateDep) -> Settings:
    return state.settings


def get_store(state: StateDep) -> PolicyStore:
    return state.store  # type: ignore[no-any-return]


def get_matcher(state: StateDep) -> Matcher:
    try:
        return state.holder.get()
    except IndexNotReadyError as exc:
        raise ApiError(
            503,
            "政策索引尚未就绪：请先运行 `policymatch index` 构建索引，稍后重试。",
            f"The policy index is not ready ({exc}); build it with `policymatch index` and retry.",
            headers={"Retry-After": "5"},
        ) from exc


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
StoreDep = Annotated[PolicyStore, Depends(get_store)]
MatcherDep = Annotated[Matcher, Depends(get_matcher)]


def key_is_valid(key: str | None, hashes: list[str]) -> bool:
    """True when ``key``'s sha256 hex digest is one of ``hashes`` (constant-time compare)."""
    if not key:
        return False
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    valid = False
    for allowed in hashes:
        # No early exit, so the time taken does not tell which entry matched.
        valid |= hmac.compare_digest(digest, allowed.strip().lower())
    return valid


def client_address(request: Request) -> str:
    """The address failed keys are counted under: the connecting peer (a proxy in front of the
    app makes every client one address; X-Forwarded-For is not trusted)."""
    return request.client.host if request.client else "unknown"


def _presented_key(request: Request, header_key: str | None) -> str | None:
    return header_key or request.cookies.get(API_KEY_COOKIE)


def request_key_is_valid(request: Request, hashes: list[str]) -> bool:
    """True when the request carries a valid key in ``X-API-Key`` or the console cookie.

    For routes that must answer a missing key with something other than a 401 (the console
    sends a browser to its key form instead).
    """
    return key_is_valid(
        _presented_key(request, request.headers.get(API_KEY_HEADER)), hashes
    ) or key_is_valid(request.cookies.get(API_KEY_COOKIE), hashes)


def require_api_key(
    request: Request,
    settings: SettingsDep,
    header_key: Annotated[str | None, Depends(_api_key_header)],
) -> None:
    """Writes: refuse unless the request carries a valid ``X-API-Key``."""
    if not settings.api_key_hashes:
        raise ApiError(
            403,
            "服务器未配置 API 密钥，写操作已关闭；请设置 POLICYMATCH_API_KEY_HASHES。",
            "No API keys are configured, so writes are disabled; set POLICYMATCH_API_KEY_HASHES.",
        )
    throttle, client = request.app.state.policymatch.key_throttle, client_address(request)
    wait = throttle.retry_after(client)
    if wait is not None:
        raise ApiError(
            429,
            f"API 密钥错误次数过多：请 {wait} 秒后再试。",
            f"Too many wrong API keys from this address: retry in {wait} s.",
            headers={"Retry-After": str(wait)},
        )
    if not key_is_valid(_presented_key(request, header_key), settings.api_key_hashes):
        throttle.failed(client)
        raise ApiError(
            401,
            f"缺少或无效的 API 密钥：请在请求头 {API_KEY_HEADER} 中提供有效密钥。",
            f"Missing or invalid API key: send a valid key in the {API_KEY_HEADER} header.",
            headers={"WWW-Authenticate": API_KEY_HEADER},
        )
    throttle.succeeded(client)


def require_read_access(
    request: Request,
    settings: SettingsDep,
    header_key: Annotated[str | None, Depends(_api_key_header)],
) -> None:
    """Reads: open unless ``settings.read_requires_key``, then the same check as writes."""
    if settings.read_requires_key:
        require_api_key(request, settings, header_key)


ApiKeyDep = Annotated[None, Depends(require_api_key)]
ReadAccessDep = Annotated[None, Depends(require_read_access)]
