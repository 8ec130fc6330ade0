"""A spam filter's opinion: every kind of mail, sent with sample data through the
real outbox to a real SMTP server, scores at most 1.0 in SpamAssassin with its
local rules only (`spamassassin -L -t`: no network tests)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import missing
from mail_samples import SITE_URL, queue_every_kind

from leadsite.outbox import MailKind, deliver_due

MOST = 1.0
SCORE = re.compile(rb"^Content analysis details:\s+\((-?[0-9.]+) points", re.M)


@pytest.fixture
def spamassassin() -> str:
    path = shutil.which("spamassassin")
    if not path:
        missing("spamassassin is not installed (Debian: apt-get install spamassassin)")
    return path


@pytest.fixture
def app_config(app_config, smtp_server):
    return {
        **app_config,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "SITE_URL": SITE_URL,
        "MAIL_DEFAULT_SENDER": "Alexandra Charnin <hello@example.org>",
    }


def scores(spamassassin: str, messages: list[bytes]) -> list[tuple[float, str]]:
    """(points, report) for each message. One run for all of them (`--mbox`): the
    filter takes seconds to start. The mbox keeps each message's bytes as
    received, but for line endings and the usual `>From ` quoting."""
    mbox = b"".join(
        b"From sender@example.org Thu Jan  1 00:00:00 2026\n"
        + re.sub(rb"^(>*From )", rb">\1", raw.replace(b"\r\n", b"\n"), flags=re.M)
        + b"\n"
        for raw in messages
    )
    report = subprocess.run(
        [spamassassin, "-L", "-t", "--mbox"],
        input=mbox,
        capture_output=True,
        check=False,
        timeout=300,
    ).stdout
    found = SCORE.findall(report)
    assert len(found) == len(messages), report.decode(errors="replace")[-2000:]
    details = report.split(b"Content analysis details:")[1:]
    return [
        (float(points), detail.decode(errors="replace")[:1500])
        for points, detail in zip(found, details, strict=True)
    ]


def test_every_kind_of_mail_scores_low(app, smtp_server, spamassassin):
    with app.app_context():
        queue_every_kind()
        assert sum(deliver_due().values()) == len(MailKind)
    envelopes = smtp_server.recorder.envelopes
    assert len(envelopes) == len(MailKind)
    subjects = [message["Subject"] for message in smtp_server.messages]
    results = scores(spamassassin, [envelope.content for envelope in envelopes])
    for subject, (points, details) in zip(subjects, results, strict=True):
        assert points <= MOST, f"{subject}: {details}"


def test_the_filter_does_find_fault(spamassassin):
    """The check can fail: a careless mail scores well over the limit."""
    careless = (
        b"From: WINNER <winner@example.org>\r\nTo: you@example.com\r\n"
        b"Subject: FREE MONEY!!! ACT NOW!!!\r\n\r\n"
        b"<html><body><font size=7>CLICK HERE</font> to claim your FREE $$$ cash "
        b"prize, 100% FREE, no catch, limited time, act now!!!</body></html>\r\n"
    )
    [(points, details)] = scores(spamassassin, [careless])
    assert points > MOST, details
