"""Search vocabulary: on SQLite, how many documents hold each word (matching leaves out the commonest)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    # FTS5's own view of its index (PostgreSQL keeps the same figures in pg_stats).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts, row)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts_vocab")
