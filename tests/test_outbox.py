"""The outbox: mail waits in the database and a worker delivers it through a real
SMTP server, once, whatever the server does."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import socket
import threading
import time
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from conftest import build_app, submit_form
from sqlalchemy import func, select

from leadsite import create_app
from leadsite.extensions import db
from leadsite.models import (
    DeliveryAttempt,
    OutboxMessage,
    OutboxStatus,
    Person,
    Subscription,
    utcnow,
)
from leadsite.outbox.delivery import claim_due, deliver_due, lease, retry_delay
from leadsite.outbox.queue import cancel_queued, queue_mail, retry
from leadsite.outbox.worker import run_worker


@pytest.fixture
def mail_app(mail_app_config):
    """The app delivering through the test's SMTP server."""
    app = build_app(mail_app_config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def queue(count: int = 1, **fields) -> list[int]:
    """Queue `count` mails the way a form does, committed; return their ids."""
    messages = []
    for n in range(count):
        values = {
            "kind": "welcome",
            "to": f"parent{n}@example.com",
            "subject": f"Mail number {n}",
            "text": f"Hello, this is mail number {n}.",
            **fields,
        }
        messages.append(queue_mail(**values))
    db.session.flush()
    ids = [m.id for m in messages]
    db.session.commit()  # and no read after it: on SQLite that would hold the lock
    return ids


def stored(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def subjects(smtp_server) -> list[str]:
    return sorted(str(m["Subject"]) for m in smtp_server.messages)


class PickyRecorder:
    """An SMTP handler that refuses some recipients, like a real server would."""

    def __init__(self, replies: dict[str, list[str]]) -> None:
        self.replies = replies  # address -> replies to give, in order, then 250
        self.messages = []
        self.data_started = threading.Event()
        self.data_delay = 0.0
        self.drops = 0  # how many DATA commands to answer by hanging up

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        waiting = self.replies.get(address)
        if waiting:
            return waiting.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_started.set()
        await asyncio.sleep(self.data_delay)
        if self.drops:
            self.drops -= 1
            server.transport.close()
            return "421 Closing"
        self.messages.append(
            message_from_bytes(envelope.content, policy=policy.default)
        )
        return "250 Message accepted for delivery"


def use_handler(smtp_server, handler) -> None:
    smtp_server.stop()
    smtp_server.recorder = handler
    smtp_server.start()


def test_queued_mail_waits_for_the_worker_then_arrives_complete(mail_app, smtp_server):
    [message_id] = queue(
        1,
        to="parent@example.com",
        subject="Your checklist — ready",
        text="Here is your checklist, café and all.",
        html="<p>Here is your <strong>checklist</strong>.</p>",
        headers={
            "Reply-To": "alexandra@site.test",
            "List-Unsubscribe": "<http://site.test/unsubscribe/abc/one-click>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    time.sleep(0.3)
    assert smtp_server.messages == []
    assert stored(message_id).status == OutboxStatus.QUEUED

    assert deliver_due() == {"sent": 1}

    [received] = smtp_server.messages
    sender = received["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == (
        "Alexandra at Compliant Content Co.",
        "hello@site.test",
    )
    assert received["To"].addresses[0].addr_spec == "parent@example.com"
    assert received["Subject"] == "Your checklist — ready"
    assert received["Reply-To"].addresses[0].addr_spec == "alexandra@site.test"
    assert (
        received["List-Unsubscribe"] == "<http://site.test/unsubscribe/abc/one-click>"
    )
    assert received["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert received["Message-ID"].endswith("@site.test>")
    text = received.get_body(("plain",)).get_content()
    html = received.get_body(("html",)).get_content()
    assert text.strip() == "Here is your checklist, café and all."
    assert "<strong>checklist</strong>" in html

    message = stored(message_id)
    assert message.status == OutboxStatus.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert [a.outcome for a in message.delivery_attempts] == ["sent"]
    assert deliver_due() == {}
    assert len(smtp_server.messages) == 1


def test_smtp_down_keeps_mail_queued_and_delivers_each_once_when_back(
    mail_app, smtp_server
):
    smtp_server.stop()
    ids = queue(3)
    before = utcnow()

    assert deliver_due() == {"temporary": 3}

    for message_id in ids:
        message = stored(message_id)
        assert message.status == OutboxStatus.QUEUED
        assert message.attempts == 1
        assert "could not reach the mail server" in message.last_error
        wait = message.next_attempt_at - before
        assert timedelta(seconds=47) < wait < timedelta(seconds=73)
        assert [a.outcome for a in message.delivery_attempts] == ["temporary"]

    smtp_server.start()
    assert deliver_due() == {}  # not due yet: nothing hammers a server that is down
    assert deliver_due(now=utcnow() + timedelta(minutes=2)) == {"sent": 3}
    assert deliver_due(now=utcnow() + timedelta(days=2)) == {}
    assert subjects(smtp_server) == ["Mail number 0", "Mail number 1", "Mail number 2"]
    assert all(stored(i).status == OutboxStatus.SENT for i in ids)


def test_a_form_answers_at_once_while_the_mail_server_is_down(mail_app, smtp_server):
    smtp_server.stop()
    response = submit_form(
        mail_app.test_client(),
        "/contact",
        {
            "name": "Kim",
            "email": "kim@example.com",
            "message": "Can we talk before our IEP meeting?",
        },
    )
    assert response.status_code == 302
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert sorted(r.to_address for r in rows) == ["kim@example.com", "owner@site.test"]
    assert {r.status for r in rows} == {OutboxStatus.QUEUED}

    assert deliver_due() == {"temporary": 2}
    smtp_server.start()
    assert deliver_due(now=utcnow() + timedelta(minutes=2)) == {"sent": 2}
    assert deliver_due(now=utcnow() + timedelta(days=2)) == {}
    received = sorted(str(m["To"]) for m in smtp_server.messages)
    assert received == ["kim@example.com", "owner@site.test"]


def test_a_dropped_connection_is_retried_and_the_batch_goes_on(mail_app, smtp_server):
    dropper = PickyRecorder({})
    dropper.drops = 1
    use_handler(smtp_server, dropper)
    first, second = queue(2)

    assert deliver_due() == {"temporary": 1, "sent": 1}
    assert "SMTPServerDisconnected" in stored(first).last_error
    assert stored(first).status == OutboxStatus.QUEUED
    assert subjects(smtp_server) == ["Mail number 1"]

    assert deliver_due(now=utcnow() + timedelta(minutes=2)) == {"sent": 1}
    assert subjects(smtp_server) == ["Mail number 0", "Mail number 1"]


def test_a_stopping_worker_puts_its_claimed_mail_back(mail_app, smtp_server):
    ids = queue(3)
    stop = threading.Event()
    stop.set()
    assert deliver_due(stop=stop) == {}
    for message_id in ids:
        message = stored(message_id)
        assert (message.status, message.attempts) == (OutboxStatus.QUEUED, 0)
    assert smtp_server.messages == []
    assert deliver_due() == {"sent": 3}


def test_a_5xx_refusal_fails_at_once_and_is_not_retried(mail_app, smtp_server):
    use_handler(
        smtp_server, PickyRecorder({"parent0@example.com": ["550 No such user"]})
    )
    bad, good = queue(2)

    assert deliver_due() == {"permanent": 1, "sent": 1}

    message = stored(bad)
    assert message.status == OutboxStatus.FAILED
    assert message.last_error == "550 No such user"
    assert [a.outcome for a in message.delivery_attempts] == ["permanent"]
    assert stored(good).status == OutboxStatus.SENT
    assert deliver_due(now=utcnow() + timedelta(days=2)) == {}
    assert subjects(smtp_server) == ["Mail number 1"]


def test_a_4xx_refusal_is_retried_later(mail_app, smtp_server):
    use_handler(
        smtp_server, PickyRecorder({"parent0@example.com": ["451 Try again later"]})
    )
    [message_id] = queue(1)

    assert deliver_due() == {"temporary": 1}
    message = stored(message_id)
    assert (message.status, message.last_error) == (
        OutboxStatus.QUEUED,
        "451 Try again later",
    )
    assert message.next_attempt_at > utcnow()

    assert deliver_due(now=utcnow() + timedelta(minutes=2)) == {"sent": 1}
    assert [a.outcome for a in stored(message_id).delivery_attempts] == [
        "temporary",
        "sent",
    ]
    assert subjects(smtp_server) == ["Mail number 0"]


def test_gives_up_after_the_last_attempt_and_retry_queues_it_again(
    mail_app, smtp_server
):
    mail_app.config["MAIL_MAX_ATTEMPTS"] = 3
    smtp_server.stop()
    [message_id] = queue(1)
    later = utcnow()
    for _ in range(3):
        later += timedelta(hours=2)
        assert deliver_due(now=later) == {"temporary": 1}
    assert stored(message_id).status == OutboxStatus.FAILED
    assert deliver_due(now=later + timedelta(days=1)) == {}

    smtp_server.start()
    retry(message_id)
    db.session.commit()
    assert deliver_due() == {"sent": 1}
    assert stored(message_id).attempts == 1
    assert len(stored(message_id).delivery_attempts) == 4


def test_retry_refuses_mail_that_is_not_failed_or_kept(mail_app):
    [message_id] = queue(1)
    with pytest.raises(ValueError, match="only failed or kept"):
        retry(message_id)
    with pytest.raises(LookupError):
        retry(message_id + 1000)


@pytest.mark.parametrize(
    ("attempts", "low", "high"),
    [
        (1, timedelta(seconds=48), timedelta(seconds=72)),
        (2, timedelta(seconds=96), timedelta(seconds=144)),
        (4, timedelta(minutes=6.4), timedelta(minutes=9.6)),
        (7, timedelta(minutes=48), timedelta(minutes=72)),
        (25, timedelta(minutes=48), timedelta(minutes=72)),
    ],
)
def test_retry_delay_doubles_up_to_an_hour_with_jitter(attempts, low, high):
    delays = {retry_delay(attempts) for _ in range(200)}
    assert all(low <= d <= high for d in delays)
    assert len(delays) > 1


def test_a_crashed_workers_claim_is_taken_over_after_the_lease(mail_app, smtp_server):
    [message_id] = queue(1)
    assert [m.id for m in claim_due(10)] == [message_id]  # ... and the worker dies
    assert stored(message_id).status == OutboxStatus.SENDING
    assert deliver_due() == {}

    assert deliver_due(now=utcnow() + lease() + timedelta(seconds=1)) == {"sent": 1}
    assert subjects(smtp_server) == ["Mail number 0"]


def concurrent_delivery(config: dict, ready, go, results) -> None:
    """One delivery process with its own app, started with the others on `go`
    once it has said it is `ready` (imported, and connected to the database)."""
    app = create_app(config)
    sent = 0
    with app.app_context():
        db.engine.connect().close()  # the connection waits in the pool
        ready.release()
        go.wait(30)
        while counts := deliver_due(limit=2):
            sent += counts["sent"]
        db.engine.dispose()
    results.put(sent)


def test_two_delivery_processes_send_each_message_exactly_once(
    mail_app, mail_app_config, smtp_server
):
    queue(40)
    db.session.remove()
    spawn = multiprocessing.get_context("spawn")
    ready, go, results = spawn.Semaphore(0), spawn.Event(), spawn.Queue()
    workers = [
        spawn.Process(
            target=concurrent_delivery, args=(mail_app_config, ready, go, results)
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:  # both imported and connected, so that they race
        assert ready.acquire(timeout=60), "a delivery process did not start"
    go.set()
    sent = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(10)
        assert worker.exitcode == 0

    assert all(sent), f"both processes should have taken part: {sent}"
    assert sum(sent) == 40
    assert subjects(smtp_server) == sorted(f"Mail number {n}" for n in range(40))
    attempts = db.session.scalar(select(func.count(DeliveryAttempt.id)))
    assert attempts == 40


def test_a_form_never_waits_on_a_slow_mail_server(mail_app, smtp_server):
    slow = PickyRecorder({})
    slow.data_delay = 2.0
    use_handler(smtp_server, slow)
    queue(1)

    def worker():
        with mail_app.app_context():
            deliver_due()

    thread = threading.Thread(target=worker)
    thread.start()
    assert slow.data_started.wait(5)
    started = time.monotonic()
    queue(1, subject="Written while the server is slow")
    assert time.monotonic() - started < 1.0
    thread.join(10)
    assert subjects(smtp_server) == ["Mail number 0"]


def test_a_silent_server_times_out_and_the_mail_waits(mail_app_config):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection, never says hello
        config = {**mail_app_config, "MAIL_PORT": silent.getsockname()[1]}
        app = build_app({**config, "MAIL_TIMEOUT": 1})
        with app.app_context():
            [message_id] = queue(1)
            started = time.monotonic()
            assert deliver_due() == {"temporary": 1}
            assert time.monotonic() - started < 5
            assert "timed out" in stored(message_id).last_error
            db.session.remove()
            db.engine.dispose()


def test_header_injection_is_refused(mail_app):
    cases = [
        {"subject": "Hello\r\nBcc: victim@example.com"},
        {"to": "parent@example.com\nBcc: victim@example.com"},
        {"headers": {"Reply-To": "a@example.com\r\nBcc: victim@example.com"}},
        {"headers": {"Bcc": "victim@example.com"}},
    ]
    for case in cases:
        with pytest.raises(ValueError):
            queue(1, **case)
        db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_cancel_queued_stops_mail_for_that_subscription(mail_app, smtp_server):
    person = Person(email="parent@example.com")
    subscription = Subscription(person=person, purpose="newsletter")
    other = Subscription(person=person, purpose="waitlist", topic="CA")
    stopped = queue(2, subscription=subscription, person=person)
    [kept] = queue(1, subscription=other, subject="Still going")

    assert cancel_queued(subscription.id) == 2
    db.session.commit()

    assert deliver_due() == {"sent": 1}
    assert subjects(smtp_server) == ["Still going"]
    assert {stored(i).status for i in stopped} == {OutboxStatus.CANCELLED}
    assert stored(kept).person_id is None
    assert stored(stopped[0]).person_id == person.id


def test_work_once_from_the_command_line(mail_app, smtp_server):
    queue(2)
    result = mail_app.test_cli_runner().invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "2 sent" in result.output
    assert subjects(smtp_server) == ["Mail number 0", "Mail number 1"]


def test_without_a_mail_server_mail_is_kept_and_shown(app, runner, caplog):
    caplog.set_level(logging.INFO, logger="leadsite.outbox")
    with app.app_context():
        [message_id] = queue(1, text="Please confirm your address.")

    result = runner.invoke(args=["outbox", "work", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 kept" in result.output
    # The log says where to read it, and holds neither its text nor the address.
    assert f"flask outbox show --id {message_id}" in caplog.text
    assert "Please confirm your address." not in caplog.text
    assert "parent0@example.com" not in caplog.text
    with app.app_context():
        message = stored(message_id)
        assert message.status == OutboxStatus.KEPT
        assert message.attempts == 0
        assert [a.outcome for a in message.delivery_attempts] == ["kept"]

    listing = runner.invoke(args=["outbox", "show"]).output
    assert f"{message_id}  kept" in listing
    assert "parent0@example.com" in listing
    kept = runner.invoke(args=["outbox", "show", "--kept"]).output
    assert "To: parent0@example.com" in kept
    assert "Subject: Mail number 0" in kept
    assert "Please confirm your address." in kept
    one = runner.invoke(args=["outbox", "show", "--id", str(message_id)]).output
    assert "Please confirm your address." in one

    result = runner.invoke(args=["outbox", "retry", str(message_id)])
    assert result.exit_code == 0
    assert "queued again" in result.output
    with app.app_context():
        assert stored(message_id).status == OutboxStatus.QUEUED
    result = runner.invoke(args=["outbox", "retry", "999"])
    assert result.exit_code == 1
    assert "There is no message 999." in result.output


def worker_process(config: dict) -> None:
    app = create_app(config)
    with app.app_context():
        run_worker(poll_seconds=0.1)


def test_the_worker_delivers_and_exits_cleanly_on_sigterm(
    mail_app, mail_app_config, smtp_server
):
    db.session.remove()
    process = multiprocessing.get_context("spawn").Process(
        target=worker_process, args=(mail_app_config,)
    )
    process.start()
    try:
        queue(1)
        deadline = time.monotonic() + 30
        while not smtp_server.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert subjects(smtp_server) == ["Mail number 0"]
    finally:
        process.terminate()  # SIGTERM
        process.join(10)
    assert process.exitcode == 0


def test_run_worker_stops_when_asked(mail_app, smtp_server):
    stop = threading.Event()

    def work():
        with mail_app.app_context():
            run_worker(poll_seconds=0.05, stop=stop)

    thread = threading.Thread(target=work)
    thread.start()
    queue(1)
    deadline = time.monotonic() + 10
    while not smtp_server.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    assert subjects(smtp_server) == ["Mail number 0"]
