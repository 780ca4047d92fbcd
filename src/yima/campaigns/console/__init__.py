"""Campaigns' console pages: the campaign list and builder. Importing this package registers them."""

from yima.campaigns.console import campaigns

__all__ = ["campaigns"]
