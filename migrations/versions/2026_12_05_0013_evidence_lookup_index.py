"""Evidence lookup: search documents by kind and organisation (matching reads a candidate's documents)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_search_documents_kind_organization', 'search_documents', ['kind', 'organization_id'],
                    unique=False)


def downgrade():
    op.drop_index('ix_search_documents_kind_organization', table_name='search_documents')
