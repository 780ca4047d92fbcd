"""Campaigns' console pages: the campaign list and builder, risk control (rules and blacklist).
Importing this package registers them."""

from yima.campaigns.console import campaigns, risk

__all__ = ["campaigns", "risk"]
