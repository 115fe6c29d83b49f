"""Indexes that let the event calendar and the newest-knowhow lists read in order

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    # One shape per planner (see events.models.Event): SQLite orders by the columns after
    # `deleted_at IS NULL`; PostgreSQL needs that condition as a partial index.
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_events_listing_live', 'events', ['starts_at', 'id'],
                        postgresql_where=sa.text('deleted_at IS NULL'))
    else:
        op.create_index('ix_events_listing', 'events', ['deleted_at', 'starts_at', 'id'])
    # Superseded by the index above; left in place, PostgreSQL's planner would pick it
    # before statistics exist and sort every upcoming event.
    op.drop_index('ix_events_status_starts_at', table_name='events')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_listing', ['status', 'published_at', 'id'], unique=False)


def downgrade():
    op.create_index('ix_events_status_starts_at', 'events', ['status', 'starts_at'])
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_listing')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_events_listing_live', table_name='events')
    else:
        op.drop_index('ix_events_listing', table_name='events')
