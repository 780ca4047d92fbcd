"""The rebates' phone pages (/m/…): a store's scan of goods and the channel's own rewards."""

from __future__ import annotations

from fastapi import APIRouter

from yima.rebates.h5 import assistant, scan

routers: list[APIRouter] = [assistant.router, scan.router]
