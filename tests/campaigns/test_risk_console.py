"""The 风控 page's registration and what its form and table make of the data, without a browser."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from yima.campaigns.console import risk as console
from yima.campaigns.schemas import BlacklistEntryRead, RiskSettings
from yima.platform.console import nav
from yima.platform.console.page import registered_pages
from yima.platform.ctx import Actor, Ctx, TenantInfo

# What the helpers use of a ConsolePage, in English.
PAGE = SimpleNamespace(locale="en", t=lambda zh, en: en, text=lambda text: text.en)


def test_the_page_is_in_marketing_for_risk_readers_only() -> None:
    [spec] = [s for s in registered_pages() if s.nav.path == "/campaigns/risk"]
    assert spec.nav.area == nav.MARKETING and spec.nav.permission == "risk:read"
    assert spec.nav.visible_to(Actor(kind="staff", name="f", permissions=frozenset({"risk:read"})))
    assert not spec.nav.visible_to(Actor(kind="staff", name="w", permissions=frozenset({"campaigns:read"})))


def test_the_form_turns_emptied_numbers_into_rules_switched_off() -> None:
    form = RiskSettings().model_dump()
    form["person"]["minute"] = {"limit": 12.0, "response": "fallback"}
    form["ip"]["day"]["limit"] = ""
    form["far_from_territory"]["km"] = None
    form["enabled"] = False
    sent = console.settings_update(form).model_dump(exclude_unset=True)
    assert sent["person"]["minute"] == {"limit": 12, "response": "fallback"}
    assert sent["ip"]["day"]["limit"] is None and sent["far_from_territory"]["km"] is None
    assert sent["enabled"] is False
    form["net"]["hour"]["response"] = "ban"
    with pytest.raises(ValidationError):
        console.settings_update(form)


def test_blacklist_rows_show_the_kind_expiry_and_status() -> None:
    ctx = Ctx(session=None, tenant=TenantInfo(1, "acme", "Acme"))  # type: ignore[arg-type]
    at = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)
    entry = BlacklistEntryRead(id=3, kind="ip", value="198.51.100.0/24", reason="r", expires_at=None, active=True,
                               created_by="system", created_at=at)  # fmt: skip
    row = console.entry_row(PAGE, ctx, entry)  # type: ignore[arg-type]
    assert (row["kind_name"], row["expires"], row["status"], row["created"]) == (
        "IP address or block", "Never", ["Active"], "2026-11-23 10:00",
    )  # fmt: skip
    expired = console.entry_row(PAGE, ctx, entry.model_copy(update={"expires_at": at, "active": False}))  # type: ignore[arg-type]
    assert (expired["expires"], expired["status"]) == ("2026-11-23 10:00", ["Expired"])
