"""What the wallet says to a payout provider and what it hears back: plain data, no I/O.

A provider takes a batch of transfers (商家转账批次) and answers queries about it by our own
numbers (``out_batch_no``, ``out_detail_no``), which come from our ids: asking twice about the
same payout, or sending the same batch twice, is the same transfer to the provider.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Literal, Protocol

from yima.platform.ctx import Ctx

# Opens a transaction of its own (committed when the block ends): providers that keep state in
# the database (the sandbox) use it; every provider call happens outside the caller's transaction.
Opener = Callable[[], AbstractAsyncContextManager[Ctx]]
DetailStatus = Literal["SUCCESS", "FAIL", "PROCESSING"]
BatchStatus = Literal["ACCEPTED", "PROCESSING", "FINISHED", "CLOSED"]


@dataclass(frozen=True)
class TransferDetail:
    out_detail_no: str
    amount: int  # fen
    openid: str
    remark: str


@dataclass(frozen=True)
class TransferBatch:
    batch_id: int
    out_batch_no: str
    name: str
    remark: str
    scene_id: str
    details: tuple[TransferDetail, ...]

    @property
    def total_amount(self) -> int:
        return sum(d.amount for d in self.details)


@dataclass(frozen=True)
class SubmitOutcome:
    """accepted: the provider has the batch; rejected: it refused it for good (bad request) and
    holds nothing; unknown: no answer we can trust (network, 5xx, rate limit, an answer whose
    signature did not verify) — the batch is sent again later under the same number."""

    kind: Literal["accepted", "rejected", "unknown"]
    provider_batch_id: str | None = None
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class DetailReport:
    out_detail_no: str
    status: DetailStatus
    amount: int | None = None
    fail_reason: str | None = None
    detail_id: str | None = None


@dataclass(frozen=True)
class BatchReport:
    """What the provider says of a batch. ``found`` False: it has no such batch (never received,
    or still being accepted). ``details`` are complete once the batch is FINISHED."""

    found: bool
    status: BatchStatus | None = None
    provider_batch_id: str | None = None
    close_reason: str | None = None
    details: tuple[DetailReport, ...] = ()


class ProviderUnavailable(Exception):
    """The provider could not be asked, or its answer could not be trusted; try again later."""


class PayoutProvider(Protocol):
    name: str

    async def submit(self, batch: TransferBatch) -> SubmitOutcome: ...

    async def query(self, out_batch_no: str) -> BatchReport: ...

    async def query_detail(self, out_batch_no: str, out_detail_no: str) -> DetailReport | None:
        """One transfer, with its amount (None: the provider has no such transfer)."""
        ...
