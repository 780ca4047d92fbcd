"""Plain factories for the members' records, and the objects the route harnesses point at."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.identity.factories import system
from yima.members import service as members
from yima.members import sms
from yima.members.schemas import PersonRead, PersonUpdate
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database

_seq = itertools.count(1)


def new_visitor() -> str:
    return secrets.token_urlsafe(16)


def new_phone() -> str:
    """A fictional mobile number no other test of the run uses."""
    return f"1370000{next(_seq):04d}"


@contextmanager
def sms_sink() -> Iterator[sms.DevSmsSink]:
    """Meanwhile every code goes to a development sink (read back with ``last_code``), no SMS is sent."""
    dev = sms.DevSmsSink()
    previous = sms.use_sender(dev)
    try:
        yield dev
    finally:
        sms.use_sender(previous)


@pytest.fixture(autouse=True)
def sink() -> Iterator[sms.DevSmsSink]:
    """Each test its own SMS sink, where a conftest imports this fixture."""
    with sms_sink() as dev:
        yield dev


def at(ctx: Ctx, moment: dt.datetime) -> Ctx:
    """``ctx`` living at ``moment`` (codes expire, cooldowns pass, days turn)."""
    ctx.now = lambda: moment  # type: ignore[method-assign]
    return ctx


async def create_member(db: Database, slug: str, phone: str | None = None, **update: object) -> PersonRead:
    """A person holding a verified ``phone`` (made up when not given), with level and tags."""
    async with system(db, slug) as ctx:
        person = await members.phone_person(ctx, phone or new_phone())
        if update:
            person = await members.update_person(ctx, person.id, PersonUpdate(**update))  # type: ignore[arg-type]
        return person


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    phone = new_phone()
    person = await create_member(db, slug, phone, tags=[marker])
    async with system(db, slug) as ctx:
        await members.send_code(ctx, phone)  # an SMS log row and a code row to keep unchanged
    return {"person_id": person.id}, [phone]
