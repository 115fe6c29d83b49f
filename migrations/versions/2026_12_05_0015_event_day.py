"""The event day: registration questions and answers, 受付票 codes and check-in, surveys, materials, calendar feeds

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

# as events.models has them at this revision
TICKET_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fee', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('consent_note', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('answer_retention_days', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('answers_purged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('checkin_code', sa.String(length=6), nullable=True))
        batch_op.add_column(sa.Column('slides_url', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('recording_url', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('report', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ticket_code', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consented_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('survey_mailed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('survey_answered_at', sa.DateTime(timezone=True), nullable=True))

    # Every registration made so far gets its 受付票 code.
    registrations = sa.table('registrations', sa.column('id', sa.Integer), sa.column('ticket_code', sa.String))
    connection = op.get_bind()
    for (registration_id,) in connection.execute(sa.select(registrations.c.id)).all():
        code = "".join(secrets.choice(TICKET_ALPHABET) for _ in range(6))
        connection.execute(sa.update(registrations).where(registrations.c.id == registration_id)
                           .values(ticket_code=code))
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_unique_constraint(op.f('uq_registrations_event_id_ticket_code'), ['event_id', 'ticket_code'])

    op.create_table(
        'event_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.CheckConstraint("purpose IN ('signup', 'survey')", name=op.f('ck_event_questions_purpose_valid')),
        sa.CheckConstraint("kind IN ('text', 'textarea', 'choice', 'choices', 'rating')",
                           name=op.f('ck_event_questions_kind_valid')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_questions_event_id_events'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_questions')),
    )
    op.create_index(op.f('ix_event_questions_event_id'), 'event_questions', ['event_id'], unique=False)
    op.create_table(
        'event_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['event_questions.id'],
                                name=op.f('fk_event_answers_question_id_event_questions'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                                name=op.f('fk_event_answers_registration_id_registrations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_answers')),
        sa.UniqueConstraint('registration_id', 'question_id', name=op.f('uq_event_answers_registration_id_question_id')),
    )
    op.create_index(op.f('ix_event_answers_question_id'), 'event_answers', ['question_id'], unique=False)
    op.create_table(
        'event_calendar_feeds',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_event_calendar_feeds_member_id_members'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id', name=op.f('pk_event_calendar_feeds')),
        sa.UniqueConstraint('token', name=op.f('uq_event_calendar_feeds_token')),
    )


def downgrade():
    op.drop_table('event_calendar_feeds')
    op.drop_index(op.f('ix_event_answers_question_id'), table_name='event_answers')
    op.drop_table('event_answers')
    op.drop_index(op.f('ix_event_questions_event_id'), table_name='event_questions')
    op.drop_table('event_questions')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('uq_registrations_event_id_ticket_code'), type_='unique')
        for column in ('survey_answered_at', 'survey_mailed_at', 'consented_at', 'checked_in_at', 'ticket_code'):
            batch_op.drop_column(column)
    with op.batch_alter_table('events', schema=None) as batch_op:
        for column in ('report', 'recording_url', 'slides_url', 'checkin_code', 'answers_purged_at',
                       'answer_retention_days', 'consent_note', 'address', 'fee'):
            batch_op.drop_column(column)
