"""Configuring campaigns: partial edits, the list by effective state, and the configurations
refused with 422 naming each field (nothing changed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from tests.campaigns.factories import POOL, create_campaign, running_campaign
from tests.campaigns.test_draw import draw
from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.partners.factories import create_dealer
from yima.campaigns import rules
from yima.campaigns import service as campaigns
from yima.campaigns.models import Campaign
from yima.campaigns.rules import PrizeState
from yima.campaigns.simulation import simulate
from yima.identity import service as identity
from yima.identity.schemas import AuditFilter
from yima.platform.db.session import Database
from yima.platform.errors import Invalid

API = "/api/v1/campaigns"
FALLBACK = POOL[2]


def _at(hours: float) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).isoformat()


async def _headers(db: Database, client: httpx.AsyncClient, *scopes: str) -> tuple[str, dict[str, str]]:
    slug = await create_tenant(db)
    granted = list(scopes) or ["campaigns:read", "campaigns:write"]
    return slug, await bearer(client, await create_client(db, slug, granted))


def _fields(response: httpx.Response) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(d["field"], d["code"]) for d in response.json()["error"]["details"]]


class TestPartialEdits:
    async def test_a_live_campaign_changes_only_the_limits_and_targeting_fields_sent(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        slug, headers = await _headers(db, client)
        limits = {"per_person_day": 2, "per_person_total": 5, "scans_per_code": 3}
        campaign = await running_campaign(db, slug, limits=limits, targeting={"regions": ["510000"], "hours": [9]})
        edited = await client.patch(
            f"{API}/{campaign.id}", json={"limits": {"per_person_total": 8}, "targeting": {"hours": [10]}},
            headers=headers,
        )  # fmt: skip
        assert edited.status_code == 200, edited.text
        assert edited.json()["limits"] == limits | {"per_person_total": 8}
        assert (edited.json()["targeting"]["regions"], edited.json()["targeting"]["hours"]) == (["510000"], [10])
        async with system(db, slug) as ctx:
            [audit] = [
                e for e in await identity.list_audit(ctx, AuditFilter(), 50, None) if e.action.endswith("updated")
            ]
        assert audit.changes == {"limits": {"per_person_total": 8}, "targeting": {"hours": [10]}}

    async def test_the_merged_document_is_checked_whole(self, db: Database, client: httpx.AsyncClient) -> None:
        slug, headers = await _headers(db, client)
        campaign = await running_campaign(db, slug, limits={"per_person_day": 2, "per_person_total": 5})
        below = await client.patch(f"{API}/{campaign.id}", json={"limits": {"per_person_total": 1}}, headers=headers)
        assert _fields(below) == [("limits.per_person_day", "above_total")]
        shown = await client.get(f"{API}/{campaign.id}", headers=headers)
        assert shown.json()["limits"]["per_person_total"] == 5

    @pytest.mark.parametrize("field", ["name", "budget_fen", "limits", "description"])
    async def test_null_for_a_field_that_cannot_be_empty_is_422_naming_it(
        self, db: Database, client: httpx.AsyncClient, field: str
    ) -> None:
        slug, headers = await _headers(db, client)
        campaign = await create_campaign(db, slug)
        assert _fields(await client.patch(f"{API}/{campaign.id}", json={field: None}, headers=headers))[0][0] == field

    async def test_an_end_in_the_past_or_before_the_start_is_refused(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        slug, headers = await _headers(db, client)
        campaign = await running_campaign(db, slug)
        past = await client.patch(f"{API}/{campaign.id}", json={"ends_at": _at(-1)}, headers=headers)
        assert _fields(past) == [("ends_at", "past")]
        draft = await create_campaign(db, slug, starts_at=_at(48))
        early = await client.patch(f"{API}/{draft.id}", json={"ends_at": _at(24)}, headers=headers)
        assert _fields(early) == [("ends_at", "order")]
        later = await client.patch(f"{API}/{campaign.id}", json={"ends_at": _at(24)}, headers=headers)
        assert later.status_code == 200 and later.json()["state"] == "running"


class TestListByEffectiveState:
    async def test_the_state_filter_is_the_state_now(self, db: Database, client: httpx.AsyncClient) -> None:
        slug, headers = await _headers(db, client)
        started = await running_campaign(db, slug, starts_at=_at(-2))  # stored "scheduled"
        async with system(db, slug) as ctx:
            future = await campaigns.publish_campaign(ctx, (await create_campaign(db, slug, starts_at=_at(2))).id)
            over = await campaigns.publish_campaign(
                ctx, (await create_campaign(db, slug, starts_at=_at(-3), ends_at=_at(-1))).id
            )
        draft = await create_campaign(db, slug)
        expected = {"running": [started.id], "scheduled": [future.id], "ended": [over.id], "draft": [draft.id]}
        for state, ids in expected.items():
            listed = await client.get(f"{API}?state={state}", headers=headers)
            assert [c["id"] for c in listed.json()["items"]] == ids, state
            assert {c["state"] for c in listed.json()["items"]} == {state}


class TestRefused:
    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"starts_at": "2026-12-01T00:00:00"}, [("starts_at", "timezone_aware")]),
            ({"starts_at": "2026-12-01T00:00:00+08:00", "ends_at": "2026-12-02T00:00:00"},
             [("ends_at", "timezone_aware")]),
            ({"colour": "red"}, [("colour", "extra_forbidden")]),
            # a misspelt field inside is refused too: "stok" would have left a prize unlimited
            ({"limits": {"per_person_dya": 1}, "targeting": {"hour": [9]}, "scope": {"serial_ranges": [
                {"first": 1, "last": 9, "step": 2}]}},
             [("scope.serial_ranges.0.step", "extra_forbidden"), ("targeting.hour", "extra_forbidden"),
              ("limits.per_person_dya", "extra_forbidden")]),
            ({"prizes": [{"name": "88元", "kind": "cash", "amount_fen": 8800, "stok": 10}, FALLBACK]},
             [("prizes.0.stok", "extra_forbidden")]),
            ({"daily_cap_fen": 2_000_000}, [("daily_cap_fen", "above_budget")]),
            ({"limits": {"per_person_day": 5, "per_person_total": 2}}, [("limits.per_person_day", "above_total")]),
            ({"scope": {"serial_ranges": [{"first": 1, "last": 100}, {"first": 50, "last": 60},
                                          {"first": 90, "last": 120}]}},
             [("scope.serial_ranges.1", "overlap"), ("scope.serial_ranges.2", "overlap")]),
            ({"targeting": {"holiday_mode": "only"}}, [("targeting.holidays", "missing")]),
            ({"targeting": {"member_levels": [2, "VIP4", "-1"]}},
             [("targeting.member_levels.1", "not_level"), ("targeting.member_levels.2", "not_level")]),
            ({"targeting": {"dealer_ids": [999_999], "store_ids": [999_998]}},
             [("targeting.dealer_ids.0", "unknown_dealer"), ("targeting.store_ids.0", "unknown_store")]),
            ({"budget_fen": 5_000, "prizes": [{"name": "88元", "kind": "cash", "amount_fen": 8800, "fallback": True}]},
             [("prizes.0.amount_fen", "above_budget")]),
            ({"budget_fen": 5_000, "prizes": [{"name": "随机", "kind": "cash", "min_fen": 6000, "max_fen": 9000,
                                               "fallback": True}]},
             [("prizes.0.min_fen", "above_budget")]),
            ({"prizes": [{"name": "1元", "kind": "cash", "amount_fen": 100, "budget_fen": 50, "fallback": True}]},
             [("prizes.0.budget_fen", "below_cost")]),
            ({"prizes": [{"name": "券", "kind": "coupon", "weight": 1}, FALLBACK]},
             [("prizes.0.coupon_ref", "missing")]),
            ({"ends_at": _at(1), "starts_at": _at(2), "scope": {"product_ids": [999_999]}},
             [("ends_at", "order"), ("scope.product_ids.0", "unknown_product")]),
        ],
    )  # fmt: skip
    async def test_a_create_is_422_naming_every_field(
        self, db: Database, client: httpx.AsyncClient, change: dict[str, Any], expected: list[tuple[str, str]]
    ) -> None:
        _, headers = await _headers(db, client)
        body = {"name": "春节", "budget_fen": 1_000_000, "prizes": POOL} | change
        assert _fields(await client.post(API, json=body, headers=headers)) == expected
        assert (await client.get(API, headers=headers)).json()["items"] == []

    async def test_member_levels_are_normalised_and_known_dealers_accepted(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        slug, headers = await _headers(db, client)
        dealer = await create_dealer(db, slug)
        targeting = {"member_levels": [4, " 3", "03"], "dealer_ids": [dealer.id]}
        made = await client.post(API, json={"name": "x", "budget_fen": 100, "targeting": targeting}, headers=headers)
        assert made.status_code == 201, made.text
        assert made.json()["targeting"]["member_levels"] == ["4", "3", "3"]

    async def test_a_naive_end_in_an_edit_is_422(self, db: Database, client: httpx.AsyncClient) -> None:
        slug, headers = await _headers(db, client)
        campaign = await create_campaign(db, slug)
        edit = await client.patch(f"{API}/{campaign.id}", json={"ends_at": "2030-01-01T00:00:00"}, headers=headers)
        assert _fields(edit) == [("ends_at", "timezone_aware")]

    async def test_publish_and_simulate_refuse_a_pool_that_can_never_pay(self, db: Database) -> None:
        slug = await create_tenant(db)
        cash = [{"name": "1元", "kind": "cash", "amount_fen": 100, "fallback": True}]
        draft = await create_campaign(db, slug, budget_fen=1_000, prizes=cash)
        async with system(db, slug) as ctx:  # stored before the budget was checked against the fallback
            row = await ctx.session.get(Campaign, draft.id)
            assert row is not None
            row.budget_fen = 50
        async with system(db, slug) as ctx:
            for use_case in (
                campaigns.simulate_campaign(ctx, draft.id, 100),
                campaigns.publish_campaign(ctx, draft.id),
            ):
                with pytest.raises(Invalid) as refused:
                    await use_case
                assert [(d.field, d.code) for d in refused.value.details] == [("prizes.0.amount_fen", "above_budget")]

    async def test_unknown_risk_settings_are_422_and_change_nothing(
        self, db: Database, client: httpx.AsyncClient
    ) -> None:
        _, headers = await _headers(db, client, "risk:read", "risk:manage")
        before = (await client.get(f"{API}/risk/settings", headers=headers)).json()
        for body, field in (({"persn": {"minute": {"limit": 3}}}, "persn"),
                            ({"person": {"minit": {"limit": 3}}}, "person.minit")):  # fmt: skip
            assert _fields(await client.patch(f"{API}/risk/settings", json=body, headers=headers))[0][0] == field
        assert (await client.get(f"{API}/risk/settings", headers=headers)).json() == before


class TestReasonsAndForecasts:
    async def test_a_prize_drawn_after_another_ran_dry_is_redrawn(self, db: Database) -> None:
        slug = await create_tenant(db)
        prizes = [
            {"name": "1元红包", "kind": "cash", "amount_fen": 100, "weight": 1000, "stock": 1},
            {"name": "5积分", "kind": "points", "points": 5, "weight": 1},
            {"name": "1积分", "kind": "points", "points": 1, "fallback": True, "weight": 0},
        ]
        campaign = await running_campaign(db, slug, prizes=prizes)
        first = await draw(db, slug, campaign.id, 1)
        # The plan kept in process still shows the cash in stock: the draw tries it, its row refuses.
        second = await draw(db, slug, campaign.id, 2)
        assert (first.prize_name, first.reason) == ("1元红包", "drawn")
        assert (second.prize_name, second.reason) == ("5积分", "redrawn")

    def test_a_prize_the_budget_left_cannot_pay_is_never_forecast(self) -> None:
        big = PrizeState(1, "cash", 1, amount_fen=8800)
        fallback = PrizeState(2, "points", 0, fallback=True)
        outcome = simulate([big, fallback], 5_000, 100)
        assert outcome.forecasts[0].count == 0 and outcome.forecasts[1].count == 100 and outcome.cost == 0
        ranged = PrizeState(3, "cash", 20, min_fen=30, max_fen=500)
        outcome = simulate([big, ranged, fallback], 20_000, 1_000)
        # The 88 yuan prize leaves the pool once what is left before a scan is below 8,800.
        per_scan = (8800 + 20 * rules.unit_cost_mean(ranged)) / 21
        assert outcome.forecasts[0].count == pytest.approx((20_000 - 8800 + per_scan) / per_scan / 21)
        assert outcome.forecasts[0].runs_out_at is not None and outcome.budget_exhausted_at is not None
