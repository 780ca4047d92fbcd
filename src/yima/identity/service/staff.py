"""Staff members of a brand, their roles and the permissions those grant."""

from __future__ import annotations

from collections.abc import Sequence

from pwdlib import PasswordHash
from sqlalchemy.ext.asyncio import AsyncSession

from yima.identity import repository as repo
from yima.identity import rules
from yima.identity.models import Role, StaffMember, User
from yima.identity.permissions import CONSOLE_SESSION_ID, STAFF_MANAGE, STAFF_READ
from yima.identity.schemas import (
    PermissionRead,
    RoleCreate,
    RoleRead,
    RoleUpdate,
    StaffCreate,
    StaffFilter,
    StaffRead,
    StaffUpdate,
)
from yima.identity.service.audit import record_audit
from yima.platform.ctx import Actor, Ctx
from yima.platform.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from yima.platform.permissions import all_permissions

passwords = PasswordHash.recommended()


def _role_read(role: Role) -> RoleRead:
    return RoleRead(
        id=role.id,
        code=role.code,
        name=role.name,
        builtin=role.builtin,
        permissions=sorted(rules.role_permissions(role.code, role.builtin, role.permissions)),
    )


def _staff_read(staff: StaffMember, user: User, roles: list[str], now_locked: bool) -> StaffRead:
    return StaffRead(
        id=staff.id,
        user_id=user.id,
        login=user.login,
        display_name=user.display_name,
        roles=roles,
        region_codes=list(staff.region_codes),
        is_active=staff.is_active and user.is_active,
        locked=now_locked,
        created_at=staff.created_at,
        last_login_at=user.last_login_at,
    )


async def staff_actor(session: AsyncSession, user: User, tenant_id: int) -> Actor | None:
    """The actor a user is in one brand, or None if they are not an active member of it."""
    staff = await repo.get_staff_of_user(session, user.id)
    if staff is None or not staff.is_active or not user.is_active or staff.tenant_id != tenant_id:
        return None
    permissions: set[str] = set()
    roles = await repo.roles_of_staff(session, staff.id)
    for role in roles:
        permissions |= rules.role_permissions(role.code, role.builtin, role.permissions)
    return Actor(
        kind="staff",
        id=user.id,
        name=user.display_name or user.login,
        permissions=frozenset(permissions),
        roles=frozenset(r.code for r in roles),
        region_codes=tuple(staff.region_codes) or None,
    )


def _check_owner_change(ctx: Ctx, before: Sequence[str], after: Sequence[str], field: str) -> None:
    """Only an owner makes or unmakes an owner."""
    touches_owner = ("owner" in before) != ("owner" in after)
    if touches_owner and ctx.actor.kind != "system" and "owner" not in ctx.actor.roles:
        raise Forbidden(
            "only an owner can grant or remove the owner role",
            [FieldError(field, "owner role", "escalation")],
        )


async def _roles_for(ctx: Ctx, codes: Sequence[str], field: str) -> list[Role]:
    roles = await repo.roles_by_code(ctx.session, codes)
    missing = sorted(set(codes) - {r.code for r in roles})
    if missing:
        raise Invalid("unknown roles", [FieldError(field, f"no role {c!r}", "unknown_role") for c in missing])
    # Nobody hands out more than they hold: granting a role needs every permission it carries.
    for role in roles:
        excess = rules.role_permissions(role.code, role.builtin, role.permissions) - ctx.actor.permissions
        if excess and ctx.actor.kind != "system":
            raise Forbidden(
                f"granting role {role.code!r} needs permissions you do not hold",
                [FieldError(field, f"you lack {sorted(excess)[0]!r}", "escalation")],
            )
    return roles


