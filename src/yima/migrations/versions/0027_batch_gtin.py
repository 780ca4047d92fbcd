"""code_batches keep the GTIN their Digital Links were printed with

Revision ID: 0027
Revises: 0026
Create Date: 2026-11-25 13:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Batches made before this revision were printed with their product's GTIN as it is now (a
# GTIN changed since could not be told apart; a batch for a product without one has none).
BACKFILL = """
UPDATE code_batches SET gtin = (
  SELECT p.gtin FROM products p WHERE p.id = code_batches.product_id AND p.tenant_id = code_batches.tenant_id
) WHERE product_id IS NOT NULL
"""


def upgrade() -> None:
    with op.batch_alter_table("code_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gtin", sa.String(length=14), nullable=True))
    op.execute(BACKFILL)


def downgrade() -> None:
    with op.batch_alter_table("code_batches", schema=None) as batch_op:
        batch_op.drop_column("gtin")
