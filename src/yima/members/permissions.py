"""The members' permissions, and the dependency of routes called by a visitor's own phone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request

from yima.identity.permissions import public
from yima.platform.ctx import Ctx
from yima.platform.permissions import Permission

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
