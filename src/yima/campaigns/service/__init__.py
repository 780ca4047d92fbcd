"""The campaigns' use cases; import as ``from yima.campaigns import service as campaigns``.

For the scans context (no permission of their own, in the caller's transaction, flush only):
``campaigns_for_code``, ``draw_prize``, ``check_eligibility``, ``awards_of_code``,
``award_of_scan``, ``awards_of_person``; ``post_cash_award`` is the ledger
seam the draw pays cash through; ``assess_risk`` counts and grades a scan (risk control, 风控; in two steps,
``count_risk_later`` and ``grade_risk``, when the scan sends the count with other statements) and
``describe`` words its reasons. Staff use cases check ``campaigns:*`` / ``risk:*`` and write the
audit log. See docs/campaigns.md.
"""

from yima.campaigns.risk import Counts as RiskCounts
from yima.campaigns.risk import Decision, RiskInput, RiskVerdict, describe
from yima.campaigns.rules import Role, ScanContext, ScanFact
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
from yima.campaigns.service.draw import (
    award_of_scan,
    awards_of_code,
    awards_of_person,
    check_eligibility,
    code_can_win,
    draw_prize,
    post_cash_award,
    repoint_awards,
)
from yima.campaigns.service.matching import LiveCampaign, campaigns_for_code
from yima.campaigns.service.risk import (
    PURGE_RISK_JOB,
    add_blacklist_entry,
    assess_risk,
    count_risk_later,
    get_risk_settings,
    grade_risk,
    list_blacklist,
    purge_risk_counters,
    remove_blacklist_entry,
    risk_keys,
    risk_reads_phone,
    schedule_risk_purge,
    update_risk_settings,
)
from yima.campaigns.service.stats import award_stats

__all__ = [
    "PURGE_RISK_JOB",
    "Decision",
    "LiveCampaign",
    "RiskCounts",
    "RiskInput",
    "RiskVerdict",
    "Role",
    "ScanContext",
    "ScanFact",
    "add_blacklist_entry",
    "assess_risk",
    "award_of_scan",
    "award_stats",
    "awards_of_code",
    "awards_of_person",
    "campaigns_for_code",
    "check_eligibility",
    "code_can_win",
    "count_risk_later",
    "create_campaign",
    "describe",
    "draw_prize",
    "end_campaign",
    "get_campaign",
    "get_risk_settings",
    "grade_risk",
    "list_blacklist",
    "list_campaigns",
    "pause_campaign",
    "post_cash_award",
    "publish_campaign",
    "purge_risk_counters",
    "remove_blacklist_entry",
    "repoint_awards",
    "resume_campaign",
    "risk_keys",
    "risk_reads_phone",
    "schedule_risk_purge",
    "simulate_campaign",
    "update_campaign",
    "update_risk_settings",
]
