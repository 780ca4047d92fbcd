"""identity notifications (staff inbox)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yima.platform.db.base

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RefId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("user_id", RefId, nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ref", sa.String(length=80), nullable=False),
        sa.Column("title", Json, nullable=False),
        sa.Column("body", Json, nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_notifications_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_notifications_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "kind", "ref", name=op.f("uq_notifications_tenant_id_user_id_kind_ref")
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_tenant_user_id", ["tenant_id", "user_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_tenant_user_id")
    op.drop_table("notifications")
