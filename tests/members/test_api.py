"""The members' HTTP API: a visitor's phone verifying a number (header or cookie), the limits and
errors it meets, and the staff routes with their permissions and brand isolation."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.identity.factories import bearer, create_client, create_staff, create_tenant, login_session
from tests.members.factories import create_member, new_phone
from yima.members import sms
from yima.platform.db.session import Database

API = "/api/v1/members"


async def start(client: httpx.AsyncClient, brand: str = "acme") -> dict[str, str]:
    issued = await client.post(f"{API}/visitors", json={"brand": brand})
    assert issued.status_code == 201, issued.text
    client.cookies.clear()  # callers choose: the header here, the cookie in its own test
    return {"X-Yima-Visitor": issued.json()["visitor_token"]}


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


class TestVisitorPhone:
    async def test_a_visitor_verifies_a_phone_and_becomes_a_member(
        self, db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
    ) -> None:
        await create_tenant(db, "acme")
        visitor = await start(client)
        me = await client.get(f"{API}/me", headers=visitor)
        assert me.status_code == 200, me.text
        assert (me.json()["verified"], me.json()["phone"], me.json()["is_new"]) == (False, None, True)
        phone = new_phone()
        sent = await client.post(f"{API}/otp", json={"phone": f"+86 {phone}"}, headers=visitor)
        assert sent.status_code == 200, sent.text
        assert sent.json() == {"phone": f"{phone[:3]}****{phone[-4:]}", "expires_in": 300, "resend_after": 60}
        code = sink.last_code("+86" + phone) or ""
        verified = await client.post(f"{API}/otp/verify", json={"phone": phone, "code": code}, headers=visitor)
        assert verified.status_code == 200, verified.text
        assert verified.json()["person_id"] == me.json()["person_id"]
        assert (verified.json()["verified"], verified.json()["phone"]) == (True, f"{phone[:3]}****{phone[-4:]}")

    async def test_the_cookie_does_what_the_header_does(
        self, db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
    ) -> None:
        await create_tenant(db, "acme")
        issued = await client.post(f"{API}/visitors", json={"brand": "acme"})
        cookie = issued.headers["set-cookie"]
        assert "yima_visitor=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
        phone = new_phone()
        assert (await client.post(f"{API}/otp", json={"phone": phone})).status_code == 200
        code = sink.last_code("+86" + phone) or ""
        verified = await client.post(f"{API}/otp/verify", json={"phone": phone, "code": code})
        assert verified.status_code == 200 and verified.json()["verified"] is True

    async def test_wrong_codes_are_counted_across_requests(
        self, db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
    ) -> None:
        await create_tenant(db, "acme")
        visitor, phone = await start(client), new_phone()
        await client.post(f"{API}/otp", json={"phone": phone}, headers=visitor)
        bad = {"phone": phone, "code": wrong(sink.last_code("+86" + phone) or "0")}
        answers = [await client.post(f"{API}/otp/verify", json=bad, headers=visitor) for _ in range(5)]
        assert [a.status_code for a in answers] == [422] * 5
        assert [a.json()["error"]["code"] for a in answers] == ["wrong_code"] * 4 + ["too_many_attempts"]
        assert answers[3].json()["error"]["details"] == [
            {"field": "code", "message": "wrong code; 1 tries left", "code": "wrong_code"}
        ]

    async def test_a_second_code_within_a_minute_says_when(
        self, db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
    ) -> None:
        await create_tenant(db, "acme")
        visitor, phone = await start(client), new_phone()
        await client.post(f"{API}/otp", json={"phone": phone}, headers=visitor)
        again = await client.post(f"{API}/otp", json={"phone": phone}, headers=visitor)
        assert again.status_code == 429
        assert again.json()["error"]["code"] == "resend_too_soon"
        assert 55 <= int(again.headers["retry-after"]) <= 60
        assert len(sink.sent) == 1

    async def test_each_ip_is_rate_limited(
        self, db: Database, client: httpx.AsyncClient, policy: Callable[..., None]
    ) -> None:
        policy(otp_rate_per_minute=3)
        await create_tenant(db, "acme")
        visitor = await start(client)
        answers = [await client.post(f"{API}/otp", json={"phone": new_phone()}, headers=visitor) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]  # the visitor token took the first
        assert answers[-1].json()["error"]["code"] == "rate_limited"

    @pytest.mark.parametrize(
        ("headers", "code"),
        [
            ({}, "visitor_required"),
            ({"X-Yima-Visitor": "v1.1.forged"}, "invalid_visitor"),
            # a brand id no BIGINT holds: one answer with every forgery, not the database's "out of range"
            ({"X-Yima-Visitor": f"v1.{10**19 - 1}.{'A' * 22}.1.{'A' * 22}"}, "invalid_visitor"),
        ],
    )
    async def test_no_valid_visitor_token_no_entry(
        self, db: Database, client: httpx.AsyncClient, headers: dict[str, str], code: str
    ) -> None:
        await create_tenant(db, "acme")
        for method, path, body in (("GET", "/me", None), ("POST", "/otp", {"phone": new_phone()}),
                                   ("POST", "/otp/verify", {"phone": new_phone(), "code": "123456"})):  # fmt: skip
            answer = await client.request(method, f"{API}{path}", json=body, headers=headers)
            assert (answer.status_code, answer.json()["error"]["code"]) == (401, code)

    async def test_input_is_checked(self, db: Database, client: httpx.AsyncClient) -> None:
        await create_tenant(db, "acme")
        visitor = await start(client)
        bad_phone = await client.post(f"{API}/otp", json={"phone": "12345678901"}, headers=visitor)
        assert (bad_phone.status_code, bad_phone.json()["error"]["code"]) == (422, "invalid_phone")
        bad_code = await client.post(f"{API}/otp/verify", json={"phone": new_phone(), "code": "12ab"}, headers=visitor)
        assert bad_code.status_code == 422 and bad_code.json()["error"]["details"][0]["field"] == "code"
        unknown = await client.post(f"{API}/visitors", json={"brand": "no-such-brand"})
        assert unknown.status_code == 404

    @pytest.mark.parametrize("text", ["abc", "138 1234 123x", "１２３", "+44 20 7946 0000"])
    async def test_any_text_that_is_not_a_mobile_is_invalid_phone(
        self, db: Database, client: httpx.AsyncClient, text: str
    ) -> None:
        """One code a page or mini-program can act on (请输入正确的 11 位手机号), not a regex's."""
        await create_tenant(db, "acme")
        visitor = await start(client)
        for path, body in (("/otp", {"phone": text}), ("/otp/verify", {"phone": text, "code": "123456"})):
            answer = await client.post(f"{API}{path}", json=body, headers=visitor)
            assert (answer.status_code, answer.json()["error"]["code"]) == (422, "invalid_phone"), answer.text

    async def test_a_full_width_number_is_the_number(
        self, db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
    ) -> None:
        await create_tenant(db, "acme")
        visitor, phone = await start(client), new_phone()
        full_width = "".join(chr(ord(d) + 0xFEE0) for d in phone)
        sent = await client.post(f"{API}/otp", json={"phone": full_width}, headers=visitor)
        assert sent.status_code == 200, sent.text
        code = sink.last_code("+86" + phone) or ""
        verified = await client.post(f"{API}/otp/verify", json={"phone": phone, "code": code}, headers=visitor)
        assert verified.json()["phone"] == f"{phone[:3]}****{phone[-4:]}"

    async def test_times_are_the_brands_local_time(
        self, db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
    ) -> None:
        """As every consumer answer shows them (the scan's first_scanned_at, the awards)."""
        await create_tenant(db, "acme")
        visitor = await start(client)
        me = await client.get(f"{API}/me", headers=visitor)
        assert me.json()["first_seen_at"].endswith("+08:00"), me.text
        headers = await bearer(client, await create_client(db, "acme", ["members:read"]))
        await client.post(f"{API}/otp", json={"phone": new_phone()}, headers=visitor)
        shown = await client.get(f"{API}/persons/{me.json()['person_id']}", headers=headers)
        times = [shown.json()[k] for k in ("first_seen_at", "created_at", "updated_at")]
        times += [i["created_at"] for i in shown.json()["identities"]]
        times += [row["created_at"] for row in (await client.get(f"{API}/sms", headers=headers)).json()["items"]]
        assert times and all(t.endswith("+08:00") for t in times), times


