"""The web console: 企业查政策 (/), 政策库 (/policies), 政策找企业 (/policies/{id}), 密钥登录 (/key).

Server-rendered Chinese pages over the same library calls as the JSON API. Feedback buttons
post a small form to /feedback; that needs the API key (cookie ``policymatch_api_key``)
unless ``settings.console_feedback_open`` is set for a trusted network. The key form at /key
sets that cookie; when ``settings.read_requires_key`` is on, a page asked for without a valid
key sends the browser there (with ``next``) rather than answering 401.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Annotated, Any, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api import policy_access
from api.console_views import CARD_LABELS, FEEDBACK_LABELS, push_download_path
from api.deps import (
    API_KEY_COOKIE,
    StateDep,
    client_address,
    key_is_valid,
    request_key_is_valid,
    require_api_key,
)
from api.errors import ApiError
from api.feedback import record_feedback
from api.holder import IndexNotReadyError
from api.matching import MatchQuery, run_match
from api.messages import validation_message
from api.profiles import profile_from_input
from api.schemas import EnterpriseIn, FeedbackCreate
from policymatch.errors import InputError

logger = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

_LIST_SPLIT = re.compile(r"[,，、;；\s]+")
_PROFILE_FIELDS = (
    "name",
    "region",
    "industry",
    "employees",
    "revenue",
    "total_assets",
    "founded",
    "qualifications",
    "needs",
    "scope",
)
_ENTERPRISE_CHOICES = 500
_PUSH_ROWS = 50
_PAGE_SIZE = 20


def _render(
    request: Request, state: Any, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    feedback_outcome = request.query_params.get("fb", "")
    notice = {
        "ok": "已记录反馈，谢谢！",
        "nokey": "反馈需要 API 密钥，请先登录。",
        "bad": "反馈未记录：企业或条款不存在。",
    }.get(feedback_outcome)
    context.setdefault("notice", notice)
    context.setdefault("notice_warn", feedback_outcome in ("nokey", "bad"))
    here = _current_page(request)
    context.setdefault(
        "notice_login_url", _key_form_url(here) if feedback_outcome == "nokey" else None
    )
    # The header's 已登录/登录 only means something when the server has keys to log in with.
    settings = state.settings
    context.setdefault("key_login", bool(settings.api_key_hashes))
    context.setdefault(
        "signed_in", key_is_valid(request.cookies.get(API_KEY_COOKIE), settings.api_key_hashes)
    )
    context.setdefault("login_url", _key_form_url(here))
    return state.templates.TemplateResponse(request, name, context, status_code=status_code)


def _current_page(request: Request) -> str:
    """This page's path and query, without the one-shot feedback notice ``fb``."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "fb"]
    return request.url.path + ("?" + urlencode(params) if params else "")


def _key_form_url(next_page: str) -> str:
    if next_page == "/" or next_page.startswith("/key"):
        return "/key"
    return "/key?" + urlencode({"next": next_page})


