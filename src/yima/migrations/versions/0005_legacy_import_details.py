"""legacy import details: the default face, the problem count, when it finished

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import yima.platform.db.base

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Server defaults only so that existing rows get a value; the models supply them from now on.
    with op.batch_alter_table("code_legacy_imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("default_face", sa.String(length=10), nullable=False, server_default="inner"))
        batch_op.add_column(sa.Column("problem_count", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("finished_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("code_legacy_imports", schema=None) as batch_op:
        batch_op.drop_column("finished_at")
        batch_op.drop_column("problem_count")
        batch_op.drop_column("default_face")
