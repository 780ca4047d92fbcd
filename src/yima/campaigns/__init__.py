"""Scan-to-win campaigns (扫码活动): configuration, targeting, prize pools, limits, the draw and the
pre-publication simulation (docs/campaigns.md)."""
