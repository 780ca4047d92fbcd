"""A brand's payout settings (提现规则): the platform's fee rate, the provider, WeChat's limits."""

from __future__ import annotations

from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Forbidden, Invalid
from yima.wallet import repository as repo
from yima.wallet import rules
from yima.wallet.models import WalletSettings
from yima.wallet.permissions import WALLET_MANAGE, WALLET_READ
from yima.wallet.schemas import SettingsRead, SettingsUpdate

DEFAULTS = SettingsRead(
    fee_bps=60,  # 0.6 %
    provider="sandbox",
    min_withdrawal_fen=rules.MIN_TRANSFER_FEN,
    max_transfer_fen=20_000,  # 200 yuan a transfer
    daily_cap_fen=100_000,  # 1,000 yuan a person a day
    transfer_scene_id=rules.SCENE_CASH_MARKETING,
    transfer_remark="红包提现",
)
# What a brand may not set for itself: the platform's income and the rails it pays on (the scene
# id is registered with the platform's merchant account, not the brand's).
OPERATOR_ONLY = ("fee_bps", "provider", "transfer_scene_id")


async def load_settings(ctx: Ctx) -> SettingsRead:
    """The brand's settings (the defaults until changed); no permission of its own."""
    row = await repo.get_settings(ctx.session)
    return SettingsRead.model_validate(row) if row else DEFAULTS


def limits_of(settings: SettingsRead) -> rules.Limits:
    return rules.Limits(settings.min_withdrawal_fen, settings.max_transfer_fen, settings.daily_cap_fen)


async def get_settings(ctx: Ctx) -> SettingsRead:
    ctx.require(WALLET_READ.name)
    return await load_settings(ctx)


async def update_settings(ctx: Ctx, data: SettingsUpdate) -> SettingsRead:
    """Change the payout rules. The fee rate and the provider are the platform operator's to set
    (``yima wallet settings``), not a brand's own staff's."""
    ctx.require(WALLET_MANAGE.name)
    sent = data.model_dump(exclude_unset=True, exclude_none=True)
    if ctx.actor.kind != "system" and any(field in sent for field in OPERATOR_ONLY):
        raise Forbidden(
            "the platform operator sets the fee rate, the payout provider and the transfer scene", code="operator_only"
        )
    current = await load_settings(ctx)
    wanted = current.model_copy(update=sent)
    problems = rules.limits_problems(limits_of(wanted))
    if problems:
        raise Invalid("the payout limits break WeChat's rules", [FieldError(f, m, "out_of_range") for f, m in problems])
    changes = {k: [getattr(current, k), v] for k, v in sent.items() if getattr(current, k) != v}
    row = await repo.get_settings(ctx.session)
    if row is None:
        row = WalletSettings(tenant_id=ctx.tenant_id, **wanted.model_dump())
        repo.add(ctx.session, row)
    else:
        for key, value in sent.items():
            setattr(row, key, value)
    await ctx.session.flush()
    if changes:
        identity.record_audit(ctx, "wallet.settings_updated", "wallet_settings", ctx.tenant_id, changes)
    return wanted