async def create_staff(ctx: Ctx, data: StaffCreate, *, link_existing: bool = False) -> StaffRead:
    """Add a person to the brand. A new login gets a user; an existing login is an error
    unless ``link_existing`` (the platform CLI), which adds the membership and keeps the
    person's password."""
    ctx.require(STAFF_MANAGE.name)
    _check_owner_change(ctx, [], data.roles, "roles")
    roles = await _roles_for(ctx, data.roles, "roles")
    user = await repo.get_user_by_login(ctx.session, data.login)
    if user is not None and not link_existing:
        raise Conflict("that login is taken", [FieldError("login", "already taken", "taken")])
    if user is None:
        _check_password(data.password, data.login)
        user = User(login=data.login, display_name=data.display_name, password_hash=passwords.hash(data.password))
        repo.add(ctx.session, user)
        await ctx.session.flush()
    elif await repo.get_staff_of_user(ctx.session, user.id):
        raise Conflict("that person is already staff of this brand", [FieldError("login", "already staff", "taken")])
    staff = StaffMember(tenant_id=ctx.tenant_id, user_id=user.id, region_codes=list(data.region_codes))
    repo.add(ctx.session, staff)
    await ctx.session.flush()
    await repo.replace_staff_roles(ctx.session, staff, roles)
    record_audit(
        ctx,
        "staff.created",
        "staff",
        staff.id,
        {"login": user.login, "roles": sorted(data.roles), "region_codes": list(data.region_codes)},
    )
    return ctx.shown(_staff_read(staff, user, sorted(data.roles), False))


async def _load_staff(ctx: Ctx, staff_id: int) -> tuple[StaffMember, User]:
    staff = await repo.get_staff(ctx.session, staff_id)
    user = await repo.get_user(ctx.session, staff.user_id) if staff else None
    if staff is None or user is None:
        raise NotFound(f"staff member {staff_id} not found")
    return staff, user


async def get_staff(ctx: Ctx, staff_id: int) -> StaffRead:
    ctx.require(STAFF_READ.name)
    staff, user = await _load_staff(ctx, staff_id)
    roles = (await repo.role_codes_by_staff(ctx.session, [staff.id]))[staff.id]
    return ctx.shown(_staff_read(staff, user, roles, rules.is_locked(user.locked_until, ctx.now())))


async def _check_holds_all(ctx: Ctx, staff: StaffMember) -> None:
    """A staff member's account (password, activity, roles) is changed only by someone holding
    every permission they hold: resetting the password of someone who holds more is taking over
    what they hold."""
    if ctx.actor.kind == "system":
        return
    held: set[str] = set()
    for role in await repo.roles_of_staff(ctx.session, staff.id):
        held |= rules.role_permissions(role.code, role.builtin, role.permissions)
    excess = held - ctx.actor.permissions
    if excess:
        raise Forbidden(
            "this person holds permissions you do not hold; someone holding them changes their account",
            [FieldError("staff", f"you lack {p!r}", "escalation") for p in sorted(excess)],
        )


async def update_staff(ctx: Ctx, staff_id: int, data: StaffUpdate) -> StaffRead:
    ctx.require(STAFF_MANAGE.name)
    staff, user = await _load_staff(ctx, staff_id)
    before_roles = (await repo.role_codes_by_staff(ctx.session, [staff.id]))[staff.id]
    if "owner" in before_roles:
        # An owner's account (password, activity, roles) is changed by an owner only.
        _check_owner_change(ctx, ["owner"], [], "roles")
    await _check_holds_all(ctx, staff)
    changes: dict[str, object] = {}
    if data.display_name is not None and data.display_name != user.display_name:
        # The name is the person's, shown in every brand they work for: one brand's staff
        # managers do not rename them in another's.
        await _check_own_account(ctx, user, "display_name", "their own name")
        changes["display_name"] = [user.display_name, data.display_name]
        user.display_name = data.display_name
    if data.password is not None:
        # A brand may only reset passwords of people who belong to it alone.
        await _check_own_account(ctx, user, "password", "their own password")
        _check_password(data.password, user.login)
        user.password_hash = passwords.hash(data.password)
        user.failed_logins, user.locked_until = 0, None
        # Whoever knew the old password is signed out everywhere (the caller keeps their own session).
        await repo.revoke_sessions_of_user(ctx.session, user.id, ctx.now(), keep=_own_session(ctx))
        changes["password"] = "reset"  # noqa: S105 -- the audit says that, never the value
    if data.region_codes is not None and data.region_codes != staff.region_codes:
        changes["region_codes"] = [staff.region_codes, data.region_codes]
        staff.region_codes = list(data.region_codes)
    if data.is_active is not None and data.is_active != staff.is_active:
        changes["is_active"] = [staff.is_active, data.is_active]
        staff.is_active = data.is_active
        if not data.is_active:  # signed out of this brand now, not back in when reactivated
            await repo.revoke_sessions_of_user(ctx.session, user.id, ctx.now(), tenant_id=ctx.tenant_id)
    roles_after = before_roles
    if data.roles is not None and sorted(data.roles) != before_roles:
        _check_owner_change(ctx, before_roles, data.roles, "roles")
        await repo.replace_staff_roles(ctx.session, staff, await _roles_for(ctx, data.roles, "roles"))
        roles_after = sorted(data.roles)
        changes["roles"] = [before_roles, roles_after]
    await ctx.session.flush()
    if "owner" in before_roles and await repo.count_active_owners(ctx.session) == 0:
        raise Conflict("a brand keeps at least one active owner", [FieldError("roles", "last owner", "last_owner")])
    if changes:
        record_audit(ctx, "staff.updated", "staff", staff.id, changes)
    return ctx.shown(_staff_read(staff, user, roles_after, rules.is_locked(user.locked_until, ctx.now())))


