"""Capture and query through the service: what other contexts call."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.identity.factories import create_staff, create_tenant, staff_ctx, system
from tests.trace.factories import bottle, capture, object_event
from yima.platform.db.session import Database
from yima.platform.db.tenancy import ALL_TENANTS
from yima.platform.errors import Forbidden
from yima.trace import service as trace
from yima.trace.epcis.eventhash import event_hash, prefixes_of
from yima.trace.errors import EpcisInvalid, QueryInvalid
from yima.trace.models import EpcisEvent, EpcisEventEpc
from yima.trace.schemas import EventFilter

PALLET = "urn:epc:id:sscc:6901234.0000000017"


async def _count(db: Database, model: Any) -> int:
    async with db.session() as session:
        query = select(func.count()).select_from(model).execution_options(**{ALL_TENANTS: True})
        return int(await session.scalar(query) or 0)


def _packing(parent: str, children: list[str], action: str = "ADD", **fields: Any) -> dict[str, Any]:
    event = object_event(type="AggregationEvent", action=action, parentID=parent, childEPCs=children, **fields)
    del event["epcList"]
    return event


class TestCaptureEvents:
    async def test_events_are_stored_with_their_identifiers(self, db: Database) -> None:
        slug = await create_tenant(db)
        shipped = object_event(epcList=[bottle(1), bottle(2)])
        result = await capture(db, slug, shipped)
        assert result.stored == 1 and result.known == 0
        assert result.event_ids == [event_hash(shipped, prefixes_of([]))]
        assert await _count(db, EpcisEventEpc) == 2

    async def test_capturing_the_same_events_twice_stores_them_once(self, db: Database) -> None:
        slug = await create_tenant(db)
        events = [object_event(epcList=[bottle(10)]), object_event(epcList=[bottle(11)], bizStep="receiving")]
        first = await capture(db, slug, *events)
        again = await capture(db, slug, *reversed(events), object_event(epcList=[bottle(12)]))
        assert (first.stored, again.stored, again.known) == (2, 1, 2)
        assert again.event_ids[:2] == list(reversed(first.event_ids))
        assert await _count(db, EpcisEvent) == 3

    async def test_the_same_event_twice_in_one_call_is_one_event(self, db: Database) -> None:
        slug = await create_tenant(db)
        event = object_event(epcList=[bottle(20)])
        result = await capture(db, slug, event, dict(event))
        assert result.stored == 1 and result.event_ids[0] == result.event_ids[1]

    async def test_a_given_event_id_is_kept(self, db: Database) -> None:
        slug = await create_tenant(db)
        given = "urn:uuid:2c1e8f4a-8d2b-4f6e-9a51-7d3c2b1a0e99"
        assert (await capture(db, slug, object_event(eventID=given))).event_ids == [given]

    async def test_an_invalid_event_stores_nothing_and_says_everything(self, db: Database) -> None:
        slug = await create_tenant(db)
        good, bad = object_event(), object_event(bizStep="teleporting", epcList=["urn:epc:id:sgtin:1.2.3"])
        with pytest.raises(EpcisInvalid) as refused:
            await capture(db, slug, good, bad)
        assert {d.field for d in refused.value.details} == {
            "/epcisBody/eventList/1/bizStep",
            "/epcisBody/eventList/1/epcList/0",
        }
        assert await _count(db, EpcisEvent) == 0

    async def test_the_same_events_in_two_brands_are_two_brands_events(self, db: Database) -> None:
        one, two = await create_tenant(db), await create_tenant(db)
        event = object_event(epcList=[bottle(30)])
        assert (await capture(db, one, event)).stored == (await capture(db, two, event)).stored == 1
        async with system(db, two) as ctx:
            assert len(await trace.events_for_epcs(ctx, [bottle(30)])) == 1

    async def test_record_event_answers_the_event_id(self, db: Database) -> None:
        slug = await create_tenant(db)
        event = object_event(epcList=[bottle(31)])
        async with system(db, slug) as ctx:
            assert await trace.record_event(ctx, event, source="trace.logistics") == event_hash(event, prefixes_of([]))
            [stored] = await trace.events_for_epcs(ctx, [bottle(31)])
        assert stored.source == "trace.logistics"

    async def test_capturing_needs_trace_write(self, db: Database) -> None:
        slug = await create_tenant(db)
        login = await create_staff(db, slug, roles=("auditor",))
        async with staff_ctx(db, login) as ctx:
            with pytest.raises(Forbidden):
                await trace.capture_events(ctx, [object_event()])


class TestErrorDeclarations:
    async def test_a_declaration_is_recorded_on_the_stored_event(self, db: Database) -> None:
        slug = await create_tenant(db)
        event = object_event(epcList=[bottle(40)])
        [event_id] = (await capture(db, slug, event)).event_ids
        declaration = {"declarationTime": "2024-05-02T09:00:00+08:00", "reason": "incorrect_data"}
        result = await capture(db, slug, {**event, "errorDeclaration": declaration})
        assert (result.event_ids, result.stored, result.known) == ([event_id], 0, 1)
        async with system(db, slug) as ctx:
            stored = await trace.get_event(ctx, event_id)
            [row] = await trace.events_for_epcs(ctx, [bottle(40)])
        assert stored["errorDeclaration"] == declaration
        assert row.error_declared_at == dt.datetime(2024, 5, 2, 1, 0, tzinfo=dt.UTC)


class TestEventsForEpcs:
    async def test_a_code_is_found_in_any_form_and_role_oldest_first(self, db: Database) -> None:
        slug = await create_tenant(db)
        urn = "urn:epc:id:sgtin:6901234.056789.777"
        packed = _packing(PALLET, [urn], eventTime="2024-05-01T08:00:00+08:00")
        shipped = object_event(epcList=[PALLET], eventTime="2024-05-02T08:00:00+08:00")
        scanned = object_event(
            epcList=["https://m.brand.cn/01/06901234567892/21/777"],
            bizStep="retail_selling",
            disposition="retail_sold",
            eventTime="2024-05-03T08:00:00+08:00",
        )
        await capture(db, slug, scanned, shipped, packed)
        async with system(db, slug) as ctx:
            own = await trace.events_for_epcs(ctx, ["https://id.gs1.org/01/06901234567892/21/777"])
            as_child = await trace.events_for_epcs(ctx, [urn], roles=["child"])
            pallet = await trace.events_for_epcs(ctx, ["https://id.gs1.org/00/069012340000000177"])
            later = await trace.events_for_epcs(ctx, [urn, PALLET], since=dt.datetime(2024, 5, 2, tzinfo=dt.UTC))
        assert [e.biz_step for e in own] == ["shipping", "retail_selling"]
        assert [e.event_type for e in as_child] == ["AggregationEvent"]
        assert as_child[0].parent_id == "https://id.gs1.org/00/069012340000000177"
        assert [e.event_type for e in pallet] == ["AggregationEvent", "ObjectEvent"]
        assert [e.biz_step for e in later] == ["shipping", "retail_selling"]

    async def test_nothing_for_nothing(self, db: Database) -> None:
        slug = await create_tenant(db)
        async with system(db, slug) as ctx:
            assert await trace.events_for_epcs(ctx, []) == []


class TestQuery:
    async def _query(self, db: Database, slug: str, **fields: Any) -> list[dict[str, Any]]:
        async with system(db, slug) as ctx:
            page = await trace.query_events(ctx, EventFilter(**fields), 100, None)
        return page.events

    async def test_filters(self, db: Database) -> None:
        slug = await create_tenant(db)
        a = object_event(epcList=[bottle(50)], eventTime="2024-05-01T08:00:00+08:00")
        b = object_event(
            epcList=[bottle(51)],
            bizStep="receiving",
            disposition="in_progress",
            action="ADD",
            eventTime="2024-05-03T08:00:00+08:00",
        )
        c = _packing(PALLET, [bottle(50)], eventTime="2024-05-02T08:00:00+08:00")
        ids = (await capture(db, slug, a, b, c)).event_ids

        async def found(**fields: Any) -> list[str]:
            return [e["eventID"] for e in await self._query(db, slug, **fields)]

        assert await found() == ids
        assert await found(event_types=["AggregationEvent"]) == [ids[2]]
        assert await found(biz_steps=["https://ref.gs1.org/cbv/BizStep-receiving"]) == [ids[1]]
        assert await found(dispositions=["in_transit"], actions=["OBSERVE"]) == [ids[0]]
        assert await found(match_epc=[bottle(50)]) == [ids[0], ids[2]]
        assert await found(match_epc=["urn:epc:idpat:sgtin:6901234.056789.*"]) == ids
        assert await found(match_parent_id=["https://id.gs1.org/00/069012340000000177"]) == [ids[2]]
        assert await found(match_any_epc=[PALLET]) == [ids[2]]
        assert await found(read_points=["urn:epc:id:sgln:6901234.00001.0"]) == ids
        assert await found(read_points=[trace.canonical_epc("urn:epc:id:sgln:6901234.00001.0")]) == ids
        window = {"ge_event_time": dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)}
        assert await found(**window, lt_event_time=dt.datetime(2024, 5, 2, 12, tzinfo=dt.UTC)) == [ids[2]]
        assert await found(event_ids=[ids[1]]) == [ids[1]]

    async def test_company_and_scheme_patterns_match_every_key_of_theirs(self, db: Database) -> None:
        """A company-wide pattern is answered, not quietly matched against nothing."""
        slug = await create_tenant(db)
        ours = object_event(epcList=["urn:epc:id:sgtin:6901234.156789.7"])  # indicator digit 1
        theirs = object_event(epcList=["urn:epc:id:sgtin:0614141.107346.2017"])
        packed = _packing(PALLET, [bottle(70)])
        ids = (await capture(db, slug, ours, theirs, packed)).event_ids

        async def found(**fields: Any) -> list[str]:
            return [e["eventID"] for e in await self._query(db, slug, **fields)]

        assert await found(match_epc=["urn:epc:idpat:sgtin:6901234.*.*"]) == [ids[0], ids[2]]
        assert await found(match_epc=["urn:epc:idpat:sgtin:0614141.*.*"]) == [ids[1]]
        assert await found(match_epc=["urn:epc:idpat:sgtin:*.*.*"]) == ids
        assert await found(match_parent_id=["urn:epc:idpat:sscc:6901234.*"]) == [ids[2]]
        assert await found(match_parent_id=["urn:epc:idpat:sscc:0614141.*"]) == []

    async def test_pages_follow_tokens_and_tokens_belong_to_their_query(self, db: Database) -> None:
        slug = await create_tenant(db)
        ids = (await capture(db, slug, *[object_event(epcList=[bottle(60 + i)]) for i in range(5)])).event_ids
        seen: list[str] = []
        token = None
        async with system(db, slug) as ctx:
            while True:
                page = await trace.query_events(ctx, EventFilter(), 2, token)
                seen += [e["eventID"] for e in page.events]
                if page.next_page_token is None:
                    break
                token = page.next_page_token
            with pytest.raises(QueryInvalid):
                await trace.query_events(ctx, EventFilter(biz_steps=["shipping"]), 2, token)
        assert seen == ids

    def test_query_strings(self) -> None:
        f, per_page, token = trace.parse_query(
            [
                ("EQ_bizStep", "shipping|receiving"),
                ("EQ_bizStep", "storing"),
                ("perPage", "5"),
                ("GE_eventTime", "2024-05-01T08:00:00+08:00"),
            ]
        )
        assert f.biz_steps == ["shipping", "receiving", "storing"] and per_page == 5 and token is None
        assert f.ge_event_time == dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
        # an offset's "+" sent unencoded arrives as a space: still that moment
        unencoded, _, _ = trace.parse_query([("GE_eventTime", "2024-05-01T08:00:00.5 08:00")])
        assert unencoded.ge_event_time == dt.datetime(2024, 5, 1, 0, 0, 0, 500000, tzinfo=dt.UTC)
        with pytest.raises(QueryInvalid) as refused:
            trace.parse_query([("EQ_bizstep", "x"), ("perPage", "0"), ("LT_eventTime", "yesterday")])
        assert {d.field for d in refused.value.details} == {"EQ_bizstep", "perPage", "LT_eventTime"}
