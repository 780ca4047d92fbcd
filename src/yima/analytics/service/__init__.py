"""Analytics' use cases; import as ``from yima.analytics import service as analytics``.

``inventory``: channel inventory (渠道库存), goods age (货龄) and diversion counts (窜货);
``consumption``: the consumer scans taken into the consumed bottles, in requests (bounded) and
in the job ``analytics.take_in_scans``; ``campaigns``: the live campaign dashboard (活动实时看板);
``channel``: the channel metrics (渠道指标 / 返利看板)."""

from yima.analytics.service.campaigns import campaign_dashboard
from yima.analytics.service.channel import channel_metrics
from yima.analytics.service.consumption import (
    JOB,
    Progress,
    catch_up,
    queue_job,
    refresh_consumption,
    take_in_scans,
)
from yima.analytics.service.inventory import channel_inventory, diversion_summary

__all__ = [
    "JOB",
    "Progress",
    "campaign_dashboard",
    "catch_up",
    "channel_inventory",
    "channel_metrics",
    "diversion_summary",
    "queue_job",
    "refresh_consumption",
    "take_in_scans",
]
