"""Referrals between member organisations, their messages, declines and outcomes; consultations.

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-21 11:14:25.228289
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0003'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('consultation_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['members.id'], name=op.f('fk_consultation_settings_updated_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_settings'))
    )

    op.create_table('consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('organization_name', sa.String(length=120), nullable=False),
    sa.Column('contact_name', sa.String(length=60), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('closed_reason', sa.String(length=1000), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('anonymised_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['members.id'], name=op.f('fk_consultations_closed_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations')),
    sa.UniqueConstraint('reference', name=op.f('uq_consultations_reference'))
    )
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_prefecture'), ['prefecture'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultations_status'), ['status'], unique=False)

    op.create_table('consultation_themes',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_themes_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consultation_id', 'theme', name=op.f('pk_consultation_themes'))
    )

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('timing', sa.String(length=120), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requester_organization_id', sa.Integer(), nullable=True),
    sa.Column('partner_organization_id', sa.Integer(), nullable=True),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_reason', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_referrals_consultation_id_consultations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_referrals_created_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_organization_id'], ['organizations.id'], name=op.f('fk_referrals_partner_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_organization_id'], ['organizations.id'], name=op.f('fk_referrals_requester_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('consultation_id', name=op.f('uq_referrals_consultation_id'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_partner_organization_id'), ['partner_organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_prefecture'), ['prefecture'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_requester_organization_id'), ['requester_organization_id'], unique=False)
        batch_op.create_index('ix_referrals_status_partner', ['status', 'partner_organization_id'], unique=False)
        batch_op.create_index('ix_referrals_status_theme_partner', ['status', 'theme', 'partner_organization_id'], unique=False)

    op.create_table('referral_declines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_referral_declines_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_referral_declines_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_declines_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_declines'))
    )
    with op.batch_alter_table('referral_declines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_declines_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_declines_referral_id'), ['referral_id'], unique=False)

    op.create_table('referral_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_referral_messages_author_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_referral_messages_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_messages_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_messages'))
    )
    with op.batch_alter_table('referral_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_messages_referral_id'), ['referral_id'], unique=False)

    op.create_table('referral_outcomes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('people_supported', sa.Integer(), nullable=False),
    sa.Column('companies_supported', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Integer(), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('case_study_url', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_outcomes_referral_id_referrals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reported_by_id'], ['members.id'], name=op.f('fk_referral_outcomes_reported_by_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_outcomes')),
    sa.UniqueConstraint('referral_id', name=op.f('uq_referral_outcomes_referral_id'))
    )


def downgrade():
    op.drop_table('referral_outcomes')

    with op.batch_alter_table('referral_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_messages_referral_id'))

    op.drop_table('referral_messages')

    with op.batch_alter_table('referral_declines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_declines_referral_id'))
        batch_op.drop_index(batch_op.f('ix_referral_declines_organization_id'))

    op.drop_table('referral_declines')

    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_status_theme_partner')
        batch_op.drop_index('ix_referrals_status_partner')
        batch_op.drop_index(batch_op.f('ix_referrals_requester_organization_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_prefecture'))
        batch_op.drop_index(batch_op.f('ix_referrals_partner_organization_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_created_at'))

    op.drop_table('referrals')

    op.drop_table('consultation_themes')

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_status'))
        batch_op.drop_index(batch_op.f('ix_consultations_prefecture'))
        batch_op.drop_index(batch_op.f('ix_consultations_created_at'))

    op.drop_table('consultations')

    op.drop_table('consultation_settings')
