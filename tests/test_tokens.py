"""Mailed-link tokens: random, stored only as a hash, bound to a purpose, expiring;
links mailed before them (signed) still work until they expire."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from leadsite.extensions import db
from leadsite.models import LinkToken
from leadsite.tokens import (
    TokenExpired,
    TokenPurpose,
    make_token,
    purge_expired,
    read_token,
)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_a_token_is_random_and_only_its_hash_is_kept(ctx):
    data = {"s": 95, "who": "parent-of-a-pupil"}
    token = make_token(TokenPurpose.CONFIRM, data)
    db.session.commit()
    assert len(token) >= 43 and "." not in token
    carried = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b"parent-of-a-pupil" not in carried and "parent-of-a-pupil" not in token
    assert make_token(TokenPurpose.CONFIRM, data) != token  # random, not derived
    row = db.session.scalars(select(LinkToken).order_by(LinkToken.id)).first()
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in (row.digest, str(row.data))
    assert read_token(TokenPurpose.CONFIRM, token) == data
    assert read_token(TokenPurpose.CONFIRM, token) == data  # idempotent
    assert read_token(TokenPurpose.UNSUBSCRIBE, token) is None  # purpose-bound
    altered = token[:-1] + ("B" if token.endswith("A") else "A")  # never the same
    assert read_token(TokenPurpose.CONFIRM, altered) is None


@pytest.mark.parametrize(
    ("purpose", "days"),
    [
        (TokenPurpose.CONFIRM, 14),
        (TokenPurpose.COMMENT, 14),
        (TokenPurpose.UNSUBSCRIBE, 365),
        (TokenPurpose.DOWNLOAD, 7),  # RESOURCE_LINK_DAYS
    ],
)
def test_a_token_expires_after_its_purposes_lifetime(ctx, purpose, days):
    token = make_token(purpose, {"p": 1, "r": "x"})
    db.session.commit()
    row = db.session.scalar(select(LinkToken))
    row.created_at -= timedelta(days=days, seconds=-60)
    db.session.commit()
    assert read_token(purpose, token) == {"p": 1, "r": "x"}
    row.created_at -= timedelta(seconds=120)
    db.session.commit()
    with pytest.raises(TokenExpired) as expired:
        read_token(purpose, token)
    assert expired.value.data == {"p": 1, "r": "x"}  # whom it was for: renewable


def test_old_tokens_are_purged_after_a_grace_period(ctx):
    make_token(TokenPurpose.CONFIRM, {"s": 1})
    kept = make_token(TokenPurpose.UNSUBSCRIBE, {"s": 1})
    db.session.commit()
    for row in db.session.scalars(select(LinkToken)):
        row.created_at -= timedelta(days=200)
    db.session.commit()
    assert purge_expired() == 1
    db.session.commit()
    assert read_token(TokenPurpose.UNSUBSCRIBE, kept) == {"s": 1}


def test_signed_links_from_before_still_work_until_they_expire(app, ctx):
    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="leadsite.confirm")
    old = signer.dumps({"s": 7})
    assert read_token(TokenPurpose.CONFIRM, old) == {"s": 7}
    assert read_token(TokenPurpose.UNSUBSCRIBE, old) is None
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough"
    assert read_token(TokenPurpose.CONFIRM, old) is None
