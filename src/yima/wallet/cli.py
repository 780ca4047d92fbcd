"""``yima wallet fund|balances|budgets|allocate|journals|payouts|process|retry|reconcile|settings``.

Amounts are typed in yuan (``--amount 1000.50``) and shown in yuan; the service works in fen."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from yima.identity.permissions import cli_context
from yima.platform.ctx import Ctx
from yima.platform.db.session import Database
from yima.settings import get_settings
from yima.wallet import rules, service
from yima.wallet.providers.base import Opener
from yima.wallet.schemas import (
    AccountFilter,
    AccountRead,
    BalanceSummary,
    JournalFilter,
    JournalRead,
    PayoutFilter,
    PayoutStatus,
    ProviderName,
    ReconciliationCreate,
    ReconciliationRead,
    SettingsUpdate,
)

T = TypeVar("T")
wallet_app = typer.Typer(help="Balances, budgets, payouts and reconciliation (资金).", no_args_is_help=True)
out = Console()
err = Console(stderr=True)
Tenant = Annotated[str, typer.Option(help="Brand slug")]
Limit = Annotated[int, typer.Option(help="At most this many (newest first)")]
Yuan = Annotated[str, typer.Option(help="Amount in yuan, e.g. 1000 or 99.50")]


def _run(slug: str, work: Callable[[Opener], Awaitable[T]]) -> T:
    """``work`` gets an opener of committed transactions in the brand (one, or several around
    provider calls)."""

    async def run() -> T:
        db = Database(get_settings().database_url)
        try:
            return await work(lambda: cli_context(db, slug))
        finally:
            await db.dispose()

    return asyncio.run(run())


def _once(slug: str, use_case: Callable[[Ctx], Awaitable[T]]) -> T:
    async def work(open_ctx: Opener) -> T:
        async with open_ctx() as ctx:
            return await use_case(ctx)

    return _run(slug, work)


def _fen(text: str) -> int:
    try:
        return rules.parse_yuan(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@wallet_app.command()
def fund(tenant: Tenant, amount: Yuan, reference: Annotated[str, typer.Option(help="The bank transfer's reference")],
         memo: str = "") -> None:  # fmt: skip
    """Record money the brand paid in (充值); the same reference again counts once."""
    journal = _once(tenant, lambda ctx: service.fund_brand(ctx, _fen(amount), reference, memo))
    state = "already recorded" if journal.replayed else "recorded"
    out.print(f"{state}: journal {journal.id}, {rules.yuan(journal.amount)} yuan")


@wallet_app.command()
def balances(tenant: Tenant) -> None:
    """The brand's money at a glance (资金总览) and its budgets."""

    async def read(ctx: Ctx) -> tuple[BalanceSummary, list[AccountRead]]:
        budgets = await service.list_accounts(ctx, AccountFilter(kind="budget"), 200, None)
        return await service.balance_summary(ctx), budgets

    summary, budgets = _once(tenant, read)
    table = Table("项目 item", "金额 yuan", title="资金总览")
    rows = [
        ("充值累计 funded", summary.funded), ("可用余额 brand cash", summary.brand_cash),
        ("预算余额 budgets", summary.budgets), ("待提现 wallets", summary.wallets),
        ("提现在途 in transit", summary.in_transit), ("已付出 paid out", summary.paid_out),
        ("平台服务费 fees", summary.fee_income),
    ]  # fmt: skip
    for label, value in rows:
        table.add_row(label, rules.yuan(value))
    out.print(table)
    out.print("账平 balanced" if summary.balanced else "[red]账不平 NOT balanced[/]")
    listing = Table("id", "名称 name", "所属 owner", "余额 yuan", "状态 state", title="预算 budgets")
    for b in budgets[:200]:
        state = "closed" if b.closed else "open"
        listing.add_row(str(b.id), b.name, f"{b.owner_kind}:{b.owner_ref}", rules.yuan(b.balance), state)
    out.print(listing)


@wallet_app.command()
def allocate(tenant: Tenant, budget: Annotated[int, typer.Option(help="Budget account id")], amount: Yuan,
             key: Annotated[str, typer.Option(help="Idempotency key")]) -> None:  # fmt: skip
    """Give a budget money from the brand's cash balance (预算分配)."""
    journal = _once(tenant, lambda ctx: service.allocate_budget(ctx, budget, _fen(amount), key))
    out.print(f"journal {journal.id}: {rules.yuan(journal.amount)} yuan to budget {budget}")


@wallet_app.command()
def journals(tenant: Tenant, limit: Limit = 30) -> None:
    """The latest journals (记账凭证) with their entries."""

    async def read(ctx: Ctx) -> list[tuple[str, JournalRead]]:
        rows = (await service.list_journals(ctx, JournalFilter(), limit, None))[:limit]
        return [(ctx.local(j.created_at).strftime("%Y-%m-%d %H:%M"), j) for j in rows]

    table = Table("id", "时间 time", "类型 kind", "金额 yuan", "分录 entries", "摘要 memo")
    for when, j in _once(tenant, read):
        entries = "  ".join(f"{e.account_kind}#{e.account_id} {e.amount:+,}" for e in j.entries)
        table.add_row(str(j.id), when, j.kind, rules.yuan(j.amount), entries, j.memo)
    out.print(table)


