"""Pictures: uploaded logos, event covers and article header images

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

OWNERS = (('organizations', 'logo_id'), ('events', 'cover_id'), ('articles', 'header_id'))


def upgrade():
    op.create_table(
        'pictures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('widths', sa.JSON(), nullable=False),
        sa.Column('alt', sa.String(length=200), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['members.id'], name=op.f('fk_pictures_uploaded_by_id_members'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pictures')),
        sa.UniqueConstraint('key', name=op.f('uq_pictures_key')),
    )
    for table, column in OWNERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
            batch_op.create_foreign_key(op.f(f'fk_{table}_{column}_pictures'), 'pictures', [column], ['id'],
                                        ondelete='SET NULL')


def downgrade():
    for table, column in OWNERS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'fk_{table}_{column}_pictures'), type_='foreignkey')
            batch_op.drop_column(column)
    op.drop_table('pictures')
