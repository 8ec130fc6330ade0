"""An index on the lower-cased address, for lookups in any letter case

Revision ID: 0009
Revises: 0003
Create Date: 2026-11-29 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_people_email_lower', 'people', [sa.text('lower(email)')])


def downgrade():
    op.drop_index('ix_people_email_lower', table_name='people')
