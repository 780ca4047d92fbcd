"""Reconciliation (对账): the payouts of a period against what their provider says of them.

Every payout sent in the period is looked up at its provider by our own numbers, outside any
transaction: matched (same amount, same outcome), missing at the provider, another amount,
another outcome, still pending; and a transfer in one of our batches that we do not know is
unexpected. The report keeps the counts and every line that did not match.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yima.identity import service as identity
from yima.platform.ctx import Ctx
from yima.platform.errors import FieldError, Invalid, NotFound
from yima.platform.outbox import service as jobs
from yima.wallet import repository as repo
from yima.wallet import rules
from yima.wallet.models import Reconciliation
from yima.wallet.permissions import WALLET_READ, WALLET_WRITE
from yima.wallet.providers import build_provider
from yima.wallet.providers.base import BatchReport, DetailReport, Opener, PayoutProvider, ProviderUnavailable
from yima.wallet.schemas import ReconciliationCreate, ReconciliationLine, ReconciliationRead
from yima.wallet.service.processing import ProviderFactory

RECONCILE_JOB = "wallet.reconcile"
DEFAULT_PERIOD = dt.timedelta(days=7)


@dataclass(frozen=True)
class _Batch:
    """A batch as one report checks it. A batch can hold payouts requested on both sides of a
    period's edge: each report checks only its own period's (``payouts``), knows the others
    (``elsewhere``), and the report holding the batch's first payout also answers for
    transfers we do not know (``owns_unknown``), so two reports never count one line twice."""

    out_batch_no: str
    provider: str
    payouts: tuple[rules.OurPayout, ...]
    elsewhere: frozenset[str]
    owns_unknown: bool


def read_reconciliation(row: Reconciliation) -> ReconciliationRead:
    return ReconciliationRead(
        id=row.id, since=row.since, until=row.until, status=row.status,
        checked=row.checked, matched=row.matched, problems=row.problems, counts=dict(row.counts),
        lines=[ReconciliationLine(**line) for line in row.lines], error=row.error, created_by=row.created_by,
        created_at=row.created_at, finished_at=row.finished_at,
    )  # fmt: skip


async def start_reconciliation(ctx: Ctx, data: ReconciliationCreate, *, queue: bool = True) -> ReconciliationRead:
    """Open a report for the period (default: the last 7 days) and queue the job that fills it
    (``queue=False``: the caller runs ``run_reconciliation`` itself, as the CLI does)."""
    ctx.require(WALLET_WRITE.name)
    until = data.until or ctx.now()
    since = data.since or until - DEFAULT_PERIOD
    if since >= until:  # checked again here: a default may be what lands on the wrong side
        field = "since" if data.since else "until"
        raise Invalid("the period is empty", [FieldError(field, "since must come before until", "empty_period")])
    row = Reconciliation(tenant_id=ctx.tenant_id, since=since, until=until, status="running", counts={}, lines=[],
                         created_by=ctx.actor.name[:120], created_at=ctx.now())  # fmt: skip
    repo.add(ctx.session, row)
    await ctx.session.flush()
    if queue:
        await jobs.enqueue_job(ctx, RECONCILE_JOB, {"reconciliation_id": row.id})
    identity.record_audit(ctx, "wallet.reconciliation_started", "wallet_reconciliation", row.id,
                          {"since": since.isoformat(), "until": until.isoformat()})  # fmt: skip
    return read_reconciliation(row)


async def get_reconciliation(ctx: Ctx, reconciliation_id: int) -> ReconciliationRead:
    ctx.require(WALLET_READ.name)
    row = await repo.get_reconciliation(ctx.session, reconciliation_id)
    if row is None:
        raise NotFound(f"reconciliation {reconciliation_id} not found")
    return read_reconciliation(row)


async def list_reconciliations(ctx: Ctx, limit: int, before_id: int | None) -> list[ReconciliationRead]:
    ctx.require(WALLET_READ.name)
    return [read_reconciliation(r) for r in await repo.list_reconciliations(ctx.session, limit + 1, before_id)]


async def _batches(ctx: Ctx, since: dt.datetime, until: dt.datetime) -> list[_Batch]:
    found = []
    batches = await repo.batches_by_ids(ctx.session, await repo.batch_ids_in_period(ctx.session, since, until))
    for batch in batches.values():
        payouts = await repo.payouts_of_batch(ctx.session, batch.id)
        inside = [p for p in payouts if since <= p.requested_at < until]
        ours = tuple(rules.OurPayout(p.id, p.out_detail_no or "", p.amount, p.status) for p in inside)
        elsewhere = frozenset(p.out_detail_no or "" for p in payouts if p not in inside)
        first = min(payouts, key=lambda p: (p.requested_at, p.id))
        found.append(_Batch(batch.out_batch_no, batch.provider, ours, elsewhere, first in inside))
    return found


async def _check(provider: PayoutProvider, batch: _Batch) -> list[rules.Line]:
    """One batch at its provider: the batch (for transfers we do not know), then each of our
    transfers (with its amount)."""
    report = await provider.query(batch.out_batch_no)
    details: list[DetailReport] = []
    for payout in batch.payouts:
        detail = await provider.query_detail(batch.out_batch_no, payout.out_detail_no)
        if detail is not None:
            details.append(detail)
    if batch.owns_unknown:
        known = {p.out_detail_no for p in batch.payouts} | batch.elsewhere
        details += [d for d in report.details if d.out_detail_no not in known]
    complete = BatchReport(report.found or bool(details), report.status, report.provider_batch_id,
                           report.close_reason, tuple(details))  # fmt: skip
    return rules.reconcile_batch(batch.payouts, complete)


def _unknown(batch: _Batch) -> list[rules.Line]:
    return [rules.Line("pending", p.out_detail_no, p.payout_id, p.amount, None, p.status, None) for p in batch.payouts]


async def run_reconciliation(
    open_ctx: Opener, reconciliation_id: int, provider_for: ProviderFactory = build_provider
) -> ReconciliationRead:
    """Fill the report: read our side, ask the providers (no transaction open), write the result."""
    async with open_ctx() as ctx:
        row = await repo.get_reconciliation(ctx.session, reconciliation_id)
        if row is None:
            raise NotFound(f"reconciliation {reconciliation_id} not found")
        batches = await _batches(ctx, row.since, row.until)
        not_sent = await repo.unbatched_in_period(ctx.session, row.since, row.until)
    lines: list[tuple[str, rules.Line]] = []
    unreachable = 0
    for batch in batches:
        try:
            checked = await _check(provider_for(batch.provider, open_ctx), batch)
        except ProviderUnavailable:
            unreachable += 1
            checked = _unknown(batch)
        lines += [(batch.out_batch_no, line) for line in checked]
    counts = rules.tally(line for _, line in lines)
    counts |= {"not_sent": not_sent} if not_sent else {}
    counts |= {"unreachable_batches": unreachable} if unreachable else {}
    async with open_ctx() as ctx:
        row = await repo.get_reconciliation(ctx.session, reconciliation_id)
        assert row is not None
        row.status, row.finished_at, row.counts = "done", ctx.now(), counts
        row.checked = sum(1 for _, line in lines if line.payout_id is not None)
        row.matched = counts.get("matched", 0)
        row.problems = sum(1 for _, line in lines if line.verdict != "matched")
        fields = [k for k in ReconciliationLine.model_fields if k != "out_batch_no"]
        row.lines = [
            {"out_batch_no": no, **{k: getattr(line, k) for k in fields}}
            for no, line in lines
            if line.verdict != "matched"
        ]
        await ctx.session.flush()
        return read_reconciliation(row)


async def fail_reconciliation(open_ctx: Opener, reconciliation_id: int, error: str) -> None:
    async with open_ctx() as ctx:
        row = await repo.get_reconciliation(ctx.session, reconciliation_id)
        if row is not None and row.status == "running":
            row.status, row.error, row.finished_at = "failed", error[:2000], ctx.now()
            await ctx.session.flush()
