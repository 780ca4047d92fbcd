"""Logging in: console sessions (password, lockout, CSRF) and OAuth 2.0 client credentials."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlalchemy.ext.asyncio import AsyncSession

from yima.identity import repository as repo
from yima.identity import rules
from yima.identity.errors import AccountLocked, InvalidClient, InvalidCredentials, InvalidScope, InvalidToken
from yima.identity.models import ConsoleSession, User
from yima.identity.permissions import CONSOLE_SESSION_ID
from yima.identity.schemas import PasswordChange, TokenResponse
from yima.identity.service.audit import record_audit
from yima.identity.service.staff import passwords, staff_actor
from yima.identity.service.tenants import tenant_info, tenant_subkey
from yima.platform import crypto
from yima.platform.ctx import Actor, Ctx, TenantInfo
from yima.platform.db.base import utcnow
from yima.platform.db.tenancy import bind_tenant
from yima.platform.errors import AppError, Conflict, FieldError, Forbidden, Invalid, NotFound
from yima.settings import get_settings

TOKEN_PURPOSE = b"oauth-access-token"
ISSUER = "yima"
# Verified against when the login is unknown, so both cases cost one argon2 verification.
_DUMMY_HASH = passwords.hash("not-a-real-password")


@dataclass
class LoginOutcome:
    """Failures are returned, not raised, so the edge still commits the failure count."""

    token: str | None = None
    session: ConsoleSession | None = None
    error: AppError | None = None


@dataclass
class StaffSession:
    console_session: ConsoleSession
    user: User
    tenant: TenantInfo
    actor: Actor


async def attempt_login(ctx: Ctx, login: str, password: str, user_agent: str | None) -> LoginOutcome:
    settings = get_settings()
    now = ctx.now()
    user = await repo.get_user_by_login(ctx.session, login.strip().lower(), lock=True)
    if user is None:
        passwords.verify(password, _DUMMY_HASH)
        return LoginOutcome(error=InvalidCredentials("wrong login or password"))
    if rules.is_locked(user.locked_until, now):
        return LoginOutcome(error=AccountLocked("too many failed logins; the account is locked for a while"))
    valid, upgraded_hash = passwords.verify_and_update(password, user.password_hash)
    if not valid:
        user.failed_logins, user.locked_until = rules.after_failed_login(
            user.failed_logins,
            now,
            settings.login_max_failures,
            dt.timedelta(minutes=settings.login_lockout_minutes),
        )
        if user.locked_until:
            return LoginOutcome(error=AccountLocked("too many failed logins; the account is locked for a while"))
        return LoginOutcome(error=InvalidCredentials("wrong login or password"))
    tenant_ids = await repo.tenant_ids_of_user(ctx.session, user.id)
    if not user.is_active or not tenant_ids:
        return LoginOutcome(error=InvalidCredentials("this account has no access to any brand"))
    if upgraded_hash:
        user.password_hash = upgraded_hash
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    token = crypto.new_secret(32)
    console_session = ConsoleSession(
        token_hash=crypto.fingerprint(token),
        user_id=user.id,
        tenant_id=tenant_ids[0],
        csrf_token=crypto.new_secret(24),
        ip=ctx.ip,
        user_agent=(user_agent or "")[:300],
        expires_at=now + dt.timedelta(hours=settings.session_hours),
    )
    repo.add(ctx.session, console_session)
    await ctx.session.flush()
    return LoginOutcome(token=token, session=console_session)


async def change_password(ctx: Ctx, data: PasswordChange) -> AppError | None:
    """A signed-in staff member sets their own password, giving the current one. A wrong current
    password counts as a failed login (the lockout applies) and is returned, not raised, so the
    edge commits the count. Every other console session of the person ends."""
    if ctx.actor.kind != "staff" or ctx.actor.id is None:
        # Not refused for lack of a right: an API client has no password, so nothing here to change.
        raise Conflict("an API client has no password; only a staff member changes their own", code="no_password")
    settings = get_settings()
    user = await repo.lock_user(ctx.session, ctx.actor.id)
    if user is None:
        raise NotFound("the signed-in user is gone")
    now = ctx.now()
    if rules.is_locked(user.locked_until, now):
        return Invalid(
            "too many wrong passwords; the account is locked for a while",
            [FieldError("current_password", "the account is locked for a while", "account_locked")],
        )
    if not passwords.verify(data.current_password, user.password_hash):
        user.failed_logins, user.locked_until = rules.after_failed_login(
            user.failed_logins,
            now,
            settings.login_max_failures,
            dt.timedelta(minutes=settings.login_lockout_minutes),
        )
        await ctx.session.flush()
        return Invalid(
            "the current password is wrong", [FieldError("current_password", "wrong password", "wrong_password")]
        )
    problems = rules.password_problems(data.new_password, user.login)
    if data.new_password == data.current_password:
        problems.append(("the new password is the current one", "password_unchanged"))
    if problems:
        raise Invalid("the new password is not acceptable", [FieldError("new_password", m, c) for m, c in problems])
    user.password_hash = passwords.hash(data.new_password)
    user.failed_logins, user.locked_until = 0, None
    own = ctx.extra.get(CONSOLE_SESSION_ID)
    await repo.revoke_sessions_of_user(ctx.session, user.id, now, keep=own if isinstance(own, int) else None)
    record_audit(ctx, "staff.password_changed", "user", user.id, {"login": user.login})
    await ctx.session.flush()
    return None


async def resolve_console_session(session: AsyncSession, token: str) -> StaffSession | None:
    """The staff session behind a cookie; binds ``session`` to the session's current brand."""
    console_session = await repo.get_console_session(session, crypto.fingerprint(token))
    if console_session is None or console_session.revoked_at or console_session.expires_at <= utcnow():
        return None
    user = await repo.get_user(session, console_session.user_id)
    if user is None or console_session.tenant_id is None:
        return None
    bind_tenant(session.sync_session, console_session.tenant_id)
    actor = await staff_actor(session, user, console_session.tenant_id)
    if actor is None:
        return None
    tenant = await tenant_info(session, console_session.tenant_id)
    return StaffSession(console_session, user, tenant, actor)


