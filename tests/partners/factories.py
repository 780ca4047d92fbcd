"""Plain factories for the partners' records, and the objects the route harnesses point at."""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from typing import Any

import httpx
from openpyxl import Workbook

from tests.harness import Principal
from tests.identity.factories import system
from tests.members.factories import sms_sink
from yima.partners import rules
from yima.partners import service as partners
from yima.partners.schemas import (
    ChannelRoleCreate,
    DealerCreate,
    DealerRead,
    LocationCreate,
    LocationRead,
    StoreCreate,
    StoreRead,
    StoreUpdate,
    WarehouseCreate,
    WarehouseRead,
)
from yima.platform.db.session import Database

_seq = itertools.count(1)
# Every seeded brand's channel account: one phone holding a role of each kind, tied to the brand's
# dealer or store (its salesman looks after the store). The phone is the same in every brand, so a
# session must keep to the brand it signed in to.
HARNESS_CHANNEL_PHONE = "13900009999"
HARNESS_PENDING_PHONE = "13900009998"
HARNESS_CHANNEL_KINDS: tuple[rules.RoleKind, ...] = ("dealer_owner", "store_owner", "salesman", "guide")


def header(kind: rules.SheetKind) -> list[str]:
    return [c.header for c in rules.IMPORT_COLUMNS[kind]]


async def create_warehouse(db: Database, slug: str, **overrides: Any) -> WarehouseRead:
    n = next(_seq)
    values: dict[str, Any] = {"code": f"WH-{n}", "name": f"仓库 {n}", "kind": "central", "region_code": "520382"}
    async with system(db, slug) as ctx:
        return await partners.create_warehouse(ctx, WarehouseCreate(**values | overrides))


async def create_location(db: Database, slug: str, warehouse_id: int, **overrides: Any) -> LocationRead:
    n = next(_seq)
    async with system(db, slug) as ctx:
        data = LocationCreate(**{"code": f"L-{n}", "name": f"库位 {n}"} | overrides)
        return await partners.create_location(ctx, warehouse_id, data)


async def create_dealer(
    db: Database, slug: str, territory: Sequence[str] = ("510100",), **overrides: Any
) -> DealerRead:
    n = next(_seq)
    values: dict[str, Any] = {"code": f"D-{n}", "name": f"经销商 {n}", "territory": list(territory)}
    async with system(db, slug) as ctx:
        return await partners.create_dealer(ctx, DealerCreate(**values | overrides))


async def create_store(db: Database, slug: str, dealer_id: int | None = None, **overrides: Any) -> StoreRead:
    n = next(_seq)
    values: dict[str, Any] = {"code": f"S-{n}", "name": f"门店 {n}", "dealer_id": dealer_id, "region_code": "510104"}
    async with system(db, slug) as ctx:
        return await partners.create_store(ctx, StoreCreate(**values | overrides))


def workbook(kind: rules.SheetKind, rows: Sequence[Sequence[object]], head: Sequence[str] | None = None) -> bytes:
    """An .xlsx whose first sheet has the header of ``kind`` (or ``head``) and ``rows``."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(head if head is not None else header(kind)))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def harness_objects(db: Database, slug: str, marker: str) -> tuple[dict[str, int], list[str]]:
    warehouse = await create_warehouse(db, slug, code=f"{slug}-wh", name=f"{marker} 仓库", address=f"{marker} 仓库路")
    location = await create_location(db, slug, warehouse.id, code=f"{slug}-loc", name=f"{marker} 库位")
    dealer = await create_dealer(
        db, slug, code=f"{slug}-dealer", name=f"{marker} 经销商", contact_name=f"{marker} 联系人"
    )
    store = await create_store(
        db, slug, dealer.id, code=f"{slug}-store", name=f"{marker} 门店", address=f"{marker} 门店地址"
    )
    async with system(db, slug) as ctx:
        roles = {}
        for kind in HARNESS_CHANNEL_KINDS:
            partner = {"store_id": store.id} if rules.ROLE_TIES[kind][0] == "store" else {"dealer_id": dealer.id}
            role = ChannelRoleCreate(phone=HARNESS_CHANNEL_PHONE, name=f"{marker} {kind}", kind=kind, **partner)
            roles[kind] = await partners.grant_role(ctx, role)
        await partners.update_store(ctx, store.id, StoreUpdate(salesman_id=roles["salesman"].id))
    ids = {"warehouse_id": warehouse.id, "location_id": location.id, "dealer_id": dealer.id, "store_id": store.id}
    ids |= {"salesman_id": roles["salesman"].id, "account_id": roles["guide"].id}
    ids["registration_id"] = await _pending_clerk(db, slug, store.id, marker)
    return ids, [f"{slug}-wh", f"{slug}-loc", f"{slug}-dealer", f"{slug}-store"]


async def _pending_clerk(db: Database, slug: str, store_id: int, marker: str) -> int:
    """A role waiting for review (注册审核), as a clerk's registration leaves it."""
    async with system(db, slug) as ctx:
        clerk = {"kind": "store_clerk", "store_id": store_id, "name": f"{marker} 店员"}
        granted = await partners.grant_role(ctx, ChannelRoleCreate(phone=HARNESS_PENDING_PHONE, **clerk))
        return (await partners.set_role_status(ctx, granted.id, "pending")).id


async def harness_channel_account(client: httpx.AsyncClient, slug: str) -> Principal:
    """A seeded brand's channel account, signed in with the permissions its roles give."""
    held = frozenset[str]().union(*(rules.ROLE_PERMISSIONS[kind] for kind in HARNESS_CHANNEL_KINDS))
    headers = await channel_auth(client, slug, HARNESS_CHANNEL_PHONE)
    return Principal(headers, held, narrowed_by=frozenset({"not_your_partner", "permission_denied"}))


async def channel_token(client: httpx.AsyncClient, slug: str, phone: str) -> str:
    """Sign a channel account in through the API (SMS code from a development sink): its token."""
    with sms_sink() as dev:
        sent = await client.post("/api/v1/partners/login/code", json={"brand": slug, "phone": phone})
        assert sent.status_code == 200, sent.text
        body = {"brand": slug, "phone": phone, "code": dev.last_code("+86" + phone)}
        signed = await client.post("/api/v1/partners/login", json=body)
    assert signed.status_code == 200, signed.text
    return str(signed.json()["token"])


async def channel_auth(client: httpx.AsyncClient, slug: str, phone: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await channel_token(client, slug, phone)}"}
