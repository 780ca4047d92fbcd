"""The sandbox provider (沙箱): pays every transfer at once, deterministically, and keeps what it
paid in its own table so its answers (and so reconciliation) are the same from every process.

It refuses what WeChat refuses (under 0.10 yuan, more than 1,000 transfers, totals that do not
add up) and declines any transfer to an openid starting with ``sandbox-fail`` — the failure
path, on purpose."""

from __future__ import annotations

from yima.wallet import repository as repo
from yima.wallet import rules
from yima.wallet.models import SandboxTransfer
from yima.wallet.providers.base import (
    BatchReport,
    DetailReport,
    DetailStatus,
    Opener,
    SubmitOutcome,
    TransferBatch,
)

DECLINE_PREFIX = "sandbox-fail"
DECLINED = "SANDBOX_DECLINED"


def _problem(batch: TransferBatch) -> str | None:
    if not batch.details or len(batch.details) > rules.MAX_BATCH:
        return f"a batch holds 1 to {rules.MAX_BATCH} transfers"
    if any(d.amount < rules.MIN_TRANSFER_FEN for d in batch.details):
        return f"a transfer is at least {rules.MIN_TRANSFER_FEN} fen"
    return None


def _detail(row: SandboxTransfer) -> DetailReport:
    status: DetailStatus = "SUCCESS" if row.status == "SUCCESS" else "FAIL"
    return DetailReport(row.out_detail_no, status, row.amount, row.fail_reason, f"SBXD{row.id}")


class SandboxProvider:
    name = "sandbox"

    def __init__(self, open_ctx: Opener) -> None:
        self.open_ctx = open_ctx

    async def submit(self, batch: TransferBatch) -> SubmitOutcome:
        problem = _problem(batch)
        if problem:
            return SubmitOutcome("rejected", code="PARAM_ERROR", message=problem)
        async with self.open_ctx() as ctx:
            if not await repo.sandbox_transfers(ctx.session, batch.out_batch_no):  # the same batch again: as before
                for d in batch.details:
                    declined = d.openid.startswith(DECLINE_PREFIX)
                    repo.add(ctx.session, SandboxTransfer(
                        tenant_id=ctx.tenant_id, out_batch_no=batch.out_batch_no, out_detail_no=d.out_detail_no,
                        openid=d.openid, amount=d.amount, status="FAIL" if declined else "SUCCESS",
                        fail_reason=DECLINED if declined else None,
                    ))  # fmt: skip
        return SubmitOutcome("accepted", provider_batch_id=f"SBX{batch.out_batch_no}")

    async def query(self, out_batch_no: str) -> BatchReport:
        async with self.open_ctx() as ctx:
            rows = await repo.sandbox_transfers(ctx.session, out_batch_no)
        if not rows:
            return BatchReport(found=False)
        return BatchReport(True, "FINISHED", f"SBX{out_batch_no}", details=tuple(_detail(r) for r in rows))

    async def query_detail(self, out_batch_no: str, out_detail_no: str) -> DetailReport | None:
        report = await self.query(out_batch_no)
        return next((d for d in report.details if d.out_detail_no == out_detail_no), None)
