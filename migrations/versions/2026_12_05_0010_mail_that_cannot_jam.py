"""Mail that cannot jam: a status per message (pending, sent, dead), retry times, Message-ID, extra headers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=10), nullable=False, server_default='pending'))
        batch_op.add_column(sa.Column('message_id', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('headers', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))
    # What was sent is sent; what failed five times (the old limit) is dead.
    op.execute("UPDATE outbox_messages SET status = 'sent' WHERE sent_at IS NOT NULL")
    op.execute("UPDATE outbox_messages SET status = 'dead' WHERE sent_at IS NULL AND attempts >= 5")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_check_constraint(op.f('ck_outbox_messages_status_valid'),
                                         sa.text("status IN ('pending', 'sent', 'dead')"))
        batch_op.create_index('ix_outbox_messages_due', ['status', 'next_attempt_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_messages_due')
        batch_op.drop_constraint(op.f('ck_outbox_messages_status_valid'), type_='check')
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('headers')
        batch_op.drop_column('message_id')
        batch_op.drop_column('status')
