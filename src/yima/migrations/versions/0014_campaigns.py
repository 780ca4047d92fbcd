"""campaigns: campaigns, prizes, awards and the draw's counters

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-25 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yima.platform.db.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RefId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("audience", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("starts_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("budget_fen", sa.BigInteger(), nullable=False),
        sa.Column("daily_cap_fen", sa.BigInteger(), nullable=True),
        sa.Column("spent_fen", sa.BigInteger(), nullable=False),
        sa.Column("scope", Json, nullable=False),
        sa.Column("targeting", Json, nullable=False),
        sa.Column("limits", Json, nullable=False),
        sa.Column("budget_account_id", RefId, nullable=True),
        sa.Column("published_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("spent_fen >= 0 AND spent_fen <= budget_fen", name=op.f("ck_campaigns_spent_within_budget")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_campaigns_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_campaigns_tenant_id_id")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index("ix_campaigns_tenant_state", ["tenant_id", "state"], unique=False)

    op.create_table(
        "campaign_code_counts",
        sa.Column("campaign_id", RefId, nullable=False),
        sa.Column("code_serial", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("awards", sa.Integer(), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["campaigns.tenant_id", "campaigns.id"],
            name=op.f("fk_campaign_code_counts_tenant_id_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_campaign_code_counts_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_code_counts")),
        sa.UniqueConstraint(
            "tenant_id",
            "campaign_id",
            "code_serial",
            "role",
            name=op.f("uq_campaign_code_counts_tenant_id_campaign_id_code_serial_role"),
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_campaign_code_counts_tenant_id_id")),
    )
    op.create_table(
        "campaign_days",
        sa.Column("campaign_id", RefId, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("spent_fen", sa.BigInteger(), nullable=False),
        sa.Column("awards", sa.Integer(), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["campaigns.tenant_id", "campaigns.id"],
            name=op.f("fk_campaign_days_tenant_id_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_campaign_days_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_days")),
        sa.UniqueConstraint("tenant_id", "campaign_id", "day", name=op.f("uq_campaign_days_tenant_id_campaign_id_day")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_campaign_days_tenant_id_id")),
    )
    op.create_table(
        "campaign_person_counts",
        sa.Column("campaign_id", RefId, nullable=False),
        sa.Column("person_id", RefId, nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("awards", sa.Integer(), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["campaigns.tenant_id", "campaigns.id"],
            name=op.f("fk_campaign_person_counts_tenant_id_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_campaign_person_counts_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_person_counts")),
        sa.UniqueConstraint(
            "tenant_id",
            "campaign_id",
            "person_id",
            "period",
            name=op.f("uq_campaign_person_counts_tenant_id_campaign_id_person_id_period"),
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_campaign_person_counts_tenant_id_id")),
    )
    op.create_table(
        "campaign_prizes",
        sa.Column("campaign_id", RefId, nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=True),
        sa.Column("min_fen", sa.BigInteger(), nullable=True),
        sa.Column("max_fen", sa.BigInteger(), nullable=True),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("coupon_ref", sa.String(length=64), nullable=False),
        sa.Column("cost_fen", sa.BigInteger(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("stock_left", sa.Integer(), nullable=True),
        sa.Column("budget_fen", sa.BigInteger(), nullable=True),
        sa.Column("spent_fen", sa.BigInteger(), nullable=False),
        sa.Column("awarded", sa.Integer(), nullable=False),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.CheckConstraint(
            "budget_fen IS NULL OR spent_fen <= budget_fen", name=op.f("ck_campaign_prizes_prize_spent_within_budget")
        ),
        sa.CheckConstraint("stock_left IS NULL OR stock_left >= 0", name=op.f("ck_campaign_prizes_stock_left")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["campaigns.tenant_id", "campaigns.id"],
            name=op.f("fk_campaign_prizes_tenant_id_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_campaign_prizes_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_prizes")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_campaign_prizes_tenant_id_id")),
    )
    with op.batch_alter_table("campaign_prizes", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_prizes_tenant_campaign", ["tenant_id", "campaign_id"], unique=False)

    op.create_table(
        "campaign_awards",
        sa.Column("campaign_id", RefId, nullable=False),
        sa.Column("prize_id", RefId, nullable=False),
        sa.Column("scan_ref", sa.String(length=64), nullable=False),
        sa.Column("person_id", RefId, nullable=False),
        sa.Column("code_serial", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("prize_name", sa.String(length=80), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("cost_fen", sa.BigInteger(), nullable=False),
        sa.Column("fallback", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=80), nullable=False),
        sa.Column("journal_id", RefId, nullable=True),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "campaign_id"],
            ["campaigns.tenant_id", "campaigns.id"],
            name=op.f("fk_campaign_awards_tenant_id_campaign_id_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "prize_id"],
            ["campaign_prizes.tenant_id", "campaign_prizes.id"],
            name=op.f("fk_campaign_awards_tenant_id_prize_id_campaign_prizes"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_campaign_awards_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_awards")),
        sa.UniqueConstraint(
            "tenant_id",
            "campaign_id",
            "code_serial",
            "role",
            "seq",
            name=op.f("uq_campaign_awards_tenant_id_campaign_id_code_serial_role_seq"),
        ),
        sa.UniqueConstraint(
            "tenant_id", "campaign_id", "scan_ref", name=op.f("uq_campaign_awards_tenant_id_campaign_id_scan_ref")
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_campaign_awards_tenant_id_id")),
    )
    with op.batch_alter_table("campaign_awards", schema=None) as batch_op:
        batch_op.create_index("ix_campaign_awards_tenant_person", ["tenant_id", "person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("campaign_awards", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_awards_tenant_person")

    op.drop_table("campaign_awards")
    with op.batch_alter_table("campaign_prizes", schema=None) as batch_op:
        batch_op.drop_index("ix_campaign_prizes_tenant_campaign")

    op.drop_table("campaign_prizes")
    op.drop_table("campaign_person_counts")
    op.drop_table("campaign_days")
    op.drop_table("campaign_code_counts")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_campaigns_tenant_state")

    op.drop_table("campaigns")
