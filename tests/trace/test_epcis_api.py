"""The EPCIS 2.0 REST binding at /epcis, over HTTP: capture, capture jobs, queries, access."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.identity.factories import bearer, create_client, create_staff, create_tenant, login_session
from tests.trace.factories import bottle, document, invalid_documents, load, object_event, valid_documents
from yima.platform.db.session import Database
from yima.platform.outbox.runner import Runner
from yima.trace.epcis.validation import validate
from yima.trace.service import capture as capture_service

LD = {"Content-Type": "application/ld+json"}


async def _brand(db: Database, http: httpx.AsyncClient, scopes: list[str] | None = None) -> dict[str, str]:
    slug = await create_tenant(db)
    return await bearer(http, await create_client(db, slug, scopes))


async def _capture(http: httpx.AsyncClient, auth: dict[str, str], body: Any) -> httpx.Response:
    return await http.post("/epcis/capture", content=json.dumps(body), headers={**auth, **LD})


async def _events(http: httpx.AsyncClient, auth: dict[str, str], **params: str) -> list[dict[str, Any]]:
    response = await http.get("/epcis/events", params={"perPage": "1000", **params}, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert validate(body) == [], "the answer must be a valid EPCISQueryDocument"
    return list(body["epcisBody"]["queryResults"]["resultsBody"]["eventList"])


def _events_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    body = doc["epcisBody"]
    return list(body["eventList"] if "eventList" in body else body["queryResults"]["resultsBody"]["eventList"])


def _as_sent(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in ("recordTime", "@context", "eventID")}


@pytest.mark.parametrize("path", valid_documents(), ids=lambda p: p.name)
async def test_every_valid_example_is_captured_and_comes_back_equivalent(
    db: Database, client: httpx.AsyncClient, path: Path
) -> None:
    auth = await _brand(db, client)
    sent = load(path)
    response = await _capture(client, auth, sent)
    assert response.status_code == 201, response.text
    assert response.headers["Location"] == f"/epcis/capture/{response.json()['captureID']}"
    assert response.headers["GS1-EPCIS-Version"] == "2.0.0"
    back = {e["eventID"]: e for e in await _events(client, auth)}
    for event in _events_of(sent):
        if "eventID" in event:
            returned = back[event["eventID"]]
        else:
            [returned] = [e for e in back.values() if _as_sent(e) == _as_sent(event)]
            assert returned["eventID"].startswith("ni:///sha-256;")
        assert _as_sent(returned) == _as_sent(event)
        assert "recordTime" in returned
        extra = [c for c in (sent["@context"] if isinstance(sent["@context"], list) else []) if isinstance(c, dict)]
        assert all(c in returned.get("@context", []) for c in extra), "events keep the prefixes they use"


@pytest.mark.parametrize("path", invalid_documents(), ids=lambda p: p.name)
async def test_every_invalid_document_is_refused_whole(db: Database, client: httpx.AsyncClient, path: Path) -> None:
    auth = await _brand(db, client)
    response = await _capture(client, auth, load(path))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "epcisException:ValidationException" and problem["status"] == 400
    assert problem["errors"] and all("path" in e and "message" in e for e in problem["errors"])
    assert await _events(client, auth) == []


async def test_the_same_document_twice_is_stored_once(db: Database, client: httpx.AsyncClient) -> None:
    auth = await _brand(db, client)
    sent = document(object_event(), object_event())
    first, again = await _capture(client, auth, sent), await _capture(client, auth, sent)
    assert (first.json()["storedCount"], again.json()["storedCount"]) == (2, 0)
    assert len(await _events(client, auth)) == 2
    job = await client.get(first.headers["Location"], headers=auth)
    assert job.json() | {"createdAt": None, "finishedAt": None} == {
        "captureID": first.json()["captureID"],
        "createdAt": None,
        "finishedAt": None,
        "running": False,
        "success": True,
        "captureErrorBehaviour": "rollback",
        "errors": [],
        "errorCount": 0,
        "eventCount": 2,
        "storedCount": 2,
    }


async def test_a_large_document_becomes_a_capture_job(db: Database, client: httpx.AsyncClient, runner: Runner) -> None:
    auth = await _brand(db, client)
    events = [object_event(epcList=[bottle(), bottle()]) for _ in range(501)]
    response = await _capture(client, auth, document(*events))
    assert response.status_code == 202, response.text
    location = response.headers["Location"]
    assert (await client.get(location, headers=auth)).json()["running"] is True
    await runner.drain()
    job = (await client.get(location, headers=auth)).json()
    assert (job["running"], job["success"], job["storedCount"]) == (False, True, 501)
    assert len(await _events(client, auth, MATCH_epc=events[500]["epcList"][1])) == 1


async def test_a_large_invalid_document_fails_its_job_with_every_error(
    db: Database, client: httpx.AsyncClient, runner: Runner
) -> None:
    auth = await _brand(db, client)
    events = [object_event() for _ in range(600)]
    events[7]["bizStep"] = "teleporting"
    events[599]["epcList"] = ["https://id.gs1.org/01/06901234567891/21/1"]
    response = await _capture(client, auth, document(*events))
    await runner.drain()
    job = (await client.get(response.headers["Location"], headers=auth)).json()
    assert (job["running"], job["success"], job["errorCount"]) == (False, False, 2)
    assert [e["path"] for e in job["errors"]] == [
        "/epcisBody/eventList/7/bizStep",
        "/epcisBody/eventList/599/epcList/0",
    ]
    assert await _events(client, auth) == []


class TestQueries:
    async def test_one_event_by_its_url_encoded_id(self, db: Database, client: httpx.AsyncClient) -> None:
        auth = await _brand(db, client)
        await _capture(client, auth, document(object_event()))
        [event] = await _events(client, auth)
        response = await client.get(f"/epcis/events/{quote(event['eventID'], safe='')}", headers=auth)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/ld+json")
        assert _events_of(response.json()) == [event]
        missing = await client.get(
            "/epcis/events/" + quote("urn:uuid:00000000-0000-0000-0000-000000000000"), headers=auth
        )
        assert missing.status_code == 404
        assert missing.json()["type"] == "epcisException:NoSuchResourceException"

    async def test_paging_follows_the_link_header(self, db: Database, client: httpx.AsyncClient) -> None:
        auth = await _brand(db, client)
        await _capture(client, auth, document(*[object_event() for _ in range(5)]))
        url, seen = "/epcis/events?perPage=2&EQ_bizStep=shipping", 0
        while url:
            response = await client.get(url, headers=auth)
            seen += len(_events_of(response.json()))
            link = response.headers.get("Link")
            url = link[1 : link.index(">")] if link else ""
        assert seen == 5

    async def test_standard_parameters(self, db: Database, client: httpx.AsyncClient) -> None:
        auth = await _brand(db, client)
        pallet = "urn:epc:id:sscc:6901234.0000000017"
        packing = {**object_event(), "type": "AggregationEvent", "action": "ADD", "parentID": pallet}
        packing["childEPCs"] = packing.pop("epcList")
        sent = document(object_event(epcList=[bottle(900)]), packing, object_event(bizStep="receiving"))
        await _capture(client, auth, sent)

        async def count(**params: str) -> int:
            return len(await _events(client, auth, **params))

        assert await count(eventType="AggregationEvent") == 1
        assert await count(eventType="ObjectEvent|AggregationEvent") == 3
        assert await count(EQ_bizStep="receiving") == 1
        assert await count(EQ_action="ADD") == 1
        assert await count(EQ_disposition="in_transit") == 3
        assert await count(MATCH_epc=bottle(900)) == 1
        assert await count(MATCH_parentID=pallet) == 1
        assert await count(MATCH_anyEPC="https://id.gs1.org/00/069012340000000177") == 1
        assert await count(EQ_readPoint="urn:epc:id:sgln:6901234.00001.0") == 3
        assert await count(EQ_bizLocation="urn:epc:id:sgln:6901234.00001.0") == 0
        assert await count(GE_eventTime="2024-05-01T02:00:00Z", LT_eventTime="2024-05-01T02:00:00.001Z") == 3
        assert await count(GE_recordTime="2000-01-01T00:00:00Z") == 3

    @pytest.mark.parametrize(
        "query", ["perPage=0", "perPage=abc", "MATCH_everything=1", "GE_eventTime=soon", "EQ_action=MOVE"]
    )
    async def test_bad_parameters_are_problems(self, db: Database, client: httpx.AsyncClient, query: str) -> None:
        auth = await _brand(db, client)
        response = await client.get(f"/epcis/events?{query}", headers=auth)
        assert response.status_code == 400
        assert response.json()["type"] == "epcisException:QueryParameterException"


class TestTheBinding:
    async def test_both_content_types_and_no_other(self, db: Database, client: httpx.AsyncClient) -> None:
        auth = await _brand(db, client)
        body = json.dumps(document(object_event()))
        json_type = await client.post(
            "/epcis/capture", content=body, headers={**auth, "Content-Type": "application/json"}
        )
        assert json_type.status_code == 201
        text = await client.post("/epcis/capture", content=body, headers={**auth, "Content-Type": "text/plain"})
        assert text.status_code == 415

    async def test_not_json(self, db: Database, client: httpx.AsyncClient) -> None:
        auth = await _brand(db, client)
        response = await client.post("/epcis/capture", content=b"{nope", headers={**auth, **LD})
        assert response.status_code == 400 and response.json()["errors"][0]["code"] == "document"

    async def test_only_rollback_and_epcis_2(self, db: Database, client: httpx.AsyncClient) -> None:
        auth = await _brand(db, client)
        body = json.dumps(document(object_event()))
        proceed = {**auth, **LD, "GS1-Capture-Error-Behaviour": "proceed"}
        assert (await client.post("/epcis/capture", content=body, headers=proceed)).status_code == 400
        old = {**auth, **LD, "GS1-EPCIS-Version": "1.2"}
        assert (await client.post("/epcis/capture", content=body, headers=old)).status_code == 406

    async def test_discovery(self, db: Database, client: httpx.AsyncClient) -> None:
        auth = await _brand(db, client)
        options = await client.options("/epcis/capture", headers=auth)
        assert options.status_code == 204
        assert options.headers["GS1-EPCIS-Capture-Limit"] == "10000"
        assert options.headers["GS1-Capture-Error-Behaviour"] == "rollback"
        top = await client.get("/epcis", headers=auth)
        assert top.json()["member"] == ["capture", "events"]


class TestAccess:
    async def test_anonymous_callers_get_a_security_problem(self, client: httpx.AsyncClient) -> None:
        for method, url in [("GET", "/epcis/events"), ("POST", "/epcis/capture"), ("GET", "/epcis/capture/1")]:
            response = await client.request(method, url)
            assert response.status_code == 401
            assert response.json()["type"] == "epcisException:SecurityException"

    async def test_permissions_by_role(self, db: Database, client: httpx.AsyncClient) -> None:
        slug = await create_tenant(db)
        body = json.dumps(document(object_event()))
        for role, can_read, can_capture in [
            ("auditor", True, False),
            ("finance", False, False),
            ("operator", True, True),
        ]:
            login = await create_staff(db, slug, roles=(role,))
            session = await login_session(client, db, login)
            read = await client.get("/epcis/events", headers=session)
            captured = await client.post("/epcis/capture", content=body, headers={**session, **LD})
            assert (read.status_code == 200, captured.status_code == 201) == (can_read, can_capture), role
            if not can_capture:
                assert captured.status_code == 403

    async def test_another_brand_sees_nothing(self, db: Database, client: httpx.AsyncClient) -> None:
        owner, intruder = await _brand(db, client), await _brand(db, client)
        captured = await _capture(client, owner, document(object_event()))
        [event] = await _events(client, owner)
        assert await _events(client, intruder) == []
        assert (await client.get(captured.headers["Location"], headers=intruder)).status_code == 404
        by_id = await client.get(f"/epcis/events/{quote(event['eventID'], safe='')}", headers=intruder)
        assert by_id.status_code == 404
        again = await _capture(client, intruder, document(object_event(**{k: event[k] for k in ("epcList",)})))
        assert again.json()["storedCount"] == 1  # the intruder's own event, not a duplicate of the owner's

    async def test_a_token_needs_the_scope(self, db: Database, client: httpx.AsyncClient) -> None:
        auth = await _brand(db, client, ["trace:read"])
        response = await _capture(client, auth, document(object_event()))
        assert response.status_code == 403


async def test_too_many_events_are_refused_before_anything_else(
    db: Database, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(capture_service, "CAPTURE_LIMIT", 2)
    auth = await _brand(db, client)
    response = await _capture(client, auth, document(object_event(), object_event(), object_event()))
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:CaptureLimitExceededException"


async def test_printed_unit_urls_are_epcs_in_any_case(db: Database, client: httpx.AsyncClient) -> None:
    auth = await _brand(db, client)
    printed = "HTTPS://M.BRAND.CN/C/8FZ84Q785R5NDZMNYZHH"
    assert (await _capture(client, auth, document(object_event(epcList=[printed])))).status_code == 201
    [event] = await _events(client, auth, MATCH_epc="https://m.brand.cn/c/8fz84q785r5ndzmnyzhh")
    assert event["epcList"] == [printed]


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "EPCISDocument", "note": "\\u0000"}',
        b'{"type": "EPCISDocument", "quantity": 1e999}',
        b'{"type": "EPCISDocument", "quantity": NaN}',
        b'{"type": "EPCISDocument", "note": "\\ud800"}',
        b"[" * 100_000 + b"]" * 100_000,
        b"[1, 2]",
    ],
    ids=["nul", "infinite", "nan", "lone-surrogate", "deep", "not-an-object"],
)
async def test_json_no_column_can_hold_is_a_validation_problem(
    db: Database, client: httpx.AsyncClient, body: bytes
) -> None:
    auth = await _brand(db, client)
    response = await client.post("/epcis/capture", content=body, headers={**auth, **LD})
    assert response.status_code == 400, response.text
    assert response.json()["type"] == "epcisException:ValidationException"


async def test_odd_ids_are_simply_not_found(db: Database, client: httpx.AsyncClient) -> None:
    auth = await _brand(db, client)
    for url in ["/epcis/capture/²", "/epcis/capture/99999999999999999999", "/epcis/events/" + "x" * 600]:
        assert (await client.get(url, headers=auth)).status_code == 404, url
    assert (await client.get("/epcis/events?perPage=²", headers=auth)).status_code == 400
