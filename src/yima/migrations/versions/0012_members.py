"""members: persons, identities, phone one-time codes

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.schema import SchemaItem

import yima.platform.db.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RefId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = yima.platform.db.base.UTCDateTime(timezone=True)


def _tenant_columns(table: str) -> list[SchemaItem]:
    """The id and tenant_id every tenant-owned table has, with their keys."""
    return [
        sa.Column("id", RefId, autoincrement=True, nullable=False),
        sa.Column("tenant_id", RefId, nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f(f"uq_{table}_tenant_id_id")),
    ]


def _person_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", "person_id"],
        ["persons.tenant_id", "persons.id"],
        name=op.f(f"fk_{table}_tenant_id_person_id_persons"),
    )


def upgrade() -> None:
    op.create_table(
        "persons",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("first_seen_at", UTC, nullable=False),
        sa.Column("merged_into_id", RefId, nullable=True),
        sa.Column("merged_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        *_tenant_columns("persons"),
        sa.CheckConstraint("level >= 0", name=op.f("ck_persons_level")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "merged_into_id"],
            ["persons.tenant_id", "persons.id"],
            name=op.f("fk_persons_tenant_id_merged_into_id_persons"),
        ),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index("ix_persons_tenant_merged_into", ["tenant_id", "merged_into_id"], unique=False)

    op.create_table(
        "person_identities",
        sa.Column("person_id", RefId, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=128), nullable=False),
        sa.Column("verified_at", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        *_tenant_columns("person_identities"),
        _person_fk("person_identities"),
        sa.UniqueConstraint("tenant_id", "kind", "value", name=op.f("uq_person_identities_tenant_id_kind_value")),
    )
    with op.batch_alter_table("person_identities", schema=None) as batch_op:
        batch_op.create_index("ix_person_identities_tenant_person", ["tenant_id", "person_id"], unique=False)

    op.create_table(
        "person_tags",
        sa.Column("person_id", RefId, nullable=False),
        sa.Column("tag", sa.String(length=40), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        *_tenant_columns("person_tags"),
        _person_fk("person_tags"),
        sa.UniqueConstraint("tenant_id", "person_id", "tag", name=op.f("uq_person_tags_tenant_id_person_id_tag")),
    )
    with op.batch_alter_table("person_tags", schema=None) as batch_op:
        batch_op.create_index("ix_person_tags_tenant_tag", ["tenant_id", "tag"], unique=False)

    op.create_table(
        "phone_codes",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("issued_at", UTC, nullable=True),
        sa.Column("expires_at", UTC, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("used_at", UTC, nullable=True),
        *_tenant_columns("phone_codes"),
        sa.UniqueConstraint("tenant_id", "phone", "purpose", name=op.f("uq_phone_codes_tenant_id_phone_purpose")),
    )

    op.create_table(
        "sms_messages",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("source_hash", sa.String(length=32), nullable=True),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("provider_ref", sa.String(length=80), nullable=True),
        sa.Column("error_code", sa.String(length=80), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        *_tenant_columns("sms_messages"),
    )
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.create_index("ix_sms_messages_tenant_phone", ["tenant_id", "phone", "created_at"], unique=False)
        batch_op.create_index("ix_sms_messages_tenant_source", ["tenant_id", "source_hash", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_messages_tenant_source")
        batch_op.drop_index("ix_sms_messages_tenant_phone")
    op.drop_table("sms_messages")
    op.drop_table("phone_codes")
    with op.batch_alter_table("person_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_person_tags_tenant_tag")
    op.drop_table("person_tags")
    with op.batch_alter_table("person_identities", schema=None) as batch_op:
        batch_op.drop_index("ix_person_identities_tenant_person")
    op.drop_table("person_identities")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index("ix_persons_tenant_merged_into")
    op.drop_table("persons")
