"""budget slices: a campaign's spend counted in slices of campaign_days (day "total" for the
budget), a wallet budget split in slice accounts, so concurrent draws do not queue on one row

Revision ID: 0020
Revises: 0022
Create Date: 2026-11-23 22:20:48.191520
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A published campaign's spend so far becomes its one "total" slice (its quota the budget).
_TOTALS = """
INSERT INTO campaign_days (tenant_id, campaign_id, day, slice, cap_fen, spent_fen, awards)
SELECT c.tenant_id, c.id, 'total', 0, c.budget_fen, c.spent_fen,
       (SELECT count(*) FROM campaign_awards a WHERE a.tenant_id = c.tenant_id AND a.campaign_id = c.id)
FROM campaigns c WHERE c.state != 'draft'
"""
_SPENT_BACK = """
UPDATE campaigns SET spent_fen = coalesce((SELECT sum(d.spent_fen) FROM campaign_days d
    WHERE d.tenant_id = campaigns.tenant_id AND d.campaign_id = campaigns.id AND d.day = 'total'), 0)
"""


def upgrade() -> None:
    with op.batch_alter_table('campaign_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slice', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('cap_fen', sa.BigInteger(), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_campaign_days_tenant_id_campaign_id_day'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_campaign_days_tenant_id_campaign_id_day_slice'), ['tenant_id', 'campaign_id', 'day', 'slice'])
        batch_op.create_check_constraint(
            batch_op.f('ck_campaign_days_spent_within_quota'), 'cap_fen IS NULL OR spent_fen <= cap_fen'
        )
    op.execute(_TOTALS)

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slices', sa.SmallInteger(), server_default='1', nullable=False))
        batch_op.drop_constraint(batch_op.f('ck_campaigns_spent_within_budget'), type_='check')
        batch_op.drop_column('spent_fen')

    with op.batch_alter_table('wallet_accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slice', sa.SmallInteger(), server_default='0', nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_wallet_accounts_tenant_id_kind_currency_owner_kind_owner_ref'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_wallet_accounts_tenant_id_kind_currency_owner_kind_owner_ref_slice'), ['tenant_id', 'kind', 'currency', 'owner_kind', 'owner_ref', 'slice'])


def downgrade() -> None:
    # Fails on the unique keys while a budget or a day is split in slices: merge them first.
    with op.batch_alter_table('wallet_accounts', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_wallet_accounts_tenant_id_kind_currency_owner_kind_owner_ref_slice'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_wallet_accounts_tenant_id_kind_currency_owner_kind_owner_ref'), ['tenant_id', 'kind', 'currency', 'owner_kind', 'owner_ref'])
        batch_op.drop_column('slice')

    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spent_fen', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.drop_column('slices')
    op.execute(_SPENT_BACK)
    op.execute("DELETE FROM campaign_days WHERE day = 'total'")
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_check_constraint(
            batch_op.f('ck_campaigns_spent_within_budget'), 'spent_fen >= 0 AND spent_fen <= budget_fen'
        )

    with op.batch_alter_table('campaign_days', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_campaign_days_spent_within_quota'), type_='check')
        batch_op.drop_constraint(batch_op.f('uq_campaign_days_tenant_id_campaign_id_day_slice'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_campaign_days_tenant_id_campaign_id_day'), ['tenant_id', 'campaign_id', 'day'])
        batch_op.drop_column('cap_fen')
        batch_op.drop_column('slice')
