"""我的账号 (/m/partner) shows each role the work it can actually do: 物流作业 only to the roles that
move goods (a dealer's and a store's people); a salesman (业务员) his stores and his rewards; a
guide (导购) their rewards and how to register goods (the bottle cap's outer code)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.identity.factories import create_tenant, system
from tests.partners.factories import channel_token, create_dealer, create_store
from yima.partners import service as partners
from yima.partners.schemas import ChannelRoleCreate
from yima.platform.db.session import Database

PHONE = "13700000031"
LOGISTICS, REWARDS, STORES, SCANS, COUPONS, REBATES = (
    "/m/trace", "/m/rebates/mine", "/m/rebates/stores", "/m/rebates/scans", "/m/rebates/coupons", "/m/rebates/mine",
)  # fmt: skip


def _work(html: str) -> list[str]:
    """The links under 办理业务, in order."""
    section = html.split("<h2>办理业务</h2>", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a class="row" href="([^"]+)"', section)


@pytest.mark.parametrize(
    ("kind", "tie", "work"),
    [
        ("salesman", "dealer", [REWARDS, STORES]),
        ("guide", "store", [REWARDS]),
        ("store_clerk", "store", [LOGISTICS, REWARDS, SCANS, COUPONS]),
        ("dealer_staff", "dealer", [LOGISTICS, STORES, REBATES]),
    ],
)
async def test_each_role_is_shown_the_work_it_can_do(
    db: Database, client: httpx.AsyncClient, kind: str, tie: str, work: list[str]
) -> None:
    await create_tenant(db, "acme")
    dealer = await create_dealer(db, "acme", name="成都蓉城酒业")
    store = await create_store(db, "acme", dealer.id, name="春熙路名酒行")
    ids = {"dealer_id": dealer.id} if tie == "dealer" else {"store_id": store.id}
    async with system(db, "acme") as ctx:
        await partners.grant_role(ctx, ChannelRoleCreate(phone=PHONE, name="赵刚", kind=kind, **ids))  # type: ignore[arg-type]
    client.cookies.set("yima_channel", await channel_token(client, "acme", PHONE))

    home = await client.get("/m/partner")
    assert home.status_code == 200, home.text
    assert _work(home.text) == [*work, "/m/partner/register"]
    assert ("物流作业" in home.text) is (LOGISTICS in work)
    assert ("瓶盖外码" in home.text) is (kind == "guide")  # how a guide registers the goods they sell
    if kind == "salesman":
        assert "我的奖励" in home.text and "您负责的门店及其登记的商品" in home.text and "我的返利" not in home.text
    if kind == "guide":
        assert 'data-hint="guide-scan"' in home.text and "我的门店" not in home.text
