"""The partners' permissions."""

from __future__ import annotations

from yima.identity.permissions import SIGN_INS, SignIn
from yima.partners import rules
from yima.platform.ctx import Ctx
from yima.platform.permissions import Permission

PARTNERS_READ = Permission(
    "partners:read",
    "查看经销商、门店与仓库",
    "View dealers, stores and warehouses",
    ("admin", "operator", "finance", "regional_manager"),
)
PARTNERS_WRITE = Permission(
    "partners:write",
    "管理经销商、门店与仓库",
    "Manage dealers, stores and warehouses",
    ("admin", "operator"),
)
CHANNEL_SELF = Permission(
    rules.CHANNEL_SELF, "渠道账号本人", "A channel account's own data (dealers' and stores' people)", staff=False
)
CHANNEL_COOKIE = "yima_channel"
BRAND_COOKIE = "yima_brand"  # the brand a phone last signed in to, for the way back to its login


async def _sign_in(ctx: Ctx, token: str) -> str | None:
    from yima.partners import service

    return await service.sign_in_channel(ctx, token)


# Channel accounts call the API with their session token (Bearer) or the phone pages' cookie.
SIGN_INS.append(SignIn(rules.CHANNEL_TOKEN_PREFIX, CHANNEL_COOKIE, _sign_in))