async def _check_own_account(ctx: Ctx, user: User, field: str, what: str) -> None:
    if ctx.actor.kind != "system" and len(await repo.tenant_ids_of_user(ctx.session, user.id)) > 1:
        raise Forbidden(
            f"this person also works for another brand; they change {what}",
            [FieldError(field, "shared account", "shared_account")],
        )


def _check_password(password: str, login: str) -> None:
    problems = rules.password_problems(password, login)
    if problems:
        raise Invalid("the password is not acceptable", [FieldError("password", m, c) for m, c in problems])


def _own_session(ctx: Ctx) -> int | None:
    """The console session the caller is signed in with, if any (set by the edge)."""
    found = ctx.extra.get(CONSOLE_SESSION_ID)
    return found if isinstance(found, int) else None


async def list_staff(ctx: Ctx, filters: StaffFilter, limit: int, before_id: int | None) -> list[StaffRead]:
    """Up to ``limit + 1`` members, newest first (the extra one tells the edge a page follows)."""
    ctx.require(STAFF_READ.name)
    rows = await repo.list_staff(ctx.session, filters, limit + 1, before_id)
    roles = await repo.role_codes_by_staff(ctx.session, [s.id for s, _ in rows])
    now = ctx.now()
    return [ctx.shown(_staff_read(s, u, roles[s.id], rules.is_locked(u.locked_until, now))) for s, u in rows]


async def list_roles(ctx: Ctx) -> list[RoleRead]:
    ctx.require(STAFF_READ.name)
    return [_role_read(r) for r in await repo.list_roles(ctx.session)]


async def roles_of_actor(ctx: Ctx) -> list[RoleRead]:
    """The roles the calling staff member holds in this brand (their own: no permission needed)."""
    if ctx.actor.kind != "staff" or ctx.actor.id is None:
        return []
    staff = await repo.get_staff_of_user(ctx.session, ctx.actor.id)
    if staff is None:
        return []
    return [_role_read(r) for r in await repo.roles_of_staff(ctx.session, staff.id)]


def list_permissions(ctx: Ctx) -> list[PermissionRead]:
    ctx.require(STAFF_READ.name)
    return [
        PermissionRead(name=p.name, area=p.area, label_zh=p.label_zh, label_en=p.label_en) for p in all_permissions()
    ]


def _check_permission_names(ctx: Ctx, names: Sequence[str]) -> None:
    unknown = rules.unknown_permissions(names)
    if unknown:
        raise Invalid(
            "unknown permissions",
            [FieldError("permissions", f"no permission {n!r}", "unknown_permission") for n in unknown],
        )
    excess = set(names) - ctx.actor.permissions
    if excess and ctx.actor.kind != "system":
        raise Forbidden(
            "a role cannot carry permissions you do not hold",
            [FieldError("permissions", f"you lack {n!r}", "escalation") for n in sorted(excess)],
        )


