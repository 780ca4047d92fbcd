"""Geo's permissions."""

from __future__ import annotations

from yima.platform.permissions import BUILTIN_ROLES, Permission

GEO_READ = Permission("geo:read", "查看行政区划", "View regions", BUILTIN_ROLES)
