"""Ctx: what every service call receives — the session, the tenant, the actor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from yima.platform.db.base import utcnow
from yima.platform.errors import Forbidden

Answer = TypeVar("Answer", bound=BaseModel)

ActorKind = Literal["staff", "client", "system", "anonymous", "person"]


@dataclass(frozen=True)
class TenantInfo:
    id: int
    slug: str
    name: str
    time_zone: str = "Asia/Shanghai"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: int | None = None
    name: str = ""
    permissions: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    # Regions (GB/T 2260 codes) a regional manager is limited to; None means the whole brand.
    region_codes: tuple[str, ...] | None = None
    # The partner records ("dealer", id) / ("store", id) a channel account (渠道账号) acts for;
    # None for staff, clients and the system, who are not limited to partners of their own.
    parties: frozenset[tuple[str, int]] | None = None

    def can(self, permission: str) -> bool:
        return self.kind == "system" or permission in self.permissions


SYSTEM = Actor(kind="system", name="system")
ANONYMOUS = Actor(kind="anonymous", name="anonymous")


@dataclass
class Ctx:
    session: AsyncSession
    tenant: TenantInfo | None = None
    actor: Actor = ANONYMOUS
    request_id: str | None = None
    ip: str | None = None
    locale: str = "zh"
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def tenant_id(self) -> int:
        if self.tenant is None:
            raise RuntimeError("this use case needs a tenant")
        return self.tenant.id

    def require(self, permission: str) -> None:
        if not self.actor.can(permission):
            raise Forbidden(f"permission {permission!r} is required", code="permission_denied")

    def now(self) -> dt.datetime:
        return utcnow()

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A UTC moment in the tenant's time zone (for display and for 'a day')."""
        zone = self.tenant.zone if self.tenant else ZoneInfo("Asia/Shanghai")
        return moment.astimezone(zone)

    def shown(self, answer: Answer) -> Answer:
        """``answer`` as the brand reads it: each of its moments (stored UTC) in its time zone."""
        moments = {name: self.local(value) for name, value in answer if isinstance(value, dt.datetime)}
        return answer.model_copy(update=moments) if moments else answer
