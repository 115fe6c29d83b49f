"""People and projects: expertise profiles, projects, applications, programmes, cohorts.

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-21 11:31:26.710832
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None

def upgrade():
    op.create_table('expertise_profiles',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('hours_per_month', sa.Integer(), nullable=False),
    sa.Column('remote', sa.Boolean(), nullable=False),
    sa.Column('on_site', sa.Boolean(), nullable=False),
    sa.Column('travel_mask', sa.BigInteger(), nullable=False),
    sa.Column('visibility', sa.String(length=20), nullable=False),
    sa.Column('accepting', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_expertise_profiles_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_expertise_profiles'))
    )
    with op.batch_alter_table('expertise_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_expertise_profiles_visibility'), ['visibility'], unique=False)

    op.create_table('project_cohorts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('programme_name', sa.String(length=80), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_project_cohorts_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_cohorts')),
    sa.UniqueConstraint('organization_id', 'kind', 'programme_name', 'fiscal_year', name=op.f('uq_project_cohorts_organization_id_kind_programme_name_fiscal_year'))
    )
    with op.batch_alter_table('project_cohorts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_cohorts_fiscal_year'), ['fiscal_year'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_cohorts_organization_id'), ['organization_id'], unique=False)

    op.create_table('projects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('host_name', sa.String(length=120), nullable=False),
    sa.Column('host_type', sa.String(length=20), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=False),
    sa.Column('location', sa.String(length=60), nullable=False),
    sa.Column('programme_name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('hours_per_month', sa.Integer(), nullable=False),
    sa.Column('duration_months', sa.Integer(), nullable=False),
    sa.Column('remote_possible', sa.Boolean(), nullable=False),
    sa.Column('compensation', sa.String(length=20), nullable=False),
    sa.Column('compensation_note', sa.String(length=200), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('positions', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['members.id'], name=op.f('fk_projects_created_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_projects_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_projects_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_prefecture'), ['prefecture'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_projects_theme'), ['theme'], unique=False)

    op.create_table('expertise_areas',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('prefecture', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['expertise_profiles.member_id'], name=op.f('fk_expertise_areas_member_id_expertise_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'prefecture', name=op.f('pk_expertise_areas'))
    )
    with op.batch_alter_table('expertise_areas', schema=None) as batch_op:
        batch_op.create_index('ix_expertise_areas_prefecture_member', ['prefecture', 'member_id'], unique=False)

    op.create_table('expertise_skills',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['expertise_profiles.member_id'], name=op.f('fk_expertise_skills_member_id_expertise_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'key', name=op.f('pk_expertise_skills'))
    )
    with op.batch_alter_table('expertise_skills', schema=None) as batch_op:
        batch_op.create_index('ix_expertise_skills_key_member', ['key', 'member_id'], unique=False)

    op.create_table('expertise_themes',
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('theme', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['expertise_profiles.member_id'], name=op.f('fk_expertise_themes_member_id_expertise_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'theme', name=op.f('pk_expertise_themes'))
    )
    with op.batch_alter_table('expertise_themes', schema=None) as batch_op:
        batch_op.create_index('ix_expertise_themes_theme_member', ['theme', 'member_id'], unique=False)

    op.create_table('project_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_project_applications_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_applications_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_applications')),
    sa.UniqueConstraint('project_id', 'member_id', name=op.f('uq_project_applications_project_id_member_id'))
    )
    with op.batch_alter_table('project_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_applications_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_applications_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_applications_status'), ['status'], unique=False)

    op.create_table('project_invitations',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['invited_by_id'], ['members.id'], name=op.f('fk_project_invitations_invited_by_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_project_invitations_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_invitations_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'member_id', name=op.f('pk_project_invitations'))
    )
    with op.batch_alter_table('project_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_invitations_member_id'), ['member_id'], unique=False)

    op.create_table('project_skills',
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_skills_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'key', name=op.f('pk_project_skills'))
    )

    op.create_table('project_programmes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('listed_in_cohort', sa.Boolean(), nullable=False),
    sa.Column('report', sa.Text(), nullable=False),
    sa.Column('report_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('hours_contributed', sa.Integer(), nullable=True),
    sa.Column('case_study_url', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['project_applications.id'], name=op.f('fk_project_programmes_application_id_project_applications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['cohort_id'], ['project_cohorts.id'], name=op.f('fk_project_programmes_cohort_id_project_cohorts')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_project_programmes_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_programmes_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_programmes')),
    sa.UniqueConstraint('application_id', name=op.f('uq_project_programmes_application_id'))
    )
    with op.batch_alter_table('project_programmes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_programmes_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_programmes_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_programmes_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_project_programmes_status'), ['status'], unique=False)

    op.create_table('programme_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_programme_notes_author_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['project_programmes.id'], name=op.f('fk_programme_notes_programme_id_project_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_notes'))
    )
    with op.batch_alter_table('programme_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_notes_programme_id'), ['programme_id'], unique=False)

    op.create_table('programme_phases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=20), nullable=False),
    sa.Column('planned_start', sa.Date(), nullable=True),
    sa.Column('planned_end', sa.Date(), nullable=True),
    sa.Column('actual_start', sa.Date(), nullable=True),
    sa.Column('actual_end', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['programme_id'], ['project_programmes.id'], name=op.f('fk_programme_phases_programme_id_project_programmes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programme_phases')),
    sa.UniqueConstraint('programme_id', 'key', name=op.f('uq_programme_phases_programme_id_key'))
    )
    with op.batch_alter_table('programme_phases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programme_phases_programme_id'), ['programme_id'], unique=False)


def downgrade():
    with op.batch_alter_table('programme_phases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_phases_programme_id'))

    op.drop_table('programme_phases')

    with op.batch_alter_table('programme_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programme_notes_programme_id'))

    op.drop_table('programme_notes')

    with op.batch_alter_table('project_programmes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_programmes_status'))
        batch_op.drop_index(batch_op.f('ix_project_programmes_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_programmes_member_id'))
        batch_op.drop_index(batch_op.f('ix_project_programmes_cohort_id'))

    op.drop_table('project_programmes')

    op.drop_table('project_skills')

    with op.batch_alter_table('project_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_invitations_member_id'))

    op.drop_table('project_invitations')

    with op.batch_alter_table('project_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_applications_status'))
        batch_op.drop_index(batch_op.f('ix_project_applications_project_id'))
        batch_op.drop_index(batch_op.f('ix_project_applications_member_id'))

    op.drop_table('project_applications')

    with op.batch_alter_table('expertise_themes', schema=None) as batch_op:
        batch_op.drop_index('ix_expertise_themes_theme_member')

    op.drop_table('expertise_themes')

    with op.batch_alter_table('expertise_skills', schema=None) as batch_op:
        batch_op.drop_index('ix_expertise_skills_key_member')

    op.drop_table('expertise_skills')

    with op.batch_alter_table('expertise_areas', schema=None) as batch_op:
        batch_op.drop_index('ix_expertise_areas_prefecture_member')

    op.drop_table('expertise_areas')

    with op.batch_alter_table('projects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_projects_theme'))
        batch_op.drop_index(batch_op.f('ix_projects_status'))
        batch_op.drop_index(batch_op.f('ix_projects_prefecture'))
        batch_op.drop_index(batch_op.f('ix_projects_organization_id'))
        batch_op.drop_index(batch_op.f('ix_projects_kind'))
        batch_op.drop_index(batch_op.f('ix_projects_deadline'))
        batch_op.drop_index(batch_op.f('ix_projects_created_at'))

    op.drop_table('projects')

    with op.batch_alter_table('project_cohorts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_cohorts_organization_id'))
        batch_op.drop_index(batch_op.f('ix_project_cohorts_fiscal_year'))

    op.drop_table('project_cohorts')

    with op.batch_alter_table('expertise_profiles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_expertise_profiles_visibility'))

    op.drop_table('expertise_profiles')
