"""partners: warehouses and their locations, dealers and their territories, stores

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import yima.platform.db.base

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dealers",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("contact_name", sa.String(length=60), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("parent_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("level >= 1", name=op.f("ck_dealers_level")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "parent_id"],
            ["dealers.tenant_id", "dealers.id"],
            name=op.f("fk_dealers_tenant_id_parent_id_dealers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_dealers_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dealers")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_dealers_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_dealers_tenant_id_id")),
    )
    with op.batch_alter_table("dealers", schema=None) as batch_op:
        batch_op.create_index("ix_dealers_tenant_parent", ["tenant_id", "parent_id"], unique=False)
        batch_op.create_index("ix_dealers_tenant_region", ["tenant_id", "region_code"], unique=False)

    op.create_table(
        "warehouses",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_warehouses_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouses")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_warehouses_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_warehouses_tenant_id_id")),
    )
    op.create_table(
        "dealer_territories",
        sa.Column("dealer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "dealer_id"],
            ["dealers.tenant_id", "dealers.id"],
            name=op.f("fk_dealer_territories_tenant_id_dealer_id_dealers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_dealer_territories_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dealer_territories")),
        sa.UniqueConstraint(
            "tenant_id", "dealer_id", "region_code", name=op.f("uq_dealer_territories_tenant_id_dealer_id_region_code")
        ),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_dealer_territories_tenant_id_id")),
    )
    with op.batch_alter_table("dealer_territories", schema=None) as batch_op:
        batch_op.create_index("ix_dealer_territories_tenant_region", ["tenant_id", "region_code"], unique=False)

    op.create_table(
        "stores",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("dealer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("owner_name", sa.String(length=60), nullable=False),
        sa.Column("owner_phone", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("grade", sa.String(length=10), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "dealer_id"],
            ["dealers.tenant_id", "dealers.id"],
            name=op.f("fk_stores_tenant_id_dealer_id_dealers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_stores_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stores")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_stores_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_stores_tenant_id_id")),
    )
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.create_index("ix_stores_tenant_dealer", ["tenant_id", "dealer_id"], unique=False)
        batch_op.create_index("ix_stores_tenant_region", ["tenant_id", "region_code"], unique=False)

    op.create_table(
        "warehouse_locations",
        sa.Column("warehouse_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yima.platform.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "warehouse_id"],
            ["warehouses.tenant_id", "warehouses.id"],
            name=op.f("fk_warehouse_locations_tenant_id_warehouse_id_warehouses"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_warehouse_locations_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warehouse_locations")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_warehouse_locations_tenant_id_id")),
        sa.UniqueConstraint(
            "tenant_id", "warehouse_id", "code", name=op.f("uq_warehouse_locations_tenant_id_warehouse_id_code")
        ),
    )


def downgrade() -> None:
    op.drop_table("warehouse_locations")
    with op.batch_alter_table("stores", schema=None) as batch_op:
        batch_op.drop_index("ix_stores_tenant_region")
        batch_op.drop_index("ix_stores_tenant_dealer")

    op.drop_table("stores")
    with op.batch_alter_table("dealer_territories", schema=None) as batch_op:
        batch_op.drop_index("ix_dealer_territories_tenant_region")

    op.drop_table("dealer_territories")
    op.drop_table("warehouses")
    with op.batch_alter_table("dealers", schema=None) as batch_op:
        batch_op.drop_index("ix_dealers_tenant_region")
        batch_op.drop_index("ix_dealers_tenant_parent")

    op.drop_table("dealers")
