"""Words the trace pages share."""

from __future__ import annotations

from yima.platform.console import Text

STEPS = {
    "packing": Text("装箱/组托", "Packed"),
    "unpacking": Text("拆箱", "Unpacked"),
    "storing": Text("入库", "Into warehouse"),
    "shipping": Text("发货", "Shipped"),
    "receiving": Text("收货/签收", "Received"),
}
LEVELS = {"bottle": Text("瓶", "Bottle"), "case": Text("箱", "Case"), "pallet": Text("托", "Pallet")}
PARTIES = {
    "warehouse": Text("仓库", "Warehouse"),
    "location": Text("库位", "Location"),
    "dealer": Text("经销商", "Dealer"),
    "store": Text("门店", "Store"),
}
STATUSES = {
    "open": Text("待处理", "Open"),
    "confirmed": Text("已确认", "Confirmed"),
    "dismissed": Text("已驳回", "Dismissed"),
}
