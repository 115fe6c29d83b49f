"""Knowhow articles, revisions and programme adoptions; the generic search index (FTS5 / tsvector).

Revision ID: 0005
Revises: 0006
Create Date: 2026-11-21 11:13:45.663715
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0006'
branch_labels = None
depends_on = None

def _create_engine_index():
    """FTS5 on SQLite, a tsvector column with a GIN index on PostgreSQL (see core/search.py)."""
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE search_documents ADD COLUMN search_vector tsvector')
        op.execute('CREATE INDEX ix_search_documents_search_vector ON search_documents USING gin (search_vector)')
    else:
        op.execute(
            "CREATE VIRTUAL TABLE search_fts USING fts5("
            "title, body, bigrams, facets, tokenize = 'unicode61 remove_diacritics 0')"
        )


def _drop_engine_index():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP INDEX IF EXISTS ix_search_documents_search_vector')
        op.execute('ALTER TABLE search_documents DROP COLUMN IF EXISTS search_vector')
    else:
        op.execute('DROP TABLE IF EXISTS search_fts')


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('facets', sa.String(length=1000), nullable=False),
    sa.Column('meta', sa.JSON(), nullable=False),
    sa.Column('indexed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_search_documents_kind_object_id'))
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_documents_owner_id'), ['owner_id'], unique=False)

    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=600), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('goal', sa.Text(), nullable=False),
    sa.Column('audience', sa.Text(), nullable=False),
    sa.Column('duration', sa.String(length=200), nullable=False),
    sa.Column('steps', sa.Text(), nullable=False),
    sa.Column('cost', sa.String(length=300), nullable=False),
    sa.Column('materials', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_articles_author_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['editor_id'], ['members.id'], name=op.f('fk_articles_editor_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_articles_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    sa.UniqueConstraint('slug', name=op.f('uq_articles_slug'))
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_articles_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_prefecture'), ['prefecture'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_articles_status'), ['status'], unique=False)

    op.create_table('adoptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome_notes', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_adoptions_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_adoptions_created_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_adoptions_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoptions'))
    )
    with op.batch_alter_table('adoptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoptions_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoptions_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoptions_prefecture'), ['prefecture'], unique=False)

    op.create_table('article_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=600), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('playbook', sa.JSON(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_revisions_article_id_articles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['editor_id'], ['members.id'], name=op.f('fk_article_revisions_editor_id_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_article_revisions')),
    sa.UniqueConstraint('article_id', 'version', name=op.f('uq_article_revisions_article_id_version'))
    )
    with op.batch_alter_table('article_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_revisions_article_id'), ['article_id'], unique=False)

    op.create_table('article_themes',
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_article_themes_article_id_articles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('article_id', 'theme', name=op.f('pk_article_themes'))
    )
    with op.batch_alter_table('article_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_themes_theme'), ['theme'], unique=False)
    _create_engine_index()


def downgrade():
    _drop_engine_index()
    with op.batch_alter_table('article_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_themes_theme'))

    op.drop_table('article_themes')
    with op.batch_alter_table('article_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_revisions_article_id'))

    op.drop_table('article_revisions')
    with op.batch_alter_table('adoptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adoptions_prefecture'))
        batch_op.drop_index(batch_op.f('ix_adoptions_organization_id'))
        batch_op.drop_index(batch_op.f('ix_adoptions_article_id'))

    op.drop_table('adoptions')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_articles_status'))
        batch_op.drop_index(batch_op.f('ix_articles_published_at'))
        batch_op.drop_index(batch_op.f('ix_articles_prefecture'))
        batch_op.drop_index(batch_op.f('ix_articles_organization_id'))
        batch_op.drop_index(batch_op.f('ix_articles_kind'))
        batch_op.drop_index(batch_op.f('ix_articles_deleted_at'))
        batch_op.drop_index(batch_op.f('ix_articles_author_id'))

    op.drop_table('articles')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_documents_owner_id'))
        batch_op.drop_index(batch_op.f('ix_search_documents_organization_id'))

    op.drop_table('search_documents')
