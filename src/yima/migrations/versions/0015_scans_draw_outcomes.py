"""scans: who scanned, the draw's risk decision and outcome, reviews; awards' hour and region

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yima.platform.db.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign_awards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("local_hour", sa.SmallInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("region_code", sa.String(length=6), nullable=True))

    with op.batch_alter_table("scan_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("local_day", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("local_hour", sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch_op.add_column(sa.Column("device_hash", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("net_hash", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("client_key", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.add_column(sa.Column("risk_decision", sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column(
                "risk_reasons",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("outcome", sa.String(length=20), nullable=False, server_default="verified"))
        batch_op.add_column(sa.Column("award_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True))
        batch_op.add_column(sa.Column("review_state", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_scan_records_tenant_campaign", ["tenant_id", "campaign_id", "local_day"], unique=False
        )
        batch_op.create_index("ix_scan_records_tenant_person", ["tenant_id", "person_id", "id"], unique=False)
        batch_op.create_index("ix_scan_records_tenant_review", ["tenant_id", "review_state", "id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_scan_records_tenant_id_person_id_client_key"), ["tenant_id", "person_id", "client_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("scan_records", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_scan_records_tenant_id_person_id_client_key"), type_="unique")
        batch_op.drop_index("ix_scan_records_tenant_review")
        batch_op.drop_index("ix_scan_records_tenant_person")
        batch_op.drop_index("ix_scan_records_tenant_campaign")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by")
        batch_op.drop_column("review_state")
        batch_op.drop_column("award_id")
        batch_op.drop_column("outcome")
        batch_op.drop_column("risk_reasons")
        batch_op.drop_column("risk_decision")
        batch_op.drop_column("campaign_id")
        batch_op.drop_column("client_key")
        batch_op.drop_column("net_hash")
        batch_op.drop_column("device_hash")
        batch_op.drop_column("person_id")
        batch_op.drop_column("local_hour")
        batch_op.drop_column("local_day")

    with op.batch_alter_table("campaign_awards", schema=None) as batch_op:
        batch_op.drop_column("region_code")
        batch_op.drop_column("local_hour")
