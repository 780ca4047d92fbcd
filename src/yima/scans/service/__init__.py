"""Scans' use cases; import as ``from yima.scans import service as scans``."""

from yima.scans.service.consumer import gift_of, give_gift_address, my_wallet, withdraw
from yima.scans.service.draw import draw_scan, scan_code
from yima.scans.service.page import NotOurCode, list_scans, locate_scan, open_code, verify_typed
from yima.scans.service.reviews import decide_review, list_reviews
from yima.scans.service.stats import consumer_bottles_scanned, scan_stats

__all__ = [
    "NotOurCode",
    "consumer_bottles_scanned",
    "decide_review",
    "draw_scan",
    "gift_of",
    "give_gift_address",
    "list_reviews",
    "list_scans",
    "locate_scan",
    "my_wallet",
    "open_code",
    "scan_code",
    "scan_stats",
    "verify_typed",
    "withdraw",
]
