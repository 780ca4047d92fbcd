"""``yima geo …`` as a person runs it, against the live server's database."""

from __future__ import annotations

import json

from tests.live import LiveServer


def test_load_is_idempotent(live: LiveServer) -> None:
    assert "3511 regions: 0 added, 0 updated, 3511 unchanged" in live.yima("geo", "load")


def test_locate_a_point(live: LiveServer) -> None:
    located = json.loads(live.yima("geo", "locate", "--lat", "30.2590", "--lon", "120.1300", "--json"))
    assert located["region"]["code"] == "330106" and located["distance_km"] < 1


def test_parse_an_address(live: LiveServer) -> None:
    parsed = json.loads(live.yima("geo", "parse", "浙江省杭州市西湖区文三路", "--json"))
    assert (parsed["code"], parsed["detail"], parsed["confidence"]) == ("330106", "文三路", 1.0)
