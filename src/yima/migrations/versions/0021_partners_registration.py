"""partners registration: what a role asked for by the person records (consent, place, new store, review note)

Revision ID: 0021
Revises: 0019
Create Date: 2026-11-23 22:16:12.629004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import yima.platform.db.base

revision: str = '0021'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('channel_roles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consented_at', yima.platform.db.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('located_region', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('new_store', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('review_note', sa.String(length=200), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('channel_roles', schema=None) as batch_op:
        batch_op.drop_column('review_note')
        batch_op.drop_column('new_store')
        batch_op.drop_column('located_region')
        batch_op.drop_column('consented_at')
