"""Events: series, events and themes, registrations, per-company seats, lottery draws.

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-21 11:14:19.561613
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0005'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('event_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_event_series_created_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_event_series_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_series'))
    )
    with op.batch_alter_table('event_series', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_series_organization_id'), ['organization_id'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signup_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('waitlist_enabled', sa.Boolean(), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=True),
    sa.Column('venue', sa.String(length=200), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('series_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('allocation', sa.String(length=12), nullable=False),
    sa.Column('per_organization_cap', sa.Integer(), nullable=True),
    sa.Column('confirmed_count', sa.Integer(), nullable=False),
    sa.Column('waitlist_count', sa.Integer(), nullable=False),
    sa.Column('applied_count', sa.Integer(), nullable=False),
    sa.Column('waitlist_seq', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('confirmed_count >= 0 AND confirmed_count <= capacity', name=op.f('ck_events_seats_within_capacity')),
    sa.CheckConstraint('waitlist_count >= 0 AND applied_count >= 0', name=op.f('ck_events_counts_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_events_created_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_events_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['event_series.id'], name=op.f('fk_events_series_id_event_series'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_prefecture'), ['prefecture'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_series_id'), ['series_id'], unique=False)
        batch_op.create_index('ix_events_status_starts_at', ['status', 'starts_at'], unique=False)

    op.create_table('event_affiliation_seats',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('affiliation_key', sa.String(length=120), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_affiliation_seats_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'affiliation_key', name=op.f('pk_event_affiliation_seats'))
    )
    op.create_table('event_themes',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_themes_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'theme', name=op.f('pk_event_themes'))
    )
    with op.batch_alter_table('event_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_themes_theme'), ['theme'], unique=False)

    op.create_table('lottery_draws',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('drawn_by_id', sa.Integer(), nullable=True),
    sa.Column('applicant_ids', sa.JSON(), nullable=False),
    sa.Column('drawn_order', sa.JSON(), nullable=False),
    sa.Column('winner_ids', sa.JSON(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['drawn_by_id'], ['members.id'], name=op.f('fk_lottery_draws_drawn_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_lottery_draws_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lottery_draws')),
    sa.UniqueConstraint('event_id', name=op.f('uq_lottery_draws_event_id'))
    )
    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('queue_position', sa.Integer(), nullable=True),
    sa.Column('affiliation_key', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance', sa.String(length=10), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_registrations_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_registrations_member_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('event_id', 'member_id', name=op.f('uq_registrations_event_id_member_id'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_event_id'), ['event_id'], unique=False)
        batch_op.create_index('ix_registrations_event_status', ['event_id', 'status', 'queue_position'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_member_id'), ['member_id'], unique=False)


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_member_id'))
        batch_op.drop_index('ix_registrations_event_status')
        batch_op.drop_index(batch_op.f('ix_registrations_event_id'))

    op.drop_table('registrations')
    op.drop_table('lottery_draws')
    with op.batch_alter_table('event_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_themes_theme'))

    op.drop_table('event_themes')
    op.drop_table('event_affiliation_seats')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_status_starts_at')
        batch_op.drop_index(batch_op.f('ix_events_series_id'))
        batch_op.drop_index(batch_op.f('ix_events_prefecture'))
        batch_op.drop_index(batch_op.f('ix_events_organization_id'))
        batch_op.drop_index(batch_op.f('ix_events_kind'))
        batch_op.drop_index(batch_op.f('ix_events_deleted_at'))

    op.drop_table('events')
    with op.batch_alter_table('event_series', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_series_organization_id'))

    op.drop_table('event_series')