async def switch_tenant(ctx: Ctx, console_session: ConsoleSession, tenant_id: int) -> None:
    if tenant_id not in await repo.tenant_ids_of_user(ctx.session, console_session.user_id):
        raise Forbidden("you are not staff of that brand")
    console_session.tenant_id = tenant_id
    await ctx.session.flush()


async def set_locale(ctx: Ctx, console_session: ConsoleSession, locale: str) -> None:
    console_session.locale = "en" if locale == "en" else "zh"
    await ctx.session.flush()


async def logout(session: AsyncSession, token: str) -> None:
    console_session = await repo.get_console_session(session, crypto.fingerprint(token))
    if console_session is not None and console_session.revoked_at is None:
        console_session.revoked_at = utcnow()
        await session.flush()


def secret_version(secret_hash: str) -> str:
    """Which secret a token was issued with (a few characters of its digest): resetting the
    secret ends the tokens issued before."""
    return secret_hash[:12]


async def issue_token(ctx: Ctx, client_id: str, client_secret: str, scope: str | None) -> TokenResponse:
    """OAuth 2.0 client credentials grant (RFC 6749 §4.4): a signed JWT access token."""
    client = await repo.get_client_by_client_id(ctx.session, client_id)
    if client is None or not client.is_active or not crypto.same(crypto.fingerprint(client_secret), client.secret_hash):
        raise InvalidClient("unknown client or wrong secret")
    scopes = rules.granted_scopes(scope, client.scopes)
    if scopes is None:
        raise InvalidScope("the client may not have one of the requested scopes")
    now = ctx.now()
    lifetime = get_settings().access_token_minutes * 60
    key = OctKey.import_key(await tenant_subkey(ctx.session, client.tenant_id, TOKEN_PURPOSE))
    claims = {
        "iss": ISSUER,
        "sub": client.client_id,
        "tid": client.tenant_id,
        "scope": " ".join(scopes),
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + lifetime,
        "jti": crypto.new_secret(12),
        "sv": secret_version(client.secret_hash),
    }
    token = jwt.encode({"alg": "HS256", "kid": f"t{client.tenant_id}"}, claims, key)
    client.last_used_at = now
    bind_tenant(ctx.session.sync_session, client.tenant_id)
    ctx.tenant = await tenant_info(ctx.session, client.tenant_id)
    ctx.actor = Actor(kind="client", name=f"client:{client.client_id}")
    record_audit(ctx, "client.token_issued", "api_client", client.id, {"scope": claims["scope"]})
    return TokenResponse(access_token=token, expires_in=lifetime, scope=str(claims["scope"]))


async def authenticate_bearer(session: AsyncSession, token: str) -> tuple[TenantInfo, Actor]:
    """Verify an access token; binds ``session`` to its brand. Scopes are cut to what the
    client holds now, and a disabled client's tokens stop working at once."""
    try:
        kid = str(jws.extract_compact(token.encode()).headers().get("kid", ""))
        tenant_id = int(kid[1:]) if kid.startswith("t") else 0
        if tenant_id <= 0:
            raise ValueError("no tenant key id")
        key = OctKey.import_key(await tenant_subkey(session, tenant_id, TOKEN_PURPOSE))
        decoded = jwt.decode(token, key, algorithms=["HS256"])
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": ISSUER}, exp={"essential": True}, sub={"essential": True}
        ).validate(decoded.claims)
    except (JoseError, ValueError, AppError) as exc:
        raise InvalidToken("the access token is invalid or expired") from exc
    if decoded.claims.get("tid") != tenant_id:
        raise InvalidToken("the access token is invalid or expired")
    client = await repo.get_client_by_client_id(session, str(decoded.claims["sub"]))
    if client is None or not client.is_active or client.tenant_id != tenant_id:
        raise InvalidToken("the client of this token is disabled")
    if decoded.claims.get("sv") != secret_version(client.secret_hash):
        raise InvalidToken("the client's secret was reset since this token was issued")
    bind_tenant(session.sync_session, tenant_id)
    scopes = frozenset(str(decoded.claims.get("scope", "")).split()) & frozenset(client.scopes)
    actor = Actor(kind="client", id=client.id, name=f"client:{client.client_id}", permissions=scopes)
    return await tenant_info(session, tenant_id), actor
