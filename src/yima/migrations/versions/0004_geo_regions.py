"""geo regions

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    regions = op.create_table(
        "regions",
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("parent_code", sa.String(length=6), nullable=True),
        sa.Column("province_code", sa.String(length=6), nullable=False),
        sa.Column("city_code", sa.String(length=6), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.ForeignKeyConstraint(["parent_code"], ["regions.code"], name=op.f("fk_regions_parent_code_regions")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.create_index("ix_regions_level", ["level"], unique=False)
        batch_op.create_index("ix_regions_parent_code", ["parent_code"], unique=False)

    # GB/T 2260 reference data, loaded with the table so every migrated database can locate and
    # parse at once; `yima geo load` (the same rows, an idempotent upsert) refreshes it later.
    from yima.geo import rules, source

    columns = [c.name for c in regions.columns]
    records = rules.build_regions(source.read_adcodes())
    op.bulk_insert(regions, [{c: getattr(r, c) for c in columns} for r in records])


def downgrade() -> None:
    with op.batch_alter_table("regions", schema=None) as batch_op:
        batch_op.drop_index("ix_regions_parent_code")
        batch_op.drop_index("ix_regions_level")

    op.drop_table("regions")
