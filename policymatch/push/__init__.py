"""Push campaigns (送策入企): per policy, the ranked enterprises to contact, with reasons.

``run_campaign(open_source(path), IndexScorerFactory(index_dir), resolve_targets(index, ids),
CampaignOptions(top=100), out)``; ``policymatch push`` is the command. See docs/push_at_scale.md.
"""

from policymatch.push.campaign import CampaignResult, run_campaign
from policymatch.push.models import CampaignOptions, PushEntry, RowError, Target
from policymatch.push.scoring import IndexScorerFactory
from policymatch.push.sources import open_source
from policymatch.push.targets import resolve_targets

__all__ = [
    "CampaignOptions",
    "CampaignResult",
    "IndexScorerFactory",
    "PushEntry",
    "RowError",
    "Target",
    "open_source",
    "resolve_targets",
    "run_campaign",
]
