"""The editable keyword tables under ``translate/data``, loaded once and frozen.

Each table is a JSON file a policy translator can extend without code; the ``_about`` key
of each file says what its entries mean.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from policymatch.errors import InputError


@dataclass(frozen=True)
class FieldWords:
    """Words that name one numeric profile field in policy text."""

    field: str
    unit: str
    label: str
    keywords: tuple[str, ...]
    ratio_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindWords:
    """A canonical name (support type, beneficiary kind) and the words that signal it."""

    name: str
    keywords: tuple[str, ...]
    exclude: tuple[str, ...] = ()


def _load(name: str) -> dict:
    resource = resources.files("policymatch.translate") / "data" / name
    try:
        return json.loads(resource.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(str(exc.msg), source=str(resource), line=exc.lineno) from exc


def _entries(raw: dict, key: str, source: str) -> list[dict]:
    entries = raw.get(key)
    if not isinstance(entries, list):
        raise InputError(f"expected a list under {key!r}", source=source, field=key)
    return entries


def _field_words(entry: dict, source: str) -> FieldWords:
    try:
        return FieldWords(
            field=entry["field"],
            unit=entry["unit"],
            label=entry["label"],
            keywords=tuple(sorted(entry["keywords"], key=len, reverse=True)),
            ratio_words=tuple(entry.get("ratio_words", ())),
        )
    except KeyError as exc:
        raise InputError(f"entry lacks {exc.args[0]!r}", source=source, field=str(entry)) from exc


@lru_cache(maxsize=1)
def numeric_fields() -> tuple[tuple[FieldWords, ...], tuple[FieldWords, ...]]:
    """Numeric fields and ratio fields from ``numeric_fields.json``.

    Returns:
        ``(fields, ratio_fields)``; keywords longest first.
    """
    source = "translate/data/numeric_fields.json"
    raw = _load("numeric_fields.json")
    fields = tuple(_field_words(e, source) for e in _entries(raw, "fields", source))
    ratios = tuple(_field_words(e, source) for e in _entries(raw, "ratio_fields", source))
    return fields, ratios


def _kind_words(raw: dict, key: str, source: str) -> tuple[KindWords, ...]:
    kinds = []
    for entry in _entries(raw, key, source):
        if "name" not in entry or "keywords" not in entry:
            raise InputError("entry needs 'name' and 'keywords'", source=source, field=str(entry))
        kinds.append(
            KindWords(
                name=entry["name"],
                keywords=tuple(sorted(entry["keywords"], key=len, reverse=True)),
                exclude=tuple(entry.get("exclude", ())),
            )
        )
    return tuple(kinds)


@lru_cache(maxsize=1)
def support_types() -> tuple[KindWords, ...]:
    """Support types (资金奖励, 补贴, 贷款贴息 …) and their keywords, from ``support_types.json``."""
    source = "translate/data/support_types.json"
    return _kind_words(_load("support_types.json"), "support_types", source)


@lru_cache(maxsize=16)
def words(name: str) -> tuple[str, ...]:
    """A named word list from ``words.json`` (grant verbs, plan-section headings …)."""
    source = "translate/data/words.json"
    raw = _load("words.json")
    if name not in raw or not isinstance(raw[name], list):
        raise InputError(f"no word list {name!r}", source=source, field=name)
    return tuple(raw[name])
