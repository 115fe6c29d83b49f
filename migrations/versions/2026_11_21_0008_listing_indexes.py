"""Indexes that let the event calendar and the newest-knowhow lists read in order

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_listing', ['deleted_at', 'starts_at', 'id'], unique=False)
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index('ix_articles_listing', ['status', 'published_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_listing')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_listing')