class TestStaff:
    async def test_list_find_show_and_tag(self, db: Database, client: httpx.AsyncClient) -> None:
        await create_tenant(db, "acme")
        headers = await bearer(client, await create_client(db, "acme", ["members:read", "members:write"]))
        phone = new_phone()
        member = await create_member(db, "acme", phone, level=1)
        listed = await client.get(f"{API}/persons", params={"phone": phone}, headers=headers)
        assert listed.status_code == 200, listed.text
        [row] = listed.json()["items"]
        assert (row["id"], row["phone"], row["level"]) == (member.id, f"{phone[:3]}****{phone[-4:]}", 1)
        assert phone not in listed.text
        shown = await client.get(f"{API}/persons/{member.id}", headers=headers)
        assert [i["value"] for i in shown.json()["identities"]] == ["+86" + phone]
        body = {"tags": ["高净值"], "level": 2}
        tagged = await client.patch(f"{API}/persons/{member.id}", json=body, headers=headers)
        assert (tagged.json()["tags"], tagged.json()["level"]) == (["高净值"], 2)
        bad = await client.patch(f"{API}/persons/{member.id}", json={"level": -1}, headers=headers)
        assert bad.status_code == 422

    async def test_the_sms_log_masks_and_never_shows_the_code(
        self, db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
    ) -> None:
        await create_tenant(db, "acme")
        visitor, phone = await start(client), new_phone()
        await client.post(f"{API}/otp", json={"phone": phone}, headers=visitor)
        headers = await bearer(client, await create_client(db, "acme", ["members:read"]))
        log = await client.get(f"{API}/sms", headers=headers)
        [row] = log.json()["items"]
        assert (row["phone"], row["status"], row["provider"]) == (f"{phone[:3]}****{phone[-4:]}", "sent", "dev")
        assert (sink.last_code("+86" + phone) or "x") not in log.text and phone not in log.text

    async def test_permissions(self, db: Database, client: httpx.AsyncClient) -> None:
        await create_tenant(db, "acme")
        member = await create_member(db, "acme")
        assert (await client.get(f"{API}/persons")).status_code == 401
        reader = await bearer(client, await create_client(db, "acme", ["members:read"]))
        assert (await client.patch(f"{API}/persons/{member.id}", json={"level": 1}, headers=reader)).status_code == 403
        await create_staff(db, "acme", "cashier", roles=("finance",))
        finance = await login_session(client, db, "cashier")
        assert (await client.get(f"{API}/persons", headers=finance)).status_code == 403
        await create_staff(db, "acme", "ops", roles=("operator",))
        operator = await login_session(client, db, "ops")
        assert (await client.get(f"{API}/persons/{member.id}", headers=operator)).status_code == 200


