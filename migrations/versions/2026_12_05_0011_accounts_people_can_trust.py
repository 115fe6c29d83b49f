"""Accounts people can trust: confirmed addresses, one-time links, mail preferences, the weekly digest, sessions' last visit, contact messages, consent on consultations

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))
    # Accounts from before confirmation existed count as confirmed.
    op.execute("UPDATE members SET email_verified_at = created_at")

    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ip_prefix', sa.String(length=50), nullable=False, server_default=''))

    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        'account_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("purpose IN ('reset', 'verify', 'change')", name=op.f('ck_account_tokens_purpose_valid')),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_account_tokens_member_id_members'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash')),
    )
    op.create_index(op.f('ix_account_tokens_member_id'), 'account_tokens', ['member_id'], unique=False)

    op.create_table(
        'mail_preferences',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_mail_preferences_member_id_members'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id', 'kind', name=op.f('pk_mail_preferences')),
    )
    op.create_table(
        'digest_deliveries',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('week', sa.String(length=8), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_digest_deliveries_member_id_members'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id', 'week', name=op.f('pk_digest_deliveries')),
    )
    op.create_table(
        'contact_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('new', 'done')", name=op.f('ck_contact_messages_status_valid')),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_contact_messages_member_id_members'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_messages')),
    )
    op.create_index(op.f('ix_contact_messages_created_at'), 'contact_messages', ['created_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_contact_messages_created_at'), table_name='contact_messages')
    op.drop_table('contact_messages')
    op.drop_table('digest_deliveries')
    op.drop_table('mail_preferences')
    op.drop_index(op.f('ix_account_tokens_member_id'), table_name='account_tokens')
    op.drop_table('account_tokens')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_column('consented_at')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_column('ip_prefix')
        batch_op.drop_column('last_seen_at')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_column('email_verified_at')
