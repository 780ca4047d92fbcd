"""analytics: consumed bottles and the scan cursor

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import yima.platform.db.base

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RefId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "analytics_consumed",
        sa.Column("serial", sa.BigInteger(), nullable=False),
        sa.Column("scan_id", RefId, nullable=False),
        sa.Column("scanned_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("product_id", RefId, nullable=True),
        sa.Column("holder_kind", sa.String(length=10), nullable=True),
        sa.Column("holder_id", RefId, nullable=True),
        sa.Column("received_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_analytics_consumed_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_consumed")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_analytics_consumed_tenant_id_id")),
        sa.UniqueConstraint("tenant_id", "serial", name=op.f("uq_analytics_consumed_tenant_id_serial")),
    )
    with op.batch_alter_table("analytics_consumed", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_consumed_tenant_holder", ["tenant_id", "holder_kind", "holder_id"], unique=False
        )

    op.create_table(
        "analytics_scan_cursor",
        sa.Column("last_scan_id", RefId, nullable=False),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_analytics_scan_cursor_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_scan_cursor")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_analytics_scan_cursor_tenant_id")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_analytics_scan_cursor_tenant_id_id")),
    )


def downgrade() -> None:
    op.drop_table("analytics_scan_cursor")
    with op.batch_alter_table("analytics_consumed", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_consumed_tenant_holder")
    op.drop_table("analytics_consumed")