async def create_role(ctx: Ctx, data: RoleCreate) -> RoleRead:
    ctx.require(STAFF_MANAGE.name)
    _check_permission_names(ctx, data.permissions)
    if await repo.roles_by_code(ctx.session, [data.code]):
        raise Conflict("a role with that code exists", [FieldError("code", "already taken", "taken")])
    role = Role(tenant_id=ctx.tenant_id, code=data.code, name=data.name, permissions=sorted(set(data.permissions)))
    repo.add(ctx.session, role)
    await ctx.session.flush()
    record_audit(ctx, "role.created", "role", role.id, {"code": role.code, "permissions": role.permissions})
    return _role_read(role)


async def _custom_role(ctx: Ctx, role_id: int) -> Role:
    role = await repo.get_role(ctx.session, role_id)
    if role is None:
        raise NotFound(f"role {role_id} not found")
    if role.builtin:
        raise Conflict("built-in roles cannot be changed", [FieldError("role", "built-in", "builtin")])
    # Changing or deleting a role changes what its holders may do: only by someone holding it all.
    excess = set(role.permissions) - ctx.actor.permissions
    if excess and ctx.actor.kind != "system":
        raise Forbidden(
            "the role carries permissions you do not hold",
            [FieldError("permissions", f"you lack {p!r}", "escalation") for p in sorted(excess)],
        )
    return role


async def update_role(ctx: Ctx, role_id: int, data: RoleUpdate) -> RoleRead:
    ctx.require(STAFF_MANAGE.name)
    role = await _custom_role(ctx, role_id)
    changes: dict[str, object] = {}
    if data.name is not None and data.name != role.name:
        changes["name"] = [role.name, data.name]
        role.name = data.name
    if data.permissions is not None:
        _check_permission_names(ctx, data.permissions)
        new = sorted(set(data.permissions))
        if new != role.permissions:
            changes["permissions"] = [role.permissions, new]
            role.permissions = new
    await ctx.session.flush()
    if changes:
        record_audit(ctx, "role.updated", "role", role.id, changes)
    return _role_read(role)


async def delete_role(ctx: Ctx, role_id: int) -> None:
    ctx.require(STAFF_MANAGE.name)
    role = await _custom_role(ctx, role_id)
    if await repo.role_in_use(ctx.session, role.id):
        raise Conflict("the role is still held by staff", [FieldError("role", "in use", "in_use")])
    await ctx.session.delete(role)
    await ctx.session.flush()
    record_audit(ctx, "role.deleted", "role", role_id, {"code": role.code})


async def find_staff_by_login(ctx: Ctx, login: str) -> StaffRead | None:
    ctx.require(STAFF_READ.name)
    user = await repo.get_user_by_login(ctx.session, login.strip().lower())
    staff = await repo.get_staff_of_user(ctx.session, user.id) if user else None
    if staff is None:
        return None
    return await get_staff(ctx, staff.id)


async def reset_password(ctx: Ctx, user_id: int, password: str) -> None:
    """Set a password and clear the lock (platform operators: the system actor only). A new
    password ends every console session of the person; setting the one they have (the demo's
    refresh) ends none."""
    if ctx.actor.kind != "system":
        raise Forbidden("only the platform can reset a password directly")
    user = await repo.get_user(ctx.session, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    _check_password(password, user.login)
    if not passwords.verify(password, user.password_hash):
        user.password_hash = passwords.hash(password)
        await repo.revoke_sessions_of_user(ctx.session, user.id, ctx.now())
    user.failed_logins, user.locked_until = 0, None
    await ctx.session.flush()


async def reset_password_of_login(ctx: Ctx, login: str, password: str) -> None:
    """``reset_password`` for the person signing in as ``login`` (the platform CLI)."""
    user = await repo.get_user_by_login(ctx.session, login.strip().lower())
    if user is None:
        raise NotFound(f"no user with login {login!r}", [FieldError("login", "no such login", "not_found")])
    await reset_password(ctx, user.id, password)
