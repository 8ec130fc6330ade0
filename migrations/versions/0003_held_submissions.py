"""Held submissions replace the inbox and the used form tokens

Forms now become leads in their own request, so the inbox (`submissions`) and the
render-time tokens (`used_form_tokens`) go. Anything still waiting in the inbox at
upgrade time is not lost: it is copied into `held_submissions` (reason "upgrade"),
where the owner sees it and releases it into the normal flow.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 14:40:00

"""
from alembic import op
import sqlalchemy as sa

import leadsite.models.types


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# What each inbox kind was, as the form it came from and that form's fields.
FORMS = {"message": "contact", "resource": "resource"}
PURPOSE_FORMS = {"newsletter": "subscribe", "waitlist": "waitlist"}


def held_fields(kind, data):
    """The inbox row's data as the fields of the form that sent it."""
    source = data.get("source", {})
    fields = [["email", data.get("email", "")], ["name", data.get("name", "")]]
    if kind == "opt_in":
        form = PURPOSE_FORMS.get(data.get("purpose"), "subscribe")
        if form == "waitlist":
            fields.append(["state", data.get("topic", "")])
    elif kind == "resource":
        form = "resource"
        fields.append(["resource", data.get("slug", "")])
        if data.get("newsletter"):
            fields.append(["newsletter", "y"])
    else:
        form = FORMS.get(kind, kind)
        fields.append(["message", data.get("body", "")])
    for key in ("page", "utm_source", "utm_medium", "utm_campaign"):
        fields.append([key, source.get(key, "")])
    return form, fields, source.get("page", "")


def upgrade():
    held = op.create_table('held_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=200), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('honeypot', sa.String(length=200), nullable=False),
    sa.Column('page', sa.String(length=500), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('received_at', leadsite.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_submissions'))
    )
    with op.batch_alter_table('held_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_held_submissions_received_at'), ['received_at'], unique=False)

    submissions = sa.table(
        'submissions',
        sa.column('kind', sa.String),
        sa.column('data', sa.JSON),
        sa.column('received_at', leadsite.models.types.UTCDateTime(timezone=True)),
    )
    rows = op.get_bind().execute(sa.select(submissions)).all()
    if rows:
        copies = []
        for row in rows:
            form, fields, page = held_fields(row.kind, row.data or {})
            copies.append({
                "form": form, "target": "", "fields": fields, "honeypot": "",
                "page": page[:500], "client": "", "reason": "upgrade",
                "received_at": row.received_at,
            })
        op.bulk_insert(held, copies)

    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_submissions_claimed_until'))
    op.drop_table('submissions')
    with op.batch_alter_table('used_form_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_used_form_tokens_expires_at'))
    op.drop_table('used_form_tokens')


def downgrade():
    op.create_table('used_form_tokens',
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('expires_at', leadsite.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_used_form_tokens'))
    )
    with op.batch_alter_table('used_form_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_used_form_tokens_expires_at'), ['expires_at'], unique=False)
    op.create_table('submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('received_at', leadsite.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', leadsite.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_submissions')),
    sa.UniqueConstraint('nonce', name=op.f('uq_submissions_nonce'))
    )
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_submissions_claimed_until'), ['claimed_until'], unique=False)
    with op.batch_alter_table('held_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_held_submissions_received_at'))
    op.drop_table('held_submissions')
