"""Address text → region, with the confidence of the match."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from yima.geo import service as geo
from yima.identity.permissions import cli_context
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database


@pytest.fixture
async def ctx(db: Database) -> AsyncIterator[Ctx]:
    async with cli_context(db) as ctx:
        yield ctx


@pytest.mark.parametrize(
    ("address", "code", "detail", "named", "confidence"),
    [
        ("浙江省杭州市西湖区文三路", "330106", "文三路", ["province", "city", "district"], 1.0),
        ("杭州西湖区文三路 90 号", "330106", "文三路 90 号", ["city", "district"], 1.0),
        ("上海市黄浦区人民广场", "310101", "人民广场", ["province", "district"], 1.0),
        ("湖北省仙桃市沔阳大道", "429004", "沔阳大道", ["province", "district"], 1.0),
        ("重庆忠县", "500233", "", ["province", "district"], 1.0),
        ("仙桃市", "429004", "", ["district"], 0.8),  # named alone, a unique name
        ("西湖区文三路", "360103", "文三路", ["district"], 0.5),  # two 西湖区: the parser picks 南昌's
        ("广东省深圳市", "440300", "", ["province", "city"], 1.0),
        ("杭州市", "330100", "", ["city"], 0.8),
        ("香港九龙", "810000", "九龙", ["province"], 1.0),
    ],
)
async def test_addresses(ctx: Ctx, address: str, code: str, detail: str, named: list[str], confidence: float) -> None:
    parsed = await geo.parse_address(ctx, address)
    assert (parsed.code, parsed.detail, parsed.named, parsed.confidence) == (code, detail, named, confidence)


async def test_the_parts_of_a_full_address(ctx: Ctx) -> None:
    parsed = await geo.parse_address(ctx, "浙江省杭州市西湖区文三路")
    assert parsed.level == "district" and parsed.full_name == "浙江省 杭州市 西湖区"
    assert [(p.code, p.name) for p in (parsed.province, parsed.city, parsed.district) if p] == [
        ("330000", "浙江省"),
        ("330100", "杭州市"),
        ("330106", "西湖区"),
    ]


async def test_a_city_without_a_district(ctx: Ctx) -> None:
    parsed = await geo.parse_address(ctx, "广东省东莞市南城区")
    assert (parsed.code, parsed.level, parsed.district) == ("441900", "city", None)


@pytest.mark.parametrize("address", ["hello world", "文三路 90 号", "   "])
async def test_no_region_found(ctx: Ctx, address: str) -> None:
    parsed = await geo.parse_address(ctx, address)
    assert (parsed.code, parsed.level, parsed.province, parsed.named, parsed.confidence) == (None, None, None, [], 0.0)
