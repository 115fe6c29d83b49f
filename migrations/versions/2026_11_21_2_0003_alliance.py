"""Alliance: organisations (with services, track record, remote work), applications, staff invitations.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-21 11:11:55.763313
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Part 1 — the tables of alliance/models.py as the foundation defined them.
    # 0001 was generated before alliance.models was imported, so it lacks them.
    op.create_table('organizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('founded_year', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organizations')),
    sa.UniqueConstraint('name', name=op.f('uq_organizations_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_organizations_slug'))
    )
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organizations_prefecture'), ['prefecture'], unique=False)
        batch_op.create_index(batch_op.f('ix_organizations_status'), ['status'], unique=False)

    op.create_table('organization_prefectures',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_prefectures_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'prefecture', name=op.f('pk_organization_prefectures'))
    )
    with op.batch_alter_table('organization_prefectures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_prefectures_prefecture'), ['prefecture'], unique=False)

    op.create_table('organization_staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_organization_staff_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_staff_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_staff')),
    sa.UniqueConstraint('organization_id', 'member_id', name=op.f('uq_organization_staff_organization_id_member_id'))
    )
    with op.batch_alter_table('organization_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_staff_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_staff_organization_id'), ['organization_id'], unique=False)

    op.create_table('organization_themes',
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('depth', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_themes_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'theme', name=op.f('pk_organization_themes'))
    )
    with op.batch_alter_table('organization_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_themes_theme'), ['theme'], unique=False)

    # Part 2 — this issue: introduction, remote work, services, track record, applications, invitations.
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('accepts_remote', sa.Boolean(), nullable=False, server_default=sa.false()))

    op.create_table('organization_services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_services_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_services'))
    )
    with op.batch_alter_table('organization_services', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_services_organization_id'), ['organization_id'], unique=False)

    op.create_table('organization_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_records_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_records'))
    )
    with op.batch_alter_table('organization_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_records_organization_id'), ['organization_id'], unique=False)

    op.create_table('organization_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=False),
    sa.Column('served_prefectures', sa.JSON(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['members.id'], name=op.f('fk_organization_applications_applicant_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['members.id'], name=op.f('fk_organization_applications_decided_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_applications_organization_id_organizations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_applications'))
    )
    with op.batch_alter_table('organization_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_applications_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_applications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_applications_slug'), ['slug'], unique=False)
        batch_op.create_index(batch_op.f('ix_organization_applications_status'), ['status'], unique=False)

    op.create_table('organization_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['invited_by_id'], ['members.id'], name=op.f('fk_organization_invitations_invited_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_organization_invitations_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_organization_invitations_token_hash'))
    )
    with op.batch_alter_table('organization_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organization_invitations_organization_id'), ['organization_id'], unique=False)


def downgrade():
    # Part 2
    with op.batch_alter_table('organization_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_invitations_organization_id'))

    op.drop_table('organization_invitations')
    with op.batch_alter_table('organization_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_applications_status'))
        batch_op.drop_index(batch_op.f('ix_organization_applications_slug'))
        batch_op.drop_index(batch_op.f('ix_organization_applications_created_at'))
        batch_op.drop_index(batch_op.f('ix_organization_applications_applicant_id'))

    op.drop_table('organization_applications')
    with op.batch_alter_table('organization_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_records_organization_id'))

    op.drop_table('organization_records')
    with op.batch_alter_table('organization_services', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_services_organization_id'))

    op.drop_table('organization_services')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('accepts_remote')
        batch_op.drop_column('description')

    # Part 1
    with op.batch_alter_table('organization_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_themes_theme'))

    op.drop_table('organization_themes')
    with op.batch_alter_table('organization_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_staff_organization_id'))
        batch_op.drop_index(batch_op.f('ix_organization_staff_member_id'))

    op.drop_table('organization_staff')
    with op.batch_alter_table('organization_prefectures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organization_prefectures_prefecture'))

    op.drop_table('organization_prefectures')
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organizations_status'))
        batch_op.drop_index(batch_op.f('ix_organizations_prefecture'))

    op.drop_table('organizations')
