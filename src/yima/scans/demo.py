"""The demo campaign's first day and a half: consumers across the country opening 金樽 bottles and
scanning them through the real scan flow (verify, risk control, draw, wallet), at the times and
places they would — so the live dashboard, the wallets and the review queue have something to
show under ``make run``. A few of them come from one phone in a minute: risk control holds them.

Scans a middle slice of the demo's activated bottles (tests and the browser journey use the
first and the last ones). Idempotent: a campaign that has scans is left as it is."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from yima.campaigns import service as campaigns
from yima.campaigns.schemas import CampaignFilter
from yima.codes import service as codes
from yima.platform.ctx import Ctx
from yima.scans import repository as repo
from yima.scans.schemas import ScanCreate
from yima.scans.service.draw import scan_code

CAMPAIGN = "开瓶扫码赢红包（演示）"
SCANS = 120
FARM = 12  # one phone scanning a dozen codes within a minute: risk control holds the last ones
SPREAD = dt.timedelta(hours=36)
# Where consumers open bottles: (lat, lon, weight) around the demo's dealers' cities.
PLACES = [
    (30.6586, 104.0648, 6),  # 成都
    (29.5630, 106.5516, 3),  # 重庆
    (26.6470, 106.6302, 3),  # 贵阳
    (31.2304, 121.4737, 4),  # 上海
    (30.2741, 120.1551, 2),  # 杭州
    (32.0603, 118.7969, 2),  # 南京
    (23.1291, 113.2644, 2),  # 广州
    (39.9042, 116.4074, 2),  # 北京
]


@dataclasses.dataclass
class _Then(Ctx):
    """The seed's Ctx at a moment of the past: the scan flow reads the clock through ``now``."""

    moment: dt.datetime = dataclasses.field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def now(self) -> dt.datetime:
        return self.moment


async def seed(ctx: Ctx) -> None:
    listed = await campaigns.list_campaigns(ctx, CampaignFilter(q=CAMPAIGN), 10, None)
    found = [c for c in listed if c.name == CAMPAIGN]
    if not found or await repo.campaign_scanned(ctx.session, found[0].id):
        return
    urls = await codes.sample_urls(ctx, "bottle", "inner", 2 * SCANS + FARM)
    if len(urls) < 2 * SCANS + FARM:
        return
    rng = random.Random(2026)  # noqa: S311 -- demo data, the same on every install
    now = ctx.now()
    places = [(lat, lon) for lat, lon, weight in PLACES for _ in range(weight)]
    token: str | None = None
    for i, url in enumerate(urls[SCANS // 2 : SCANS // 2 + SCANS]):
        at = now - SPREAD * (1 - i / SCANS) + dt.timedelta(seconds=rng.randint(0, 600))
        lat, lon = rng.choice(places)
        ip = f"117.{rng.randint(128, 191)}.{rng.randint(0, 255)}.9"
        then = _Then(ctx.session, ctx.tenant, ctx.actor, ip=ip, moment=at)
        if token is None or rng.random() < 0.6:  # most bottles are a new consumer's
            token = None
        data = ScanCreate(code=url, lat=lat + rng.uniform(-0.05, 0.05), lon=lon + rng.uniform(-0.05, 0.05))
        answer = await scan_code(then, data, token, None, "Mozilla/5.0 (iPhone) MicroMessenger")
        token = answer.visitor_token or token
    farm = urls[-FARM:]
    for i, url in enumerate(farm):
        then = _Then(ctx.session, ctx.tenant, ctx.actor, ip="36.110.0.17", moment=now - dt.timedelta(seconds=60 - i))
        data = ScanCreate(code=url, device_id="emulator-00000001")
        answer = await scan_code(then, data, token if i else None, None, "Dalvik/2.1.0")
        token = answer.visitor_token or token
