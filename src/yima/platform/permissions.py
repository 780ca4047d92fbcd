"""Permission names: each context declares its own in ``permissions.py``.

A permission says which built-in roles hold it by default; the ``owner`` role holds every
permission and the read-only ``auditor`` every ``…:read`` one. Custom roles pick from the
registry. API client scopes are the same names. A permission declared ``staff=False`` belongs to
another kind of account (partners' channel accounts) and is held by no staff role or client.
"""

from __future__ import annotations

from dataclasses import dataclass

BUILTIN_ROLES = ("owner", "admin", "operator", "finance", "regional_manager", "auditor")

_registry: dict[str, Permission] = {}


@dataclass(frozen=True)
class Permission:
    name: str
    label_zh: str
    label_en: str
    roles: tuple[str, ...] = ()
    staff: bool = True

    def __post_init__(self) -> None:
        area, _, action = self.name.partition(":")
        if not area or action not in ("read", "write", "manage"):
            raise ValueError(f"permission {self.name!r} must look like 'area:read|write|manage'")
        unknown = set(self.roles) - set(BUILTIN_ROLES)
        if unknown:
            raise ValueError(f"permission {self.name!r} names unknown roles {sorted(unknown)}")
        existing = _registry.get(self.name)
        if existing is not None and existing != self:
            raise ValueError(f"permission {self.name!r} declared twice")
        _registry[self.name] = self

    @property
    def area(self) -> str:
        return self.name.partition(":")[0]

    def __str__(self) -> str:
        return self.name


def all_permissions() -> list[Permission]:
    """What staff roles and API clients may hold."""
    return sorted((p for p in _registry.values() if p.staff), key=lambda p: p.name)


def known(name: str) -> bool:
    """A permission staff roles and API clients may hold."""
    return name in _registry and _registry[name].staff


def builtin_role_permissions(role: str) -> frozenset[str]:
    staff = [p for p in _registry.values() if p.staff]
    if role == "owner":
        return frozenset(p.name for p in staff)
    granted = {p.name for p in staff if role in p.roles}
    if role == "auditor":
        granted |= {p.name for p in staff if p.name.endswith(":read")}
    return frozenset(granted)
