"""campaign_person_counts.period holds a code's period too ("code:<serial>", 一码多扫)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-25 07:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign_person_counts", schema=None) as batch_op:
        batch_op.alter_column("period", existing_type=sa.String(length=10), type_=sa.String(length=32),
                              existing_nullable=False)  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("campaign_person_counts", schema=None) as batch_op:
        batch_op.alter_column("period", existing_type=sa.String(length=32), type_=sa.String(length=10),
                              existing_nullable=False)  # fmt: skip
