"""wallet: double-entry ledger, payouts

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yima.platform.db.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RefId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "wallet_accounts",
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("owner_kind", sa.String(length=40), nullable=False),
        sa.Column("owner_ref", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("balance", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.CheckConstraint("balance >= 0 OR kind = 'funding'", name=op.f("ck_wallet_accounts_balance_not_negative")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_wallet_accounts_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_accounts")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_wallet_accounts_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id",
            "kind",
            "currency",
            "owner_kind",
            "owner_ref",
            name=op.f("uq_wallet_accounts_tenant_id_kind_currency_owner_kind_owner_ref"),
        ),
    )
    with op.batch_alter_table("wallet_accounts", schema=None) as batch_op:
        batch_op.create_index("ix_wallet_accounts_tenant_kind", ["tenant_id", "kind", "id"], unique=False)

    op.create_table(
        "wallet_journals",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=8), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("ref_type", sa.String(length=40), nullable=False),
        sa.Column("ref_id", sa.String(length=64), nullable=False),
        sa.Column("reverses_id", RefId, nullable=True),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("actor_id", RefId, nullable=True),
        sa.Column("actor_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "reverses_id"],
            ["wallet_journals.tenant_id", "wallet_journals.id"],
            name=op.f("fk_wallet_journals_tenant_id_reverses_id_wallet_journals"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_wallet_journals_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_journals")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_wallet_journals_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "key", name=op.f("uq_wallet_journals_tenant_id_key")),
    )
    with op.batch_alter_table("wallet_journals", schema=None) as batch_op:
        batch_op.create_index("ix_wallet_journals_tenant_kind", ["tenant_id", "kind", "id"], unique=False)

    op.create_table(
        "wallet_payout_batches",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("out_batch_no", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("total_amount", sa.BigInteger(), nullable=False),
        sa.Column("total_num", sa.Integer(), nullable=False),
        sa.Column("provider_batch_id", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_wallet_payout_batches_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_payout_batches")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_wallet_payout_batches_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "out_batch_no", name=op.f("uq_wallet_payout_batches_tenant_id_out_batch_no")),
    )
    with op.batch_alter_table("wallet_payout_batches", schema=None) as batch_op:
        batch_op.create_index(
            "ix_wallet_payout_batches_tenant_due", ["tenant_id", "status", "next_attempt_at"], unique=False
        )

    op.create_table(
        "wallet_reconciliations",
        sa.Column("since", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("until", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("problems", sa.Integer(), nullable=False),
        sa.Column(
            "counts", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column(
            "lines", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_wallet_reconciliations_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_reconciliations")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_wallet_reconciliations_tenant_id_id")),
    )
    with op.batch_alter_table("wallet_reconciliations", schema=None) as batch_op:
        batch_op.create_index("ix_wallet_reconciliations_tenant_created", ["tenant_id", "id"], unique=False)

    op.create_table(
        "wallet_sandbox_transfers",
        sa.Column("out_batch_no", sa.String(length=32), nullable=False),
        sa.Column("out_detail_no", sa.String(length=32), nullable=False),
        sa.Column("openid", sa.String(length=128), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("fail_reason", sa.String(length=64), nullable=True),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_wallet_sandbox_transfers_tenant_id_tenants"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_sandbox_transfers")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_wallet_sandbox_transfers_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "out_detail_no", name=op.f("uq_wallet_sandbox_transfers_tenant_id_out_detail_no")
        ),
    )
    with op.batch_alter_table("wallet_sandbox_transfers", schema=None) as batch_op:
        batch_op.create_index("ix_wallet_sandbox_transfers_tenant_batch", ["tenant_id", "out_batch_no"], unique=False)

    op.create_table(
        "wallet_settings",
        sa.Column("fee_bps", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("min_withdrawal_fen", sa.BigInteger(), nullable=False),
        sa.Column("max_transfer_fen", sa.BigInteger(), nullable=False),
        sa.Column("daily_cap_fen", sa.BigInteger(), nullable=False),
        sa.Column("transfer_scene_id", sa.String(length=32), nullable=False),
        sa.Column("transfer_remark", sa.String(length=32), nullable=False),
        sa.Column("updated_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_wallet_settings_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_settings")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_wallet_settings_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_wallet_settings_tenant_id")),
    )
    op.create_table(
        "wallet_entries",
        sa.Column("journal_id", RefId, nullable=False),
        sa.Column("account_id", RefId, nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["wallet_accounts.tenant_id", "wallet_accounts.id"],
            name=op.f("fk_wallet_entries_tenant_id_account_id_wallet_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "journal_id"],
            ["wallet_journals.tenant_id", "wallet_journals.id"],
            name=op.f("fk_wallet_entries_tenant_id_journal_id_wallet_journals"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_wallet_entries_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_entries")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_wallet_entries_tenant_id_id")),
    )
    with op.batch_alter_table("wallet_entries", schema=None) as batch_op:
        batch_op.create_index("ix_wallet_entries_tenant_account", ["tenant_id", "account_id", "id"], unique=False)
        batch_op.create_index("ix_wallet_entries_tenant_journal", ["tenant_id", "journal_id"], unique=False)

    op.create_table(
        "wallet_payouts",
        sa.Column("person_id", RefId, nullable=False),
        sa.Column("account_id", RefId, nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("fee", sa.BigInteger(), nullable=False),
        sa.Column("fee_bps", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("destination", sa.String(length=128), nullable=False),
        sa.Column("remark", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("local_day", sa.String(length=10), nullable=False),
        sa.Column("batch_id", RefId, nullable=True),
        sa.Column("out_detail_no", sa.String(length=32), nullable=True),
        sa.Column("provider_detail_id", sa.String(length=64), nullable=True),
        sa.Column("request_journal_id", RefId, nullable=False),
        sa.Column("settle_journal_id", RefId, nullable=True),
        sa.Column("fail_code", sa.String(length=64), nullable=True),
        sa.Column("fail_message", sa.String(length=200), nullable=True),
        sa.Column("requested_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("settled_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.CheckConstraint("amount > 0 AND fee >= 0", name=op.f("ck_wallet_payouts_amounts")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "account_id"],
            ["wallet_accounts.tenant_id", "wallet_accounts.id"],
            name=op.f("fk_wallet_payouts_tenant_id_account_id_wallet_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "batch_id"],
            ["wallet_payout_batches.tenant_id", "wallet_payout_batches.id"],
            name=op.f("fk_wallet_payouts_tenant_id_batch_id_wallet_payout_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "request_journal_id"],
            ["wallet_journals.tenant_id", "wallet_journals.id"],
            name=op.f("fk_wallet_payouts_tenant_id_request_journal_id_wallet_journals"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "settle_journal_id"],
            ["wallet_journals.tenant_id", "wallet_journals.id"],
            name=op.f("fk_wallet_payouts_tenant_id_settle_journal_id_wallet_journals"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_wallet_payouts_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallet_payouts")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_wallet_payouts_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "person_id", "key", name=op.f("uq_wallet_payouts_tenant_id_person_id_key")),
    )
    with op.batch_alter_table("wallet_payouts", schema=None) as batch_op:
        batch_op.create_index("ix_wallet_payouts_tenant_batch", ["tenant_id", "batch_id"], unique=False)
        batch_op.create_index(
            "ix_wallet_payouts_tenant_person_day", ["tenant_id", "person_id", "local_day"], unique=False
        )
        batch_op.create_index("ix_wallet_payouts_tenant_status", ["tenant_id", "status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("wallet_payouts", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_payouts_tenant_status")
        batch_op.drop_index("ix_wallet_payouts_tenant_person_day")
        batch_op.drop_index("ix_wallet_payouts_tenant_batch")

    op.drop_table("wallet_payouts")
    with op.batch_alter_table("wallet_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_entries_tenant_journal")
        batch_op.drop_index("ix_wallet_entries_tenant_account")

    op.drop_table("wallet_entries")
    op.drop_table("wallet_settings")
    with op.batch_alter_table("wallet_sandbox_transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_sandbox_transfers_tenant_batch")

    op.drop_table("wallet_sandbox_transfers")
    with op.batch_alter_table("wallet_reconciliations", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_reconciliations_tenant_created")

    op.drop_table("wallet_reconciliations")
    with op.batch_alter_table("wallet_payout_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_payout_batches_tenant_due")

    op.drop_table("wallet_payout_batches")
    with op.batch_alter_table("wallet_journals", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_journals_tenant_kind")

    op.drop_table("wallet_journals")
    with op.batch_alter_table("wallet_accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_wallet_accounts_tenant_kind")

    op.drop_table("wallet_accounts")
