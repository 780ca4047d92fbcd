"""The demo brand's channel: its warehouses in 贵州 (near 赤水 and 仁怀), six dealers with their
territories, twenty stores inside them, and the channel accounts (渠道账号) of one dealer's and one
store's owner, of a salesman (业务员) of that dealer looking after three of its stores and of a
guide (导购) of that store, who sign in on /m/partner/login (idempotent: what exists is left as it
is).

Addresses and points are plausible, not real businesses; phone numbers are fictional."""

from __future__ import annotations

from yima.partners import service
from yima.partners.schemas import (
    ChannelRoleCreate,
    DealerCreate,
    LocationCreate,
    StoreCreate,
    StoreUpdate,
    WarehouseCreate,
)
from yima.platform.ctx import Ctx
from yima.platform.errors import Conflict

WAREHOUSES = [
    WarehouseCreate(
        code="WH-CS-F01",
        name="赤水工厂成品仓",
        kind="factory",
        address="贵州省遵义市赤水市经济开发区酒业大道 8 号",
        lat=28.5740,
        lon=105.6930,
    ),
    WarehouseCreate(
        code="WH-RH-C01",
        name="仁怀中心仓",
        kind="central",
        address="贵州省遵义市仁怀市茅台镇酱香大道 1 号",
        lat=27.8636,
        lon=106.3825,
    ),
    WarehouseCreate(
        code="WH-CD-R01",
        name="成都区域仓",
        kind="regional",
        address="四川省成都市双流区物联大道 66 号",
        lat=30.5190,
        lon=103.9600,
    ),
    WarehouseCreate(
        code="WH-SH-R01",
        name="上海区域仓",
        kind="regional",
        address="上海市嘉定区兴贤路 1180 号",
        lat=31.3400,
        lon=121.2600,
    ),
]
# Storage locations of the central warehouse.
LOCATIONS = {
    "WH-RH-C01": [
        ("A-01", "A 区 1 排 · 整托"),
        ("A-02", "A 区 2 排 · 整托"),
        ("B-01", "B 区 · 零箱"),
        ("Q-01", "待检区"),
    ]
}
# (code, name, contact, phone, seat address, territory)
DEALERS = [
    ("D-CD-001", "成都蓉城酒业有限公司", "张伟", "13800000101", "四川省成都市锦江区东大街 100 号", ["510100"]),
    ("D-CQ-001", "重庆渝州名酒商贸有限公司", "王芳", "13800000102", "重庆市渝中区民族路 168 号", ["500000"]),
    ("D-SH-001", "上海申禾酒业有限公司", "陈杰", "13800000103", "上海市静安区南京西路 1266 号", ["310000"]),
    ("D-HZ-001", "杭州钱塘酒业贸易有限公司", "刘洋", "13800000104", "浙江省杭州市西湖区文三路 90 号", ["330100"]),
    ("D-GZ-001", "广州羊城佳酿商贸有限公司", "黄丽", "13800000105", "广东省广州市天河区天河路 385 号", ["440100"]),
    ("D-BJ-001", "北京京华酒业有限公司", "赵磊", "13800000106", "北京市朝阳区建国路 87 号", ["110000"]),
]
# A store's tags follow its grade in the demo: the A stores are the core ones.
DEMO_TAGS = {"A": ["核心店", "形象店"], "B": ["宴席店"]}
# Stores by dealer: (code, name, owner, address, lat, lon, category, grade)
STORES = {
    "D-CD-001": [
        ("S-CD-0001", "春熙路名酒行", "李红", "四川省成都市锦江区春熙路 88 号", 30.657, 104.081, "烟酒店", "A"),
        ("S-CD-0002", "宽窄巷子川味酒坊", "周强", "四川省成都市青羊区宽巷子 26 号", 30.6635, 104.056, "餐饮", "B"),
        ("S-CD-0003", "玉林烟酒超市", "吴敏", "四川省成都市武侯区玉林北路 12 号", 30.633, 104.058, "烟酒店", "A"),
        ("S-CD-0004", "温江国色酒行", "郑浩", "四川省成都市温江区光华大道三段 1588 号", 30.682, 103.856, "烟酒店", "C"),
    ],
    "D-CQ-001": [
        ("S-CQ-0001", "解放碑名酒汇", "孙丽", "重庆市渝中区邹容路 68 号", 29.557, 106.577, "烟酒店", "A"),
        ("S-CQ-0002", "观音桥酒水批发部", "马超", "重庆市江北区建新北路 38 号", 29.576, 106.533, "批发", "B"),
        ("S-CQ-0003", "南坪宴席酒楼", "胡静", "重庆市南岸区南坪西路 22 号", 29.53, 106.564, "餐饮", "B"),
        ("S-CQ-0004", "三峡广场烟酒店", "林峰", "重庆市沙坪坝区三峡广场 1 号", 29.558, 106.458, "烟酒店", "C"),
    ],
    "D-SH-001": [
        ("S-SH-0001", "南京西路名酒坊", "何俊", "上海市静安区南京西路 1038 号", 31.229, 121.46, "烟酒店", "A"),
        ("S-SH-0002", "陆家嘴国酒馆", "高洁", "上海市浦东新区陆家嘴环路 1000 号", 31.239, 121.507, "烟酒店", "A"),
        ("S-SH-0003", "徐家汇酒水超市", "罗斌", "上海市徐汇区虹桥路 1 号", 31.195, 121.437, "商超", "B"),
    ],
    "D-HZ-001": [
        ("S-HZ-0001", "文三路名酒行", "梁晨", "浙江省杭州市西湖区文三路 259 号", 30.278, 120.135, "烟酒店", "A"),
        ("S-HZ-0002", "湖滨烟酒店", "宋雨", "浙江省杭州市上城区延安路 258 号", 30.256, 120.164, "烟酒店", "B"),
        ("S-HZ-0003", "滨江宴会酒楼", "唐凯", "浙江省杭州市滨江区江南大道 3888 号", 30.208, 120.211, "餐饮", "C"),
    ],
    "D-GZ-001": [
        ("S-GZ-0001", "天河城名酒汇", "许婷", "广东省广州市天河区天河路 208 号", 23.133, 113.325, "烟酒店", "A"),
        ("S-GZ-0002", "北京路老字号酒庄", "韩东", "广东省广州市越秀区北京路 300 号", 23.126, 113.269, "烟酒店", "B"),
        ("S-GZ-0003", "番禺酒水批发部", "冯涛", "广东省广州市番禺区繁华路 8 号", 22.938, 113.364, "批发", "C"),
    ],
    "D-BJ-001": [
        ("S-BJ-0001", "国贸名酒行", "曹阳", "北京市朝阳区建国门外大街 1 号", 39.909, 116.458, "烟酒店", "A"),
        ("S-BJ-0002", "西单烟酒超市", "彭飞", "北京市西城区西单北大街 120 号", 39.913, 116.374, "商超", "B"),
        ("S-BJ-0003", "中关村酒水店", "曾琳", "北京市海淀区中关村大街 27 号", 39.984, 116.316, "烟酒店", "C"),
    ],
}  # fmt: skip


