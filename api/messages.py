"""Validation errors in words a person can act on, in Chinese and English.

Pydantic names each failure by a ``type`` (``int_parsing``, ``greater_than_equal`` ...) with
context values; this table turns the common ones into a sentence per language and falls back
to pydantic's own English message for the rest.
"""

from __future__ import annotations

from typing import Any

# type -> (Chinese template, English template); templates read ``input`` and the error's ctx.
_TEMPLATES: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填字段，请补充。", "This field is required."),
    "extra_forbidden": (
        "不认识的字段，请检查拼写或删除。",
        "Unknown field; check the spelling or remove it.",
    ),
    "int_parsing": (
        "应填写整数，例如 120；收到：{input}。",
        "Enter a whole number such as 120; got {input}.",
    ),
    "int_type": (
        "应填写整数，例如 120；收到：{input}。",
        "Enter a whole number such as 120; got {input}.",
    ),
    "int_from_float": (
        "应填写整数，不能带小数；收到：{input}。",
        "Enter a whole number without decimals; got {input}.",
    ),
    "float_parsing": (
        "应填写数字，例如 2500.5；收到：{input}。",
        "Enter a number such as 2500.5; got {input}.",
    ),
    "float_type": (
        "应填写数字，例如 2500.5；收到：{input}。",
        "Enter a number such as 2500.5; got {input}.",
    ),
    "bool_parsing": ("应填写 true 或 false；收到：{input}。", "Enter true or false; got {input}."),
    "bool_type": ("应填写 true 或 false；收到：{input}。", "Enter true or false; got {input}."),
    "string_type": ("应填写文字；收到：{input}。", "Enter text; got {input}."),
    "string_too_short": (
        "内容太短，至少 {min_length} 个字符。",
        "Too short: at least {min_length} characters.",
    ),
    "string_too_long": (
        "内容太长，最多 {max_length} 个字符。",
        "Too long: at most {max_length} characters.",
    ),
    "greater_than_equal": ("不能小于 {ge}；收到：{input}。", "Must be at least {ge}; got {input}."),
    "greater_than": ("必须大于 {gt}；收到：{input}。", "Must be greater than {gt}; got {input}."),
    "less_than_equal": ("不能大于 {le}；收到：{input}。", "Must be at most {le}; got {input}."),
    "less_than": ("必须小于 {lt}；收到：{input}。", "Must be less than {lt}; got {input}."),
    "date_parsing": (
        "日期格式应为 YYYY-MM-DD，例如 2024-03-01；收到：{input}。",
        "Enter a date as YYYY-MM-DD, e.g. 2024-03-01; got {input}.",
    ),
    "date_from_datetime_parsing": (
        "日期格式应为 YYYY-MM-DD，例如 2024-03-01；收到：{input}。",
        "Enter a date as YYYY-MM-DD, e.g. 2024-03-01; got {input}.",
    ),
    "date_type": (
        "日期格式应为 YYYY-MM-DD，例如 2024-03-01；收到：{input}。",
        "Enter a date as YYYY-MM-DD, e.g. 2024-03-01; got {input}.",
    ),
    "literal_error": (
        "只能取以下值之一：{expected}；收到：{input}。",
        "Must be one of {expected}; got {input}.",
    ),
    "enum": (
        "只能取以下值之一：{expected}；收到：{input}。",
        "Must be one of {expected}; got {input}.",
    ),
    "list_type": ('应为列表，例如 ["高新技术企业"]。', 'Must be a list, e.g. ["高新技术企业"].'),
    "dict_type": ("应为对象（键值对）。", "Must be an object (key/value pairs)."),
    "model_attributes_type": ("应为对象（键值对）。", "Must be an object (key/value pairs)."),
    "model_type": ("应为对象（键值对）。", "Must be an object (key/value pairs)."),
    "json_invalid": (
        "请求体不是有效的 JSON：{error}。",
        "The request body is not valid JSON: {error}.",
    ),
    "too_short": ("至少需要 {min_length} 项。", "Needs at least {min_length} entries."),
    "too_long": ("最多 {max_length} 项。", "At most {max_length} entries."),
}


def _shorten(value: Any, limit: int = 40) -> str:
    text = repr(value) if not isinstance(value, str) else f"“{value}”"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def validation_message(error: dict[str, Any]) -> tuple[str, str]:
    """Chinese and English sentences for one pydantic error dict.

    Args:
        error: One entry of ``ValidationError.errors()`` (keys ``type``, ``msg``, ``input``, ``ctx``).

    Returns:
        ``(message_zh, message_en)``.
    """
    kind = str(error.get("type", ""))
    ctx = {key: value for key, value in (error.get("ctx") or {}).items()}
    if kind == "value_error":
        # A validator's own message; it is already written for people.
        reason = str(ctx.get("error") or error.get("msg", ""))
        reason = reason.removeprefix("Value error, ")
        return f"取值无效：{reason}", f"Invalid value: {reason}"
    template = _TEMPLATES.get(kind)
    if template is None:
        message = str(error.get("msg", "invalid value"))
        return f"取值无效：{message}", message
    values = {"input": _shorten(error.get("input")), **{k: str(v) for k, v in ctx.items()}}
    try:
        return template[0].format(**values), template[1].format(**values)
    except (KeyError, IndexError):
        message = str(error.get("msg", "invalid value"))
        return f"取值无效：{message}", message