def safe_next(target: str | None) -> str:
    r"""``target`` when it is a path on this site, else the console home ``/``.

    Only ``/path?query`` is kept: a scheme or host (``https://evil.example``), a
    protocol-relative ``//host``, a backslash (browsers read ``/\host`` as ``//host``) or a
    control character (browsers drop tabs and newlines, so ``/<TAB>/host`` is ``//host``)
    all go home.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _login_redirect(request: Request, state: Any) -> RedirectResponse | None:
    """When reads need a key and none valid came: a 303 to the key form, back here after.

    With no keys configured at all there is nothing to log in with, so the API's 403
    (which says how to configure keys) stands.
    """
    settings = state.settings
    if not settings.read_requires_key:
        return None
    if not settings.api_key_hashes:
        require_api_key(request, settings, None)
    if request_key_is_valid(request, settings.api_key_hashes):
        return None
    return RedirectResponse(_key_form_url(_current_page(request)), status_code=303)


def _profile_from_form(form: dict[str, str]) -> EnterpriseIn:
    raw: dict[str, Any] = {
        key: value.strip() for key, value in form.items() if value and value.strip()
    }
    for key in ("qualifications", "needs"):
        if key in raw:
            raw[key] = [part for part in _LIST_SPLIT.split(raw[key]) if part]
    return EnterpriseIn.model_validate(raw)


def _form_errors(exc: ValidationError) -> list[dict[str, str]]:
    labels = {
        "employees": "从业人员",
        "revenue": "营业收入",
        "total_assets": "资产总额",
        "founded": "成立日期",
        "name": "企业名称",
        "region": "所在地区",
    }
    errors = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error.get("loc", ()))
        zh, _ = validation_message(error)
        errors.append({"field": labels.get(field, field) + "：", "message_zh": zh})
    return errors


@router.get("/", response_class=HTMLResponse, name="console_match")
def console_match(
    request: Request,
    state: StateDep,
    enterprise_id: str | None = None,
    enterprise_id_text: str | None = None,
    mode: str | None = None,
    as_of: dt.date | None = None,
) -> Response:
    """企业查政策: pick a stored enterprise or fill a profile; ``as_of`` judges validity on
    another day than today (for reviewing past rounds)."""
    if (to_key_form := _login_redirect(request, state)) is not None:
        return to_key_form
    store = state.store
    enterprises = list(_first(store.iter_enterprises(), _ENTERPRISE_CHOICES + 1))
    chosen = (enterprise_id_text or "").strip() or (enterprise_id or "").strip() or None
    form = {key: request.query_params.get(key, "") for key in _PROFILE_FIELDS}
    context: dict[str, Any] = {
        "nav": "match",
        "enterprises": enterprises[:_ENTERPRISE_CHOICES],
        "enterprises_more": len(enterprises) > _ENTERPRISE_CHOICES,
        "selected_id": chosen,
        "form": form,
        "result": None,
        "errors": [],
        "feedback_labels": FEEDBACK_LABELS,
        "feedback_enterprise": None,
        "as_of": as_of,
        "back_url": str(request.url.path) + "?" + str(request.url.query),
    }
    profile = None
    if mode == "profile":
        try:
            profile = profile_from_input(_profile_from_form(form))
        except ValidationError as exc:
            context["errors"] = _form_errors(exc)
        except InputError as exc:
            context["errors"] = [{"field": (exc.field or "") + "：", "message_zh": exc.message}]
        context["enterprise_label"] = form["name"] or "该企业"
    elif chosen:
        profile = store.get_enterprise(chosen)
        if profile is None:
            context["errors"] = [{"field": "", "message_zh": f"未找到企业：{chosen}"}]
        else:
            context["enterprise_label"] = profile.name or profile.id
            if _feedback_allowed(request, state):
                context["feedback_enterprise"] = profile.id
    if profile is not None:
        try:
            matcher = state.holder.get()
        except IndexNotReadyError:
            context["notice"] = "政策索引尚未就绪，请先运行 policymatch index。"
            context["notice_warn"] = True
        else:
            with state.match_slots:
                context["result"] = run_match(
                    matcher, store, profile, MatchQuery(k=10, as_of=as_of)
                )
    return _render(request, state, "match.html", **context)


def _first(iterable: Any, n: int) -> Any:
    for index, value in enumerate(iterable):
        if index >= n:
            return
        yield value


def _feedback_allowed(request: Request, state: Any) -> bool:
    settings = state.settings
    if settings.console_feedback_open:
        return True
    return key_is_valid(request.cookies.get(API_KEY_COOKIE), settings.api_key_hashes)


@router.post("/feedback", name="console_feedback")
def console_feedback(
    request: Request,
    state: StateDep,
    enterprise_id: Annotated[str, Form()],
    item_id: Annotated[str, Form()],
    label: Annotated[Literal["useful", "not_relevant", "applied", "granted"], Form()],
    back: Annotated[str, Form()] = "/",
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Record one feedback click, then go back to the results with a notice."""
    # Only same-site paths: a crafted form must not turn this into an open redirect.
    target = safe_next(back)
    if not _feedback_allowed(request, state):
        outcome = "nokey"
    else:
        try:
            record_feedback(
                state.store,
                FeedbackCreate(
                    enterprise_id=enterprise_id, item_id=item_id, label=label, note=note
                ),
            )
            outcome = "ok"
        except ApiError:
            outcome = "bad"
    path, _, query = target.partition("?")
    params = [p for p in query.split("&") if p and not p.startswith("fb=")]
    params.append(urlencode({"fb": outcome}))
    return RedirectResponse(f"{path}?{'&'.join(params)}", status_code=303)