class TestIsolation:
    async def test_brands_see_none_of_each_others_members(
        self, db: Database, client: httpx.AsyncClient, sink: sms.DevSmsSink
    ) -> None:
        await create_tenant(db, "acme")
        await create_tenant(db, "rival")
        phone = new_phone()
        theirs = await create_member(db, "acme", phone, tags=["acme-only"])
        rival = await bearer(client, await create_client(db, "rival", ["members:read", "members:write"]))
        assert (await client.get(f"{API}/persons/{theirs.id}", headers=rival)).status_code == 404
        assert (await client.patch(f"{API}/persons/{theirs.id}", json={"level": 3}, headers=rival)).status_code == 404
        listed = await client.get(f"{API}/persons", params={"phone": phone}, headers=rival)
        assert listed.json()["items"] == [] and "acme-only" not in listed.text

        visitor = await start(client, "rival")  # the same human at the rival brand is another person
        await client.post(f"{API}/otp", json={"phone": phone}, headers=visitor)
        code = sink.last_code("+86" + phone) or ""
        verified = await client.post(f"{API}/otp/verify", json={"phone": phone, "code": code}, headers=visitor)
        assert verified.status_code == 200 and verified.json()["person_id"] != theirs.id
        acme = await bearer(client, await create_client(db, "acme", ["members:read"]))
        shown = await client.get(f"{API}/persons/{theirs.id}", headers=acme)
        assert (shown.json()["merged_into_id"], shown.json()["tags"], shown.json()["level"]) == (None, ["acme-only"], 0)
