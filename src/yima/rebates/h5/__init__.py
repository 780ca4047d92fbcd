"""The rebates' phone pages (/m/…): a store's scan of goods and the channel's own rewards."""

from __future__ import annotations

from fastapi import APIRouter

routers: list[APIRouter] = []