@router.get("/policies", response_class=HTMLResponse, name="console_policies")
def console_policies(
    request: Request,
    state: StateDep,
    q: str | None = None,
    region: str | None = None,
    support_type: str | None = None,
    beneficiary: str | None = None,
    status: Literal["all", "valid", "expired"] = "all",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    if (to_key_form := _login_redirect(request, state)) is not None:
        return to_key_form
    catalogue = state.catalogue
    found = catalogue.search(
        q=q,
        region=region,
        support_type=support_type,
        beneficiary=beneficiary,
        status=status,
        offset=(page - 1) * _PAGE_SIZE,
        limit=_PAGE_SIZE,
    )
    page_count = max(1, -(-found.total // _PAGE_SIZE))
    query = {
        "q": q,
        "region": region,
        "support_type": support_type,
        "beneficiary": beneficiary,
        "status": status,
    }

    def page_url(number: int) -> str:
        params = {k: v for k, v in query.items() if v} | {"page": number}
        return str(request.url_for("console_policies")) + "?" + urlencode(params)

    return _render(
        request,
        state,
        "policies.html",
        nav="policies",
        page=found,
        query=query,
        facets=catalogue.facets(),
        page_no=page,
        page_count=page_count,
        prev_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page < page_count else None,
    )


@router.get("/policies/{policy_id:path}", response_class=HTMLResponse, name="console_policy")
def console_policy(
    request: Request,
    policy_id: str,
    state: StateDep,
    as_of: dt.date | None = None,
) -> Response:
    if (to_key_form := _login_redirect(request, state)) is not None:
        return to_key_form
    store = state.store
    policy = policy_access.load_policy(store, policy_id)
    selected = policy.item_id
    shown = [e for e in policy.items if selected is None or e.item.id == selected]
    push, push_error = None, None
    try:
        matcher = state.holder.get()
    except IndexNotReadyError:
        push_error = "政策索引尚未就绪，暂时无法生成推送名单。"
    else:
        with state.match_slots:
            push = policy_access.push_list(store, matcher, policy_id, k=_PUSH_ROWS, as_of=as_of)
    return _render(
        request,
        state,
        "policy.html",
        nav="policies",
        policy=policy,
        shown_items=shown,
        selected_item=selected,
        as_of=as_of,
        card_labels=CARD_LABELS,
        push=push,
        push_error=push_error,
        xlsx_url=push_download_path(policy_id, "xlsx", as_of),
        csv_url=push_download_path(policy_id, "csv", as_of),
    )


@router.get("/key", response_class=HTMLResponse, name="console_key")
def console_key_form(request: Request, state: StateDep, next: str = "/") -> HTMLResponse:
    """密钥登录: the form that stores the API key in the console's cookie."""
    return _render(request, state, "key.html", nav="key", next_page=safe_next(next), failed=None)


@router.post("/key", name="console_key_login")
def console_key_login(
    request: Request,
    state: StateDep,
    key: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the key; on success set the cookie and go to ``next`` (303), else 401 and the form.

    The key is never put back into the page, the URL or the log: a failed attempt shows an
    empty field.
    """
    hashes = state.settings.api_key_hashes
    target = safe_next(next)
    key = key.strip()
    client = client_address(request)
    wait = state.key_throttle.retry_after(client)
    if wait is not None:
        logger.info("console key login throttled")
        answer = _render(
            request,
            state,
            "key.html",
            status_code=429,
            nav="key",
            next_page=target,
            failed=f"密钥错误次数过多：请 {wait} 秒后再试。",
        )
        answer.headers["Retry-After"] = str(wait)
        return answer
    if not key_is_valid(key, hashes):
        if hashes:
            state.key_throttle.failed(client)
        failed = (
            "服务器未配置 API 密钥，无法登录；请管理员设置 POLICYMATCH_API_KEY_HASHES。"
            if not hashes
            else "密钥无效：请核对后重新输入。"
        )
        logger.info("console key login refused")
        return _render(
            request, state, "key.html", status_code=401, nav="key", next_page=target, failed=failed
        )
    state.key_throttle.succeeded(client)
    answer = RedirectResponse(target, status_code=303)
    answer.set_cookie(
        API_KEY_COOKIE,
        key,
        httponly=True,
        samesite="strict",
        # A plain-http LAN console must still work; over https the cookie never leaks to http.
        secure=request.url.scheme == "https",
        path="/",
    )
    return answer


@router.post("/key/logout", name="console_key_logout")
def console_key_logout(request: Request) -> RedirectResponse:
    """退出: forget the key cookie and go to the console home."""
    answer = RedirectResponse("/", status_code=303)
    answer.delete_cookie(
        API_KEY_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return answer
