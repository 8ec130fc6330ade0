"""Opaque mailed-link tokens (stored hashed) and addresses that bounce or complain

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-29 13:59:03.192895

"""

import sqlalchemy as sa
from alembic import op

import leadsite.models.types

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bouncing_addresses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column(
            "first_at", leadsite.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_at", leadsite.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bouncing_addresses")),
        sa.UniqueConstraint("email", name=op.f("uq_bouncing_addresses_email")),
    )
    op.create_table(
        "link_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column(
            "created_at",
            leadsite.models.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_tokens")),
        sa.UniqueConstraint("digest", name=op.f("uq_link_tokens_digest")),
    )
    with op.batch_alter_table("link_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_link_tokens_created_at"), ["created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("link_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_link_tokens_created_at"))

    op.drop_table("link_tokens")
    op.drop_table("bouncing_addresses")
