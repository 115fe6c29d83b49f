"""Rules in the database: status and kind columns hold only known values; one pending application per member

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

#: table -> (constraint name, condition): every status/kind column holds one of its module's values
CHECKS = {
    'adoptions': [
        ('ck_adoptions_status_valid', "status IN ('planned', 'running', 'ended')"),
    ],
    'article_revisions': [
        ('ck_article_revisions_kind_valid', "kind IN ('case-study', 'playbook', 'report', 'column')"),
        ('ck_article_revisions_status_valid', "status IN ('draft', 'published')"),
        ('ck_article_revisions_visibility_valid', "visibility IN ('public', 'members', 'alliance')"),
    ],
    'articles': [
        ('ck_articles_kind_valid', "kind IN ('case-study', 'playbook', 'report', 'column')"),
        ('ck_articles_status_valid', "status IN ('draft', 'published')"),
        ('ck_articles_visibility_valid', "visibility IN ('public', 'members', 'alliance')"),
    ],
    'consultations': [
        ('ck_consultations_status_valid', "status IN ('new', 'referred', 'closed')"),
    ],
    'events': [
        ('ck_events_allocation_valid', "allocation IN ('first-come', 'lottery')"),
        ('ck_events_audience_valid', "audience IN ('public', 'members')"),
        ('ck_events_format_valid', "format IN ('venue', 'online', 'hybrid')"),
        ('ck_events_kind_valid', "kind IN ('seminar', 'consultation', 'meeting', 'conference', 'training')"),
        ('ck_events_status_valid', "status IN ('draft', 'published', 'cancelled')"),
    ],
    'expertise_profiles': [
        ('ck_expertise_profiles_visibility_valid', "visibility IN ('alliance', 'public')"),
    ],
    'members': [
        ('ck_members_affiliation_valid', "affiliation IN ('company', 'public-sector', 'education', 'npo', 'individual')"),
        ('ck_members_locale_valid', "locale IN ('ja', 'en')"),
    ],
    'organization_applications': [
        ('ck_organization_applications_kind_valid', "kind IN ('npo', 'general-incorporated-association', 'general-incorporated-foundation', 'company', 'municipality', 'voluntary-group', 'other')"),
        ('ck_organization_applications_status_valid', "status IN ('pending', 'approved', 'rejected')"),
    ],
    'organization_invitations': [
        ('ck_organization_invitations_role_valid', "role IN ('owner', 'editor')"),
    ],
    'organization_staff': [
        ('ck_organization_staff_role_valid', "role IN ('owner', 'editor')"),
    ],
    'organization_themes': [
        ('ck_organization_themes_depth_valid', "depth IN ('experienced', 'strong', 'expert')"),
    ],
    'organizations': [
        ('ck_organizations_kind_valid', "kind IN ('npo', 'general-incorporated-association', 'general-incorporated-foundation', 'company', 'municipality', 'voluntary-group', 'other')"),
        ('ck_organizations_status_valid', "status IN ('active', 'suspended')"),
    ],
    'project_applications': [
        ('ck_project_applications_status_valid', "status IN ('screening', 'interview', 'matched', 'not_matched', 'withdrawn')"),
    ],
    'project_cohorts': [
        ('ck_project_cohorts_kind_valid', "kind IN ('side-job', 'secondment', 'facilitator', 'volunteer')"),
    ],
    'project_programmes': [
        ('ck_project_programmes_status_valid', "status IN ('active', 'completed')"),
    ],
    'projects': [
        ('ck_projects_compensation_valid', "compensation IN ('paid', 'expenses', 'none')"),
        ('ck_projects_host_type_valid', "host_type IN ('company', 'municipality', 'organization')"),
        ('ck_projects_kind_valid', "kind IN ('side-job', 'secondment', 'facilitator', 'volunteer')"),
        ('ck_projects_status_valid', "status IN ('open', 'closed')"),
    ],
    'referrals': [
        ('ck_referrals_format_valid', "format IN ('onsite', 'online', 'either')"),
        ('ck_referrals_status_valid', "status IN ('open', 'offered', 'accepted', 'in_progress', 'completed', 'withdrawn')"),
    ],
    'registrations': [
        ('ck_registrations_attendance_valid', "attendance IN ('attended', 'absent')"),
        ('ck_registrations_status_valid', "status IN ('confirmed', 'waitlisted', 'applied', 'cancelled')"),
    ],
    'search_documents': [
        ('ck_search_documents_visibility_valid', "visibility IN ('public', 'members', 'alliance')"),
    ],
}


def upgrade():
    # SQLite cannot add a constraint to a table: batch mode copies each table once.
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(name), sa.text(condition))
    with op.batch_alter_table('organization_applications', schema=None) as batch_op:
        batch_op.create_index('ix_organization_applications_one_pending', ['applicant_id'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))


def downgrade():
    with op.batch_alter_table('organization_applications', schema=None) as batch_op:
        batch_op.drop_index('ix_organization_applications_one_pending')
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _condition in checks:
                batch_op.drop_constraint(op.f(name), type_='check')
