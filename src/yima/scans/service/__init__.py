"""Scans' use cases; import as ``from yima.scans import service as scans``."""

from yima.scans.service.page import NotOurCode, list_scans, locate_scan, open_code

__all__ = ["NotOurCode", "list_scans", "locate_scan", "open_code"]
