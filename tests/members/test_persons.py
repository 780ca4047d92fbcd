"""Persons (One ID): one person per visitor even when the first requests race, found by phone,
profiled for campaigns, listed with phones masked, levels and tags set by staff."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.harness import delete_brand, statements
from tests.identity.factories import create_tenant, system
from tests.members.factories import at, create_member, new_phone, new_visitor
from yima.identity.models import AuditEntry
from yima.members import repository as repo
from yima.members import service as members
from yima.members.models import Identity, Person
from yima.members.schemas import PersonFilter, PersonUpdate
from yima.members.service import persons
from yima.platform import caches
from yima.platform.db.base import utcnow
from yima.platform.db.session import Database
from yima.platform.db.tenancy import TenancyError
from yima.platform.errors import Conflict, Invalid, NotFound


@pytest.fixture
async def brand(db: Database) -> str:
    return await create_tenant(db, "acme")


async def count_persons(db: Database, slug: str) -> int:
    async with system(db, slug) as ctx:
        return int(await ctx.session.scalar(select(func.count()).select_from(Person)) or 0)


class TestVisitors:
    async def test_a_visitor_is_one_person_made_on_first_sight(self, db: Database, brand: str) -> None:
        visitor = new_visitor()
        async with system(db, "acme") as ctx:
            first = await members.visitor_person(ctx, visitor)
        async with system(db, "acme") as ctx:
            again = await members.visitor_person(ctx, visitor)
            other = await members.visitor_person(ctx, new_visitor())
        assert again.id == first.id != other.id
        assert [i.kind for i in first.identities] == ["visitor"] and first.identities[0].value == visitor[:8] + "…"
        assert (first.level, first.tags, first.phone, first.is_new) == (0, [], None, True)

    async def test_a_new_visitors_person_is_made_in_two_statements_and_found_again(
        self, db: Database, brand: str
    ) -> None:
        visitor = new_visitor()
        async with system(db, "acme") as ctx:
            with statements(db) as ran:
                person_id = await members.new_visitor_person_id(ctx, visitor)
            # no lookup, no savepoint: nobody else holds a new id
            assert ran == (["WITH"] if db.engine.dialect.name == "postgresql" else ["INSERT", "INSERT"])
        async with system(db, "acme") as ctx:
            assert await members.visitor_person_id(ctx, visitor) == person_id
            person = await members.visitor_person(ctx, visitor)
        assert (person.id, person.level, person.is_new) == (person_id, 0, True)
        assert [i.kind for i in person.identities] == ["visitor"]
        async with system(db, "acme") as ctx:
            with pytest.raises(Invalid):
                await members.new_visitor_person_id(ctx, "not a visitor id")
            with pytest.raises(TenancyError):  # a person of another brand's
                await repo.insert_new_owner(ctx.session, ctx.tenant_id + 1, "visitor", new_visitor(), utcnow())
        assert await count_persons(db, "acme") == 1

    async def test_the_request_that_loses_the_insert_takes_the_winners_person(
        self, db: Database, brand: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Deterministic: the lookup misses (as for two requests at once), the insert then meets
        the winner's row on the unique key, and the loser reads the winner's person."""
        visitor = new_visitor()
        async with system(db, "acme") as ctx:
            winner = await members.visitor_person(ctx, visitor)
        looked_up = repo.find_identity
        misses = iter([True])

        async def stale_lookup(session, kind, value):  # type: ignore[no-untyped-def]
            return None if next(misses, False) else await looked_up(session, kind, value)

        monkeypatch.setattr(repo, "find_identity", stale_lookup)
        async with system(db, "acme") as ctx:
            loser = await members.visitor_person(ctx, visitor)
        assert loser.id == winner.id
        assert await count_persons(db, "acme") == 1

    async def test_concurrent_first_visits_make_one_person(
        self, engine_db: Database, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Real transactions on their own connections. On PostgreSQL all of them miss the lookup
        before any inserts (a barrier holds them), so the unique key decides; SQLite runs one
        writer at a time (BEGIN IMMEDIATE), so they queue and the later ones find the first."""
        slug, racers = "members-race", 6
        caches.clear_all()
        await create_tenant(engine_db, slug)
        try:
            if engine_db.backend == "postgresql":
                barrier, looked_up, waits = asyncio.Barrier(racers), repo.find_identity, [0]

                async def lookup_together(session, kind, value):  # type: ignore[no-untyped-def]
                    found = await looked_up(session, kind, value)
                    if found is None and waits[0] < racers:
                        waits[0] += 1
                        await barrier.wait()
                    return found

                monkeypatch.setattr(repo, "find_identity", lookup_together)
            visitor = new_visitor()

            async def visit() -> int:
                async with system(engine_db, slug) as ctx:
                    return (await members.visitor_person(ctx, visitor)).id

            ids = await asyncio.gather(*(visit() for _ in range(racers)))
            assert len(set(ids)) == 1
            assert await count_persons(engine_db, slug) == 1
        finally:
            await delete_brand(engine_db, slug)
            caches.clear_all()

    async def test_not_a_visitor_id(self, db: Database, brand: str) -> None:
        async with system(db, "acme") as ctx:
            with pytest.raises(Exception, match="not a visitor id"):
                await members.visitor_person(ctx, "short")


class TestLookups:
    async def test_by_phone_in_any_spelling(self, db: Database, brand: str) -> None:
        phone = new_phone()
        member = await create_member(db, "acme", phone)
        async with system(db, "acme") as ctx:
            found = await members.person_by_phone(ctx, f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}")
            assert found is not None and found.id == member.id
            assert await members.person_by_phone(ctx, new_phone()) is None
            assert (await members.phone_person(ctx, phone)).id == member.id

    async def test_a_profile_says_level_tags_new_and_verified(self, db: Database, brand: str) -> None:
        member = await create_member(db, "acme", level=3, tags=["高净值", "品鉴会", "高净值"])
        async with system(db, "acme") as ctx:
            profile = await members.member_profile(ctx, member.id)
            assert (profile.level, profile.tags, profile.verified) == (3, ["品鉴会", "高净值"], True)
            assert profile.is_new is True
            tomorrow = await members.member_profile(at(ctx, utcnow() + dt.timedelta(days=1)), member.id)
            assert tomorrow.is_new is False

    async def test_an_unknown_person(self, db: Database, brand: str) -> None:
        async with system(db, "acme") as ctx:
            with pytest.raises(NotFound):
                await members.resolve_person(ctx, 987654321)


class TestStaff:
    async def test_list_masks_phones_and_filters(self, db: Database, brand: str) -> None:
        phone = new_phone()
        gold = await create_member(db, "acme", phone, level=2, tags=["宴席客户"])
        await create_member(db, "acme", level=1)
        async with system(db, "acme") as ctx:
            everyone = await members.list_persons(ctx, PersonFilter(), 50, None)
            assert [p.phone for p in everyone if p.id == gold.id] == [f"{phone[:3]}****{phone[-4:]}"]
            assert all(phone not in p.model_dump_json() for p in everyone)
            by_phone = await members.list_persons(ctx, PersonFilter(phone=phone), 50, None)
            by_tag = await members.list_persons(ctx, PersonFilter(tag="宴席客户"), 50, None)
            by_level = await members.list_persons(ctx, PersonFilter(level=2), 50, None)
            assert [p.id for p in by_phone] == [p.id for p in by_tag] == [p.id for p in by_level] == [gold.id]
            detail = await members.get_person(ctx, gold.id)
            assert [(i.kind, i.value) for i in detail.identities] == [("phone", "+86" + phone)]

    async def test_level_and_tags_are_set_and_audited(self, db: Database, brand: str) -> None:
        member = await create_member(db, "acme", tags=["a", "b"])
        async with system(db, "acme") as ctx:
            updated = await members.update_person(ctx, member.id, PersonUpdate(level=4, tags=["b", "c"]))
            assert (updated.level, updated.tags) == (4, ["b", "c"])
            unchanged = await members.update_person(ctx, member.id, PersonUpdate(tags=["c", "b"]))
            assert unchanged.tags == ["b", "c"]
            entries = (await ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.updated"))).all()
        assert [e.changes for e in entries if e.target_id == str(member.id)][-1] == {
            "level": [0, 4],
            "tags": [["a", "b"], ["b", "c"]],
        }
        assert len([e for e in entries if e.target_id == str(member.id)]) == 2  # the made-up one and this

    async def test_a_merged_person_is_changed_through_its_survivor(self, db: Database, brand: str) -> None:
        survivor = await create_member(db, "acme")
        async with system(db, "acme") as ctx:
            ghost = await persons.person_for_identity(ctx, "visitor", new_visitor())
            owner = await persons.resolved_person(ctx, survivor.id)
            await repo.merge_person(ctx.session, ghost, owner, ctx.now())
            with pytest.raises(Conflict, match=f"merged into {survivor.id}"):
                await members.update_person(ctx, ghost.id, PersonUpdate(level=1))
            assert (await members.resolve_person(ctx, ghost.id)).id == survivor.id
            held = (await ctx.session.scalars(select(Identity.person_id))).all()
        assert set(held) == {survivor.id}


class TestVisitorTokens:
    async def test_a_token_reads_back_only_at_its_own_brand(self, db: Database, brand: str) -> None:
        await create_tenant(db, "rival")
        async with system(db, "acme") as ctx:
            issued = await members.issue_visitor(ctx)
            assert await members.read_visitor(ctx, issued.visitor_token) == issued.visitor_id
            token = issued.visitor_token
            assert await members.read_visitor(ctx, token[:-1] + ("B" if token.endswith("A") else "A")) is None
            assert await members.read_visitor(ctx, None) is None
            assert issued.expires_in == 400 * 86400
        async with system(db, "rival") as ctx:
            assert await members.read_visitor(ctx, issued.visitor_token) is None
            with pytest.raises(NotFound):
                await members.start_visit(ctx, "no-such-brand")
