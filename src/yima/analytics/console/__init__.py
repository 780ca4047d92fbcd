"""Analytics' console pages: 渠道库存 (inventory), the live campaign dashboard (campaigns) and the
channel metrics (channel: 返利看板). Importing this package registers them."""

from yima.analytics.console import campaigns, channel, inventory

__all__ = ["campaigns", "channel", "inventory"]
