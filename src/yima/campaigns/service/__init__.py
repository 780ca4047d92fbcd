"""The campaigns' use cases; import as ``from yima.campaigns import service as campaigns``.

For the scans context (no permission of their own, in the caller's transaction, flush only):
``draw_prize``, ``check_eligibility``, ``awards_of_code``; ``post_cash_award`` is the ledger
seam the draw pays cash through. Staff use cases check ``campaigns:*`` and write the audit log.
See docs/campaigns.md.
"""

from yima.campaigns.service.campaigns import (
    create_campaign,
    end_campaign,
    get_campaign,
    list_campaigns,
    pause_campaign,
    publish_campaign,
    resume_campaign,
    simulate_campaign,
    update_campaign,
)
from yima.campaigns.service.draw import awards_of_code, check_eligibility, draw_prize, post_cash_award

__all__ = [
    "awards_of_code",
    "check_eligibility",
    "create_campaign",
    "draw_prize",
    "end_campaign",
    "get_campaign",
    "list_campaigns",
    "pause_campaign",
    "post_cash_award",
    "publish_campaign",
    "resume_campaign",
    "simulate_campaign",
    "update_campaign",
]
