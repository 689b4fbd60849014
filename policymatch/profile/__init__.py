"""Enterprise profiles: normalising member records and reading member files."""

from policymatch.profile.models import EnterpriseProfile
from policymatch.profile.normalize import normalize_profile
from policymatch.profile.readers import ProfileRow, iter_profile_rows, read_profiles

__all__ = [
    "EnterpriseProfile",
    "ProfileRow",
    "iter_profile_rows",
    "normalize_profile",
    "read_profiles",
]
