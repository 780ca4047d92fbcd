"""The demo brand's goods on the road: one pallet into the Renhuai warehouse, shipped to 成都蓉城酒业
and received, then signed for by a Chongqing store — outside the dealer's territory (成都市), so
the diversion report, its map and the south-west regional manager's inbox have a finding to show.

Uses the last activated demo pallet (the tests sample the first ones). Idempotent: a pallet
that already has a holder is left as it is."""

from __future__ import annotations

from yima.codes import service as codes
from yima.partners import service as partners
from yima.platform.ctx import Ctx
from yima.trace.schemas import PartyRef, Receipt, Shipment, WarehouseIn
from yima.trace.service import holder_of, receive, ship, warehouse_in

WAREHOUSE, DEALER, FAR_STORE = "WH-RH-C01", "D-CD-001", "S-CQ-0001"


async def seed(ctx: Ctx) -> None:
    pallets = await codes.sample_urls(ctx, "pallet", "outer", 1000)
    warehouse = await partners.find_warehouse(ctx, WAREHOUSE)
    dealer = await partners.find_dealer(ctx, DEALER)
    store = await partners.find_store(ctx, FAR_STORE)
    if not pallets or warehouse is None or dealer is None or store is None:
        return
    pallet = pallets[-1]
    if await holder_of(ctx, (await codes.locate(ctx, pallet, "pallet")).serial) is not None:
        return
    codes_ = [pallet]
    await warehouse_in(ctx, WarehouseIn(codes=codes_, warehouse_id=warehouse.id, reference="RK-DEMO-001"))
    source, to_dealer = PartyRef(kind="warehouse", id=warehouse.id), PartyRef(kind="dealer", id=dealer.id)
    await ship(ctx, Shipment(codes=codes_, source=source, destination=to_dealer, reference="FH-DEMO-001"))
    await receive(ctx, Receipt(codes=codes_, receiver=to_dealer))
    to_store = PartyRef(kind="store", id=store.id)
    await ship(ctx, Shipment(codes=codes_, source=to_dealer, destination=to_store, reference="FH-DEMO-002"))
    await receive(ctx, Receipt(codes=codes_, receiver=to_store))  # 签收 in 重庆: a diversion finding