@wallet_app.command()
def payouts(tenant: Tenant, status: Annotated[PayoutStatus | None, typer.Option()] = None, limit: Limit = 50) -> None:
    """Withdrawals (提现) and where they stand."""
    rows = _once(tenant, lambda ctx: service.list_payouts(ctx, PayoutFilter(status=status), limit, None))[:limit]
    table = Table("id", "用户 person", "金额 yuan", "服务费 fee", "状态 status", "批次 batch", "失败原因 reason")
    for p in rows:
        table.add_row(str(p.id), str(p.person_id), rules.yuan(p.amount), rules.yuan(p.fee), p.status,
                      p.out_batch_no or "", p.fail_code or "")  # fmt: skip
    out.print(table)


@wallet_app.command()
def process(tenant: Tenant) -> None:
    """Send waiting payouts to their provider and settle what it finished, now."""
    result = _run(tenant, service.process_payouts)
    out.print(
        f"batches sent {result.submitted_batches} (accepted {result.accepted_batches}); "
        f"paid {result.succeeded}, failed {result.failed}; batches still out {result.waiting_batches}"
    )


@wallet_app.command()
def retry(tenant: Tenant, payout_id: Annotated[int, typer.Argument(help="Payout id")]) -> None:
    """Retry a payout: a failed one is withdrawn again; one at the provider is asked again."""
    payout = _once(tenant, lambda ctx: service.retry_payout(ctx, payout_id))
    out.print(f"payout {payout.id}: {payout.status}")


def _local_day(ctx: Ctx, day: str | None) -> dt.datetime | None:
    if not day:
        return None
    try:
        date = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise typer.BadParameter(f"not a date (YYYY-MM-DD): {day}") from exc
    zone = ctx.tenant.zone if ctx.tenant else dt.UTC
    return dt.datetime.combine(date, dt.time(), zone)


@wallet_app.command()
def reconcile(
    tenant: Tenant,
    since: Annotated[str | None, typer.Option(help="First local day (YYYY-MM-DD); default 7 days ago")] = None,
    until: Annotated[str | None, typer.Option(help="Day after the last (YYYY-MM-DD); default now")] = None,
) -> None:
    """Compare the period's payouts with their provider (对账); exits 1 when any does not match."""

    async def work(open_ctx: Opener) -> ReconciliationRead:
        async with open_ctx() as ctx:
            period = ReconciliationCreate(since=_local_day(ctx, since), until=_local_day(ctx, until))
            started = await service.start_reconciliation(ctx, period, queue=False)
        return await service.run_reconciliation(open_ctx, started.id)

    report = _run(tenant, work)
    out.print(
        f"reconciliation {report.id}: {report.checked} payouts checked, {report.matched} matched; {report.counts}"
    )
    if report.lines:
        table = Table("结果 verdict", "批次 batch", "明细 detail", "我方 ours", "渠道 theirs", "我方状态", "渠道状态")
        for line in report.lines:
            ours = rules.yuan(line.ours_amount) if line.ours_amount is not None else ""
            theirs = rules.yuan(line.theirs_amount) if line.theirs_amount is not None else ""
            table.add_row(line.verdict, line.out_batch_no, line.out_detail_no, ours, theirs, line.ours_status or "",
                          line.theirs_status or "")  # fmt: skip
        err.print(table)
    if report.problems:
        raise typer.Exit(1)


@wallet_app.command("settings")
def settings_(
    tenant: Tenant,
    fee_bps: Annotated[int | None, typer.Option(help="Platform service fee in basis points (60 = 0.6%)")] = None,
    provider: Annotated[ProviderName | None, typer.Option()] = None,
    daily_cap: Annotated[str | None, typer.Option(help="Per person and local day, yuan")] = None,
    max_transfer: Annotated[str | None, typer.Option(help="Per transfer, yuan")] = None,
    min_withdrawal: Annotated[str | None, typer.Option(help="Per withdrawal, yuan (at least 0.10)")] = None,
    scene_id: Annotated[str | None, typer.Option(help="WeChat transfer scene id (1000: 现金营销)")] = None,
) -> None:
    """Show the brand's payout settings, or change them (the platform operator sets the fee)."""
    values = {
        "fee_bps": fee_bps, "provider": provider,
        "daily_cap_fen": _fen(daily_cap) if daily_cap else None,
        "max_transfer_fen": _fen(max_transfer) if max_transfer else None,
        "min_withdrawal_fen": _fen(min_withdrawal) if min_withdrawal else None,
        "transfer_scene_id": scene_id,
    }  # fmt: skip
    data = SettingsUpdate(**{k: v for k, v in values.items() if v is not None})
    current = _once(tenant, lambda ctx: service.update_settings(ctx, data))
    for key, value in current.model_dump().items():
        out.print(f"{key}: {value}")
    if problem := service.configuration_problem(current.provider):  # payouts would wait at the provider
        err.print(f"[yellow]warning: {problem}; withdrawals will wait until it is[/yellow]")


commands = {"wallet": wallet_app}
