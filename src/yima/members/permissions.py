"""The members' permissions, the dependency of routes called by a visitor's own phone, and the
per-IP limit of the routes that send and check SMS codes (the API's and the phone pages')."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from yima.identity.permissions import public
from yima.members.config import members_settings
from yima.platform.ctx import Ctx
from yima.platform.permissions import Permission
from yima.platform.ratelimit import RateLimiter

MEMBERS_READ = Permission("members:read", "查看会员", "View members", ("admin", "operator"))
MEMBERS_WRITE = Permission(
    "members:write", "管理会员等级与标签", "Manage member levels and tags", ("admin", "operator")
)

VISITOR_COOKIE = "yima_visitor"
VISITOR_HEADER = "X-Yima-Visitor"


@dataclass
class VisitorCall:
    """A request made by a visitor's own phone page or mini-program: its Ctx (bound to the brand
    of the visitor token, in a transaction of its own) and the visitor id the token proves."""

    ctx: Ctx
    visitor_id: str


async def _visitor_call(
    request: Request,
    x_yima_visitor: Annotated[
        str | None, Header(max_length=200, description="The visitor token (phone pages send the cookie instead)")
    ] = None,
    ctx: Ctx = public(),
) -> VisitorCall:
    from yima.members import service

    token = x_yima_visitor or request.cookies.get(VISITOR_COOKIE)
    return VisitorCall(ctx, await service.enter_as_visitor(ctx, token))


# ``call: Visitor``: a public route (``public()`` owns its transaction) that only a holder of a
# visitor token may call; 401 ``visitor_required`` or ``invalid_visitor`` otherwise.
Visitor = Annotated[VisitorCall, Depends(_visitor_call)]


CODES_LIMITER = "members"


def throttle_codes(request: Request, ip: str | None) -> None:
    """The per-IP limit (YIMA_OTP_RATE_PER_MINUTE, in process memory like the login's) of every
    public route that sends or checks an SMS code, whichever page or API it is reached by."""
    limiters: dict[str, RateLimiter] = request.app.state.limiters
    if CODES_LIMITER not in limiters:
        limiters[CODES_LIMITER] = RateLimiter(members_settings().otp_rate_per_minute)
    limiters[CODES_LIMITER].hit(ip or "?")
