"""campaigns: risk control — counters per window, blacklists, the brand's risk settings

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-27 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yima.platform.db.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RefId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
UTCDateTime = yima.platform.db.base.UTCDateTime


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="RESTRICT"
    )


def upgrade() -> None:
    op.create_table(
        "campaign_blacklist",
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        _tenant_fk("campaign_blacklist"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_blacklist")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_campaign_blacklist_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "kind", "value", name=op.f("uq_campaign_blacklist_tenant_id_kind_value")),
    )
    op.create_table(
        "campaign_risk_counters",
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("span", sa.String(length=6), nullable=False),
        sa.Column("subject", sa.String(length=6), nullable=False),
        sa.Column("subject_key", sa.String(length=32), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        _tenant_fk("campaign_risk_counters"),
        sa.PrimaryKeyConstraint(
            "tenant_id", "starts_at", "span", "subject", "subject_key", name=op.f("pk_campaign_risk_counters")
        ),
    )
    op.create_table(
        "campaign_risk_settings",
        sa.Column("document", Json, nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        _tenant_fk("campaign_risk_settings"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_risk_settings")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_campaign_risk_settings_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_campaign_risk_settings_tenant_id")),
    )


def downgrade() -> None:
    op.drop_table("campaign_risk_settings")
    op.drop_table("campaign_risk_counters")
    op.drop_table("campaign_blacklist")
