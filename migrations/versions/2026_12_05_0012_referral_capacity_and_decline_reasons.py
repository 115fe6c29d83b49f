"""Referral capacity: how many referrals an organisation takes at once, or paused; why an offer was declined

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('referral_capacity', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('referrals_paused', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('referral_declines', schema=None) as batch_op:
        # Declines from before the reasons were asked for: "other".
        batch_op.add_column(sa.Column('reason_kind', sa.String(length=10), nullable=False, server_default='other'))
        batch_op.create_check_constraint(op.f('ck_referral_declines_reason_kind_valid'),
                                         sa.text("reason_kind IN ('capacity', 'fit', 'timing', 'other')"))


def downgrade():
    with op.batch_alter_table('referral_declines', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_referral_declines_reason_kind_valid'), type_='check')
        batch_op.drop_column('reason_kind')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('referrals_paused')
        batch_op.drop_column('referral_capacity')
