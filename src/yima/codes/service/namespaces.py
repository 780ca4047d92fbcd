"""A brand's code namespace: its token prefix, serial counter and codec."""

from __future__ import annotations

import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from yima.codes import links
from yima.codes import repository as repo
from yima.codes.models import CodeNamespace
from yima.codes.tokens import ALPHABET, PREFIX_LENGTH, TokenCodec, prefix_of
from yima.identity import service as identity
from yima.platform import caches
from yima.platform.ctx import Ctx
from yima.settings import get_settings

TOKEN_KEY_PURPOSE = b"code-token"
# Codecs are cheap to keep and dear to rebuild (key derivation, Feistel tables): one per brand.
_codecs: dict[int, TokenCodec] = {}
_prefix_owner: dict[str, int] = {}
# Where a brand's printed URLs point. Nothing changes a namespace's base URL at run time yet; a
# use case that does must clear this (forget_cached_codecs) in every process.
_base_urls: dict[int, str] = {}


async def ensure_namespace(ctx: Ctx) -> CodeNamespace:
    """The brand's namespace, created on first use with a random unused prefix."""
    namespace = await repo.get_namespace(ctx.session)
    while namespace is None:
        prefix = "".join(secrets.choice(ALPHABET) for _ in range(PREFIX_LENGTH))
        if await repo.namespace_by_prefix(ctx.session, prefix) is not None:
            continue
        try:
            async with ctx.session.begin_nested():
                repo.add(ctx.session, CodeNamespace(tenant_id=ctx.tenant_id, prefix=prefix, next_serial=1))
        except IntegrityError:
            pass  # a concurrent request created it, or took the prefix: look again
        namespace = await repo.get_namespace(ctx.session)
    return namespace


async def key_material(session: AsyncSession, tenant_id: int) -> bytes:
    return await identity.tenant_subkey(session, tenant_id, TOKEN_KEY_PURPOSE)


async def codec(ctx: Ctx) -> TokenCodec:
    """The brand's codec (for the event loop's thread; jobs in threads build their own)."""
    cached = _codecs.get(ctx.tenant_id)
    if cached is not None:
        return cached
    namespace = await ensure_namespace(ctx)
    made = TokenCodec(namespace.prefix, await key_material(ctx.session, ctx.tenant_id))
    _codecs[ctx.tenant_id] = made
    return made


async def owner_of_prefix(session: AsyncSession, prefix: str) -> int | None:
    """Which brand a token prefix belongs to (public scans know nothing else)."""
    if prefix in _prefix_owner:
        return _prefix_owner[prefix]
    namespace = await repo.namespace_by_prefix(session, prefix)
    if namespace is None:
        return None
    _prefix_owner[prefix] = namespace.tenant_id
    return namespace.tenant_id


async def owner_of_printed(session: AsyncSession, text: str) -> int | None:
    """Which brand a scanned token, token URL or Digital Link belongs to, from its prefix alone
    (None for anything else: a 防伪码 or legacy code names no brand by itself)."""
    try:
        printed = links.parse_printed(text)
    except links.LinkError:
        return None
    if printed.kind not in ("token", "digital_link"):
        return None
    prefix = prefix_of(printed.value)
    return await owner_of_prefix(session, prefix) if prefix else None


def base_url(namespace: CodeNamespace) -> str:
    return namespace.public_base_url or get_settings().public_base_url


async def brand_base_url(ctx: Ctx) -> str:
    """``base_url`` of the brand's namespace, remembered per process (every scan and lifecycle
    needs it)."""
    cached = _base_urls.get(ctx.tenant_id)
    if cached is None:
        cached = _base_urls[ctx.tenant_id] = base_url(await ensure_namespace(ctx))
    return cached


@caches.register
def forget_cached_codecs() -> None:
    """Tests roll brands back and reuse their ids."""
    _codecs.clear()
    _prefix_owner.clear()
    _base_urls.clear()
