"""wallet_payout_batches keep their name, remark and transfer scene from when they were made

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-25 12:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("name", "remark", "scene_id")

# Batches made before this revision are given what they were sent with: the brand's name and
# payout settings as they are now (the defaults where a brand never changed them), clipped to
# 32 characters as wallet.rules.clip does.
BACKFILL = """
UPDATE wallet_payout_batches SET
  name = (SELECT CASE WHEN length(t.name) <= 28 THEN t.name || '红包提现'
                      ELSE substr(t.name || '红包提现', 1, 31) || '…' END
          FROM tenants t WHERE t.id = wallet_payout_batches.tenant_id),
  remark = coalesce((SELECT s.transfer_remark FROM wallet_settings s
                     WHERE s.tenant_id = wallet_payout_batches.tenant_id), '红包提现'),
  scene_id = coalesce((SELECT s.transfer_scene_id FROM wallet_settings s
                       WHERE s.tenant_id = wallet_payout_batches.tenant_id), '1000')
"""


def upgrade() -> None:
    with op.batch_alter_table("wallet_payout_batches", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.String(length=32), nullable=True))
    op.execute(BACKFILL)
    with op.batch_alter_table("wallet_payout_batches", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.alter_column(column, existing_type=sa.String(length=32), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("wallet_payout_batches", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_column(column)
