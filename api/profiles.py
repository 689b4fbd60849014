"""Turn request input into normalised enterprise profiles."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from api.errors import not_found
from api.schemas import EnterpriseIn, EnterprisePublic
from policymatch.profile import normalize_profile
from policymatch.profile.models import EnterpriseProfile

ADHOC_PREFIX = "adhoc-"


def profile_from_input(data: EnterpriseIn, enterprise_id: str | None = None) -> EnterpriseProfile:
    """Normalise a profile given in a request; an unnamed one gets a content-derived id.

    Raises:
        InputError: A field the normaliser cannot read (names the field).
    """
    raw = data.model_dump(mode="json", exclude_none=True)
    if enterprise_id is not None:
        raw["id"] = enterprise_id
    elif not raw.get("id"):
        digest = hashlib.sha1(json.dumps(raw, sort_keys=True, ensure_ascii=False).encode())
        raw["id"] = ADHOC_PREFIX + digest.hexdigest()[:10]
    return normalize_profile(raw)


def stored_profile(store: Any, enterprise_id: str) -> EnterpriseProfile:
    """The stored enterprise, or a 404 naming the id."""
    profile = store.get_enterprise(enterprise_id)
    if profile is None:
        raise not_found("企业", "enterprise", enterprise_id)
    return profile  # type: ignore[no-any-return]


def profile_etag(profile: EnterpriseProfile) -> str:
    """A short content hash that changes whenever any stored field changes."""
    payload = profile.model_dump_json(exclude={"age_years"})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def to_public(profile: EnterpriseProfile) -> EnterprisePublic:
    fields = profile.model_dump(include=set(EnterprisePublic.model_fields) - {"etag"})
    return EnterprisePublic(**fields, etag=profile_etag(profile))
