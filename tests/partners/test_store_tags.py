"""A store's tags (门店标签) through the API and the stores sheet: trimmed, each once, at most 20
of 20 characters each; an update replaces the list ([] clears it); a sheet's cell lists them
separated by commas or 、, and the export writes them back the same way."""

from __future__ import annotations

import io

import httpx
from openpyxl import load_workbook

from tests.identity.factories import bearer, create_client, create_tenant, system
from tests.partners.factories import workbook
from yima.partners import rules
from yima.partners import service as partners
from yima.partners.schemas import StoreFilter
from yima.platform.db.session import Database

STORES = "/api/v1/partners/stores"


async def test_tags_are_kept_once_each_and_replaced_whole(db: Database, client: httpx.AsyncClient) -> None:
    await create_tenant(db, "acme")
    staff = await bearer(client, await create_client(db, "acme", ["partners:read", "partners:write"]))
    body = {"code": "S-T-1", "name": "标签门店", "tags": [" 核心店", "宴席店", "核心店"]}
    created = await client.post(STORES, json=body, headers=staff)
    assert created.status_code == 201, created.text
    assert created.json()["tags"] == ["核心店", "宴席店"]
    store_id = created.json()["id"]
    kept = await client.patch(f"{STORES}/{store_id}", json={"name": "标签门店二"}, headers=staff)
    assert kept.json()["tags"] == ["核心店", "宴席店"]  # not sent: unchanged
    cleared = await client.patch(f"{STORES}/{store_id}", json={"tags": []}, headers=staff)
    assert cleared.json()["tags"] == []
    for bad in (["x" * 21], [f"t{i}" for i in range(21)], [""]):
        refused = await client.patch(f"{STORES}/{store_id}", json={"tags": bad}, headers=staff)
        assert refused.status_code == 422 and "tags" in refused.text, refused.text
    assert (await client.get(f"{STORES}/{store_id}", headers=staff)).json()["tags"] == []


async def test_the_sheet_reads_and_writes_tags_in_one_cell(db: Database) -> None:
    await create_tenant(db, "acme")
    row = {"code": "S-T-2", "name": "宴席门店", "tags": "宴席店、社区店,宴席店"}
    content = workbook("stores", [[row.get(c.field) for c in rules.IMPORT_COLUMNS["stores"]]])
    async with system(db, "acme") as ctx:
        await partners.import_stores(ctx, content, "upsert")
        store = await partners.find_store(ctx, "S-T-2")
        assert store is not None and store.tags == ["宴席店", "社区店"]
        exported = await partners.export_stores(ctx, StoreFilter())
    rows = list(load_workbook(io.BytesIO(exported)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][list(rows[0]).index("标签 tags")] == "宴席店、社区店"
