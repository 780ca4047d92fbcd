"""trace: EPCIS 2.0 events, the identifiers they name, capture jobs

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yima.platform.db.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "epcis_captures",
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("stored_count", sa.Integer(), nullable=False),
        sa.Column(
            "errors", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_epcis_captures_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_captures")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_epcis_captures_tenant_id_id")),
    )
    with op.batch_alter_table("epcis_captures", schema=None) as batch_op:
        batch_op.create_index("ix_epcis_captures_tenant_created", ["tenant_id", "created_at"], unique=False)

    op.create_table(
        "epcis_events",
        sa.Column("event_id", sa.String(length=500), nullable=False),
        sa.Column("event_type", sa.String(length=500), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=True),
        sa.Column("biz_step", sa.String(length=500), nullable=True),
        sa.Column("disposition", sa.String(length=500), nullable=True),
        sa.Column("event_time", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("event_time_zone_offset", sa.String(length=6), nullable=False),
        sa.Column("record_time", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_point", sa.String(length=500), nullable=True),
        sa.Column("biz_location", sa.String(length=500), nullable=True),
        sa.Column("parent_id", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("capture_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "document", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("error_declared_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "error_declaration",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "capture_pk"],
            ["epcis_captures.tenant_id", "epcis_captures.id"],
            name=op.f("fk_epcis_events_tenant_id_capture_pk_epcis_captures"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_epcis_events_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epcis_events")),
        sa.UniqueConstraint("tenant_id", "event_id", name=op.f("uq_epcis_events_tenant_id_event_id")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_epcis_events_tenant_id_id")),
    )
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.create_index("ix_epcis_events_tenant_time", ["tenant_id", "event_time"], unique=False)

    op.create_table(
        "epcis_event_epcs",
        sa.Column("event_pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("epc", sa.String(length=500), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("event_time", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_epcis_event_epcs_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("tenant_id", "event_pk", "position", name=op.f("pk_epcis_event_epcs")),
    )
    with op.batch_alter_table("epcis_event_epcs", schema=None) as batch_op:
        batch_op.create_index("ix_epcis_event_epcs_tenant_epc_time", ["tenant_id", "epc", "event_time"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("epcis_event_epcs", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_event_epcs_tenant_epc_time")

    op.drop_table("epcis_event_epcs")
    with op.batch_alter_table("epcis_events", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_events_tenant_time")

    op.drop_table("epcis_events")
    with op.batch_alter_table("epcis_captures", schema=None) as batch_op:
        batch_op.drop_index("ix_epcis_captures_tenant_created")

    op.drop_table("epcis_captures")
