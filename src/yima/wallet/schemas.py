"""The wallet's request and response shapes. Money is integer fen (分) everywhere: ``amount_fen``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from yima.platform.types import MAX_ID, Moment, RequestBody

PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
Fen = Annotated[int, Field(ge=1, le=10**13, description="Integer fen (分): 100 = 1 yuan")]
Key = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=PLAIN_TEXT),
    Field(description="Idempotency key: a retry with the same key moves the money once and returns the first result"),
]
Memo = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200, pattern=PLAIN_TEXT)]
OwnerKind = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z][a-z0-9_]{0,39}$")]
OwnerRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=PLAIN_TEXT)]
PersonId = Annotated[int, Field(ge=1, le=MAX_ID, description="A person of the members context")]
AccountKind = Literal["funding", "brand_cash", "budget", "participant", "payout_transit", "paid_out", "fee_income"]
JournalKind = Literal[
    "fund", "allocate", "release", "award", "merge", "withdraw", "payout_paid", "payout_failed", "rebalance"
]
PayoutStatus = Literal["requested", "submitted", "succeeded", "failed"]
ProviderName = Literal["sandbox", "wechat"]


# accounts and journals ------------------------------------------------------------------------


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: AccountKind
    currency: str
    owner_kind: str = Field(description="campaign, rebate_policy … for a budget; person for a wallet")
    owner_ref: str
    name: str
    balance: int = Field(description="fen")
    closed: bool = False
    created_at: dt.datetime


class AccountFilter(BaseModel):
    kind: AccountKind | None = None
    person_id: PersonId | None = None
    owner_kind: OwnerKind | None = None
    q: str | None = Field(default=None, max_length=80, description="Part of the name, or the owner reference")


class EntryRead(BaseModel):
    account_id: int
    account_kind: str
    account_name: str
    amount: int = Field(description="Signed fen: + into the account, − out of it")
    balance_after: int


class JournalRead(BaseModel):
    id: int
    key: str
    kind: JournalKind
    currency: str
    amount: int = Field(description="fen")
    memo: str
    ref_type: str
    ref_id: str
    actor_kind: str
    actor_name: str
    created_at: dt.datetime
    entries: list[EntryRead]
    replayed: bool = Field(default=False, description="True when this answers a retry: no money moved this time")


class JournalFilter(BaseModel):
    kind: JournalKind | None = None
    account_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    since: Moment | None = None
    until: Moment | None = None


class StatementLine(BaseModel):
    """One entry of an account's statement (对账单)."""

    entry_id: int
    journal_id: int
    kind: str
    memo: str
    amount: int
    balance_after: int
    created_at: dt.datetime


class BalanceSummary(BaseModel):
    """The brand's money at a glance (资金总览), fen."""

    currency: str = "CNY"
    funded: int = Field(description="Everything the brand ever paid in (充值累计)")
    brand_cash: int = Field(description="Prepaid balance not given to a budget (可用余额)")
    budgets: int = Field(description="Held in budgets (预算余额)")
    budget_count: int
    wallets: int = Field(description="Winnings in participants' wallets, not withdrawn (待提现)")
    wallet_count: int
    in_transit: int = Field(description="Withdrawals at the provider, not settled (提现在途)")
    paid_out: int = Field(description="Paid to participants (已付出)")
    fee_income: int = Field(description="Service fees charged (平台服务费)")
    fee_bps: int
    fees_ahead: int = Field(description="The fees the wallets' money will cost when withdrawn")
    balanced: bool = Field(description="Every journal sums to zero and every balance equals its entries")


# budgets and funding --------------------------------------------------------------------------


class FundingCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"amount_fen": 1_000_000, "reference": "BANK-20261123-0001", "memo": "首笔充值"}]
        },
    )

    amount_fen: Fen
    reference: Key = Field(description="The bank transfer's reference: funding it twice moves the money once")
    memo: Memo = ""


class BudgetCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"owner_kind": "campaign", "owner_ref": "2026-spring", "name": "春节扫码红包"}]
        },
    )

    owner_kind: OwnerKind = Field(description="What owns the budget: campaign, rebate_policy, display_task …")
    owner_ref: OwnerRef = Field(description="Its id in that context")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=PLAIN_TEXT)]


class AllocationCreate(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"amount_fen": 500_000, "key": "alloc-2026-spring-1"}]})

    amount_fen: Fen
    key: Key


