"""Consent records store the version of the privacy notice the form linked to
(empty for those given before the notice had one); posts keep their notes
(sample, reviewed, law, call to action)

Revision ID: 0010
Revises: 0004
Create Date: 2026-11-29 14:41:44.884929

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'privacy_version', sa.String(length=40), server_default='', nullable=False
            )
        )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('notes', sa.JSON(), server_default='{}', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_column('notes')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_column('privacy_version')