async def seed(ctx: Ctx) -> None:
    for warehouse in WAREHOUSES:
        found = await service.find_warehouse(ctx, warehouse.code)
        if found is None:
            found = await service.create_warehouse(ctx, warehouse)
            for code, name in LOCATIONS.get(warehouse.code, []):
                await service.create_location(ctx, found.id, LocationCreate(code=code, name=name))
    dealer_ids: dict[str, int] = {}
    for code, name, contact, phone, address, territory in DEALERS:
        dealer = await service.find_dealer(ctx, code)
        if dealer is None:
            data = DealerCreate(
                code=code, name=name, contact_name=contact, phone=phone, address=address, territory=territory
            )
            dealer = await service.create_dealer(ctx, data)
        dealer_ids[code] = dealer.id
    stores = [(dealer, *store) for dealer, rows in STORES.items() for store in rows]
    for n, (dealer_code, code, name, owner, address, lat, lon, category, grade) in enumerate(stores, start=1):
        if await service.find_store(ctx, code):
            continue
        store = StoreCreate(
            code=code,
            name=name,
            dealer_id=dealer_ids[dealer_code],
            owner_name=owner,
            owner_phone=f"1390000{n:04d}",
            address=address,
            lat=lat,
            lon=lon,
            category=category,
            grade=grade,
            tags=DEMO_TAGS.get(grade or "", []),
        )
        await service.create_store(ctx, store)

    await _seed_accounts(ctx, dealer_ids)


# (phone, name, kind, dealer code or store code): printed with the demo logins.
ACCOUNTS = [
    ("13800000101", "张伟", "dealer_owner", "D-CD-001"),
    ("13900000001", "李红", "store_owner", "S-CD-0001"),
    ("13800000201", "赵刚", "salesman", "D-CD-001"),
    ("13900000201", "孙悦", "guide", "S-CD-0001"),
]
# The stores the salesman looks after: 春熙路名酒行 is the store of the rebates demo's BbC policy,
# so a BbC salesman share (业务员) earned there is his.
SALESMAN_STORES = ["S-CD-0001", "S-CD-0002", "S-CD-0003"]


async def _seed_accounts(ctx: Ctx, dealer_ids: dict[str, int]) -> None:
    for phone, name, kind, partner in ACCOUNTS:
        if partner in dealer_ids:
            data = ChannelRoleCreate(phone=phone, name=name, kind=kind, dealer_id=dealer_ids[partner])
        else:
            store = await service.find_store(ctx, partner)
            assert store is not None
            data = ChannelRoleCreate(phone=phone, name=name, kind=kind, store_id=store.id)
        try:
            role = await service.grant_role(ctx, data)
        except Conflict:  # granted by an earlier run
            continue
        if kind == "salesman":
            await _look_after(ctx, role.id, SALESMAN_STORES)


async def _look_after(ctx: Ctx, salesman_id: int, store_codes: list[str]) -> None:
    """The salesman looks after those of the stores no salesman looks after yet."""
    for code in store_codes:
        store = await service.find_store(ctx, code)
        if store is not None and store.salesman_id is None:
            await service.update_store(ctx, store.id, StoreUpdate(salesman_id=salesman_id))