class ReleaseCreate(RequestBody):
    model_config = ConfigDict(json_schema_extra={"examples": [{"amount_fen": None, "key": "release-2026-spring-1"}]})

    amount_fen: Fen | None = Field(default=None, description="Left out: everything the budget holds")
    key: Key


# payouts --------------------------------------------------------------------------------------


class PayoutRead(BaseModel):
    id: int
    person_id: int
    amount: int = Field(description="What the person receives, fen")
    fee: int = Field(description="The platform's service fee, borne by the brand")
    charge: int = Field(description="What it costs the brand: amount × (1 + fee rate)")
    fee_bps: int
    provider: str
    status: PayoutStatus
    key: str
    batch_id: int | None
    out_batch_no: str | None
    out_detail_no: str | None
    fail_code: str | None
    fail_message: str | None
    provider_error: str | None = Field(
        default=None, description="Why its batch is stuck at the provider (e.g. not configured); staff views only"
    )
    requested_at: dt.datetime
    submitted_at: dt.datetime | None
    settled_at: dt.datetime | None
    replayed: bool = False


class PayoutFilter(BaseModel):
    status: PayoutStatus | None = None
    person_id: PersonId | None = None
    batch_id: int | None = Field(default=None, ge=1, le=MAX_ID)


class WalletRead(BaseModel):
    """A person's wallet as their phone page shows it."""

    person_id: int
    account_id: int | None = Field(description="None until the person first won something")
    balance: int = Field(description="Withdrawable now, fen")
    in_flight: int = Field(description="Withdrawals requested or at the provider")
    withdrawn_today: int
    daily_cap: int
    min_withdrawal: int
    max_transfer: int


class WithdrawalQuote(BaseModel):
    amount: int
    fee: int
    charge: int
    fee_bps: int


class ProcessResult(BaseModel):
    """What one round of payout processing did."""

    submitted_batches: int = 0
    accepted_batches: int = 0
    succeeded: int = 0
    failed: int = 0
    waiting_batches: int = 0


# settings and reconciliation ------------------------------------------------------------------


class SettingsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    fee_bps: int = Field(description="The platform's service fee in basis points (60 = 0.6%)")
    provider: ProviderName
    min_withdrawal_fen: int
    max_transfer_fen: int
    daily_cap_fen: int = Field(description="Per person and local day")
    transfer_scene_id: str = Field(description="WeChat transfer scene (1000: 现金营销)")
    transfer_remark: str


class SettingsUpdate(RequestBody):
    """Every field optional. ``fee_bps`` and ``provider`` are the platform operator's (the CLI's)
    to change, not a brand's."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"daily_cap_fen": 50_000, "max_transfer_fen": 20_000, "min_withdrawal_fen": 100}]
        },
    )

    fee_bps: int | None = Field(default=None, ge=0, le=10_000)
    provider: ProviderName | None = None
    min_withdrawal_fen: int | None = Field(default=None, ge=1, le=10**9)
    max_transfer_fen: int | None = Field(default=None, ge=1, le=10**9)
    daily_cap_fen: int | None = Field(default=None, ge=1, le=10**11)
    transfer_scene_id: Annotated[str, StringConstraints(pattern=r"^[0-9]{1,32}$")] | None = None
    transfer_remark: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32, pattern=PLAIN_TEXT)] | None
    ) = None


class ReconciliationCreate(RequestBody):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"since": "2026-11-01T00:00:00+08:00", "until": "2026-11-02T00:00:00+08:00"}]},
    )

    since: Moment | None = Field(default=None, description="Payouts requested from (default: 7 days ago)")
    until: Moment | None = Field(default=None, description="… until, exclusive (default: now)")
    # The order of since and until is checked by start_reconciliation, which names the field
    # (a model validator here could only name the whole body) and sees the defaults too.


class ReconciliationLine(BaseModel):
    verdict: Literal["matched", "missing", "amount_mismatch", "status_mismatch", "pending", "unexpected", "unknown"]
    out_batch_no: str
    out_detail_no: str
    payout_id: int | None
    ours_amount: int | None
    theirs_amount: int | None
    ours_status: str | None
    theirs_status: str | None


class ReconciliationRead(BaseModel):
    id: int
    since: dt.datetime
    until: dt.datetime
    status: Literal["running", "done", "failed"]
    checked: int
    matched: int
    problems: int
    counts: dict[str, int]
    lines: list[ReconciliationLine] = Field(description="Every payout that did not match, and why")
    error: str | None
    created_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
