"""Analytics' console pages: 渠道库存 (inventory) and the live campaign dashboard (campaigns).
Importing this package registers them."""

from yima.analytics.console import campaigns, inventory

__all__ = ["campaigns", "inventory"]
