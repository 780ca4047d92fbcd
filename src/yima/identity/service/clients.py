"""API clients of the open platform (OAuth 2.0 client credentials)."""

from __future__ import annotations

from yima.identity import repository as repo
from yima.identity import rules
from yima.identity.models import ApiClient
from yima.identity.permissions import CLIENTS_MANAGE, CLIENTS_READ
from yima.identity.schemas import ClientCreate, ClientCreated, ClientRead, ClientUpdate
from yima.identity.service.audit import record_audit
from yima.platform import crypto
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Forbidden, Invalid, NotFound


def _check_scopes(ctx: Ctx, scopes: list[str]) -> list[str]:
    unknown = rules.unknown_permissions(scopes)
    if unknown:
        raise Invalid("unknown scopes", [FieldError("scopes", f"no scope {s!r}", "unknown_scope") for s in unknown])
    excess = set(scopes) - ctx.actor.permissions
    if excess and ctx.actor.kind != "system":
        raise Forbidden(
            "a client cannot get scopes you do not hold",
            [FieldError("scopes", f"you lack {s!r}", "escalation") for s in sorted(excess)],
        )
    return sorted(set(scopes))


async def create_client(ctx: Ctx, data: ClientCreate) -> ClientCreated:
    """Create a client; its secret is returned once and only its digest kept."""
    ctx.require(CLIENTS_MANAGE.name)
    scopes = _check_scopes(ctx, data.scopes)
    secret = crypto.new_secret(32)
    client = ApiClient(
        tenant_id=ctx.tenant_id,
        client_id="yc_" + crypto.new_secret(12),
        name=data.name,
        secret_hash=crypto.fingerprint(secret),
        scopes=scopes,
        created_by=ctx.actor.name,
    )
    repo.add(ctx.session, client)
    await ctx.session.flush()
    record_audit(ctx, "client.created", "api_client", client.id, {"name": client.name, "scopes": scopes})
    return ctx.shown(ClientCreated(**ClientRead.model_validate(client).model_dump(), client_secret=secret))


async def update_client(ctx: Ctx, client_pk: int, data: ClientUpdate) -> ClientRead:
    ctx.require(CLIENTS_MANAGE.name)
    client = await repo.get_client(ctx.session, client_pk)
    if client is None:
        raise NotFound(f"API client {client_pk} not found")
    changes: dict[str, object] = {}
    if data.name is not None and data.name != client.name:
        changes["name"] = [client.name, data.name]
        client.name = data.name
    if data.scopes is not None:
        scopes = _check_scopes(ctx, data.scopes)
        if scopes != client.scopes:
            changes["scopes"] = [client.scopes, scopes]
            client.scopes = scopes
    if data.is_active is not None and data.is_active != client.is_active:
        changes["is_active"] = [client.is_active, data.is_active]
        client.is_active = data.is_active
    await ctx.session.flush()
    if changes:
        record_audit(ctx, "client.updated", "api_client", client.id, changes)
    return ctx.shown(ClientRead.model_validate(client))


async def rotate_secret(ctx: Ctx, client_pk: int) -> ClientCreated:
    """A new secret for the client (密钥重置: leaked, or a person who knew it left); returned once.
    The old secret stops working at once, and so do the access tokens issued with it."""
    ctx.require(CLIENTS_MANAGE.name)
    client = await repo.get_client(ctx.session, client_pk)
    if client is None:
        raise NotFound(f"API client {client_pk} not found")
    _check_scopes(ctx, client.scopes)  # the caller holds what the client may do, as to create it
    secret = crypto.new_secret(32)
    client.secret_hash = crypto.fingerprint(secret)
    await ctx.session.flush()
    record_audit(ctx, "client.secret_rotated", "api_client", client.id, {"name": client.name})
    return ctx.shown(ClientCreated(**ClientRead.model_validate(client).model_dump(), client_secret=secret))


async def list_clients(ctx: Ctx, limit: int, before_id: int | None) -> list[ApiClient]:
    ctx.require(CLIENTS_READ.name)
    return await repo.list_clients(ctx.session, limit + 1, before_id)
