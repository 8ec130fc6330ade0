"""`flask wix import-contacts` and the suppression list it respects.

Every test runs on SQLite and on PostgreSQL (the `app` fixture). The rules: Wix's
"Subscribed" becomes a confirmed newsletter subscription; nothing turns an
unsubscribed or erased address into a subscriber; no mail is queued; a second run
changes nothing; every skipped row is reported with its reason.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leadsite.extensions import db
from leadsite.models import (
    Consent,
    OutboxMessage,
    Person,
    Subscription,
    SubscriptionStatus,
    SuppressedAddress,
)
from leadsite.privacy import address_hash, is_suppressed, suppress
from leadsite.wix.contacts import import_contacts

# Wix's contacts export, with columns we do not use.
WIX_COLUMNS = [
    "First Name",
    "Last Name",
    "Email",
    "Phone",
    "Labels",
    "Email subscriber status",
    "Created At",
]
TODAY = datetime.now(UTC).date()


def write_csv(path: Path, rows: list[dict], columns: list[str] = WIX_COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def contact(email: str, status: str, first: str = "", created: str = "") -> dict:
    return {
        "Email": email,
        "First Name": first,
        "Last Name": "Parent" if first else "",
        "Email subscriber status": status,
        "Created At": created,
        "Labels": "Newsletter",
    }


def run(runner, path: Path):
    return runner.invoke(args=["wix", "import-contacts", str(path)])


def people(app) -> dict[str, tuple]:
    """Everything the import may store, keyed by address, for whole comparisons."""
    with app.app_context():
        found = {}
        for person in db.session.scalars(select(Person).order_by(Person.email)):
            found[person.email] = (
                person.name,
                [
                    (
                        s.purpose,
                        s.topic,
                        s.status,
                        [(c.form, c.page) for c in s.consents],
                    )
                    for s in person.subscriptions
                ],
            )
        return found


def outbox_size(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def test_subscribed_contact_becomes_confirmed_subscriber(app, runner, tmp_path):
    path = write_csv(
        tmp_path / "contacts.csv",
        [contact("Maria@Example.COM", "Subscribed", "Maria", "2023-05-01T10:00:00Z")],
    )

    result = run(runner, path)

    assert result.exit_code == 0, result.output
    assert result.output == (
        "New newsletter subscribers (confirmed): 1\n"
        "People recorded without a subscription: 0\n"
        "Marked unsubscribed: 0\n"
        "Already here, unchanged: 0\n"
        "Rows skipped: 0\n"
        "No mail was sent or queued.\n"
    )
    with app.app_context():
        person = db.session.scalar(select(Person))
        assert (person.email, person.name) == ("Maria@example.com", "Maria Parent")
        (subscription,) = person.subscriptions
        assert (subscription.purpose, subscription.topic, subscription.status) == (
            "newsletter",
            "",
            SubscriptionStatus.CONFIRMED,
        )
        created = datetime(2023, 5, 1, 10, tzinfo=UTC)
        assert subscription.confirmed_at == created
        assert person.created_at == created
        (consent,) = subscription.consents
        assert consent.form == "wix-import"
        assert consent.wording_version == f"wix-import-{TODAY.isoformat()}"
        assert consent.page == "contacts.csv"
        assert consent.given_at == created
    assert outbox_size(app) == 0


def test_other_statuses_record_the_person_only(app, runner, tmp_path):
    path = write_csv(
        tmp_path / "contacts.csv",
        [
            contact("notset@example.com", "Not set", "Nora"),
            contact("never@example.com", "NEVER_SUBSCRIBED"),
            contact("gone@example.com", "Unsubscribed", "Gail"),
        ],
    )

    result = run(runner, path)

    assert result.exit_code == 0, result.output
    assert "People recorded without a subscription: 2\n" in result.output
    assert "Marked unsubscribed: 1\n" in result.output
    assert people(app) == {
        "gone@example.com": (
            "Gail Parent",
            [("newsletter", "", SubscriptionStatus.UNSUBSCRIBED, [])],
        ),
        "never@example.com": ("", []),
        "notset@example.com": ("Nora Parent", []),
    }
    assert outbox_size(app) == 0


def test_unsubscribed_address_is_never_made_a_subscriber(app, runner, tmp_path):
    with app.app_context():
        person = Person(email="left@example.com", name="Lee")
        db.session.add(person)
        db.session.add(
            Subscription(
                person=person,
                purpose="newsletter",
                topic="",
                status=SubscriptionStatus.UNSUBSCRIBED,
            )
        )
        db.session.commit()
    path = write_csv(
        tmp_path / "contacts.csv", [contact("left@example.com", "Subscribed")]
    )

    result = run(runner, path)

    assert (
        "  row 2: left@example.com: already unsubscribed here; left unsubscribed\n"
        in (result.output)
    )
    assert people(app) == {
        "left@example.com": (
            "Lee",
            [("newsletter", "", SubscriptionStatus.UNSUBSCRIBED, [])],
        )
    }


def test_erased_address_is_skipped_and_not_stored(app, runner, tmp_path):
    with app.app_context():
        suppress("erased@example.com", "erased at her request")
        db.session.commit()
    path = write_csv(
        tmp_path / "contacts.csv",
        [
            contact("Erased@EXAMPLE.com", "Subscribed", "Erin"),
            contact("ERASED@example.com", "Unsubscribed"),
        ],
    )

    result = run(runner, path)

    assert result.exit_code == 0
    assert "Rows skipped: 2\n" in result.output
    assert "  row 2: (hidden): erased at the person's request (suppressed)\n" in (
        result.output
    )
    assert "  row 3: (hidden): erased at the person's request (suppressed)\n" in (
        result.output
    )
    assert "rased@" not in result.output
    assert people(app) == {}


def test_bad_and_duplicate_rows_are_reported(app, runner, tmp_path):
    path = write_csv(
        tmp_path / "contacts.csv",
        [
            contact("ok@example.com", "Subscribed"),
            contact("not an address", "Subscribed"),
            contact("", "Subscribed", "Nameless"),
            contact("ok@EXAMPLE.com", "Unsubscribed"),
        ],
    )

    result = run(runner, path)

    assert result.output.splitlines()[4:8] == [
        "Rows skipped: 3",
        "  row 3: not an address: not a usable email address",
        "  row 4: (empty): no email address",
        "  row 5: ok@EXAMPLE.com: duplicate row (same address as row 2)",
    ]
    assert list(people(app)) == ["ok@example.com"]


def test_second_run_changes_nothing(app, runner, tmp_path):
    path = write_csv(
        tmp_path / "contacts.csv",
        [
            contact("sub@example.com", "Subscribed", "Sam", "2024-01-02"),
            contact("unsub@example.com", "Unsubscribed", "Uma"),
            contact("plain@example.com", "Not set"),
        ],
    )
    run(runner, path)
    first = people(app)
    with app.app_context():
        consents = db.session.scalar(select(func.count()).select_from(Consent))

    result = run(runner, path)

    assert people(app) == first
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consent)) == consents
    assert result.output == (
        "New newsletter subscribers (confirmed): 0\n"
        "People recorded without a subscription: 0\n"
        "Marked unsubscribed: 0\n"
        "Already here, unchanged: 3\n"
        "Rows skipped: 0\n"
        "No mail was sent or queued.\n"
    )


def test_plain_csv_is_accepted(app, runner, tmp_path):
    path = write_csv(
        tmp_path / "list.csv",
        [
            {
                "email": "pat@example.com",
                "name": "Pat Doe",
                "status": "subscribed",
                "created": "03/04/2024",
            },
            {"email": "kim@example.com", "name": "Kim", "status": "", "created": ""},
        ],
        columns=["email", "name", "status", "created"],
    )

    result = run(runner, path)

    assert result.exit_code == 0, result.output
    assert people(app) == {
        "kim@example.com": ("Kim", []),
        "pat@example.com": (
            "Pat Doe",
            [
                (
                    "newsletter",
                    "",
                    SubscriptionStatus.CONFIRMED,
                    [("wix-import", "list.csv")],
                )
            ],
        ),
    }
    with app.app_context():
        subscription = db.session.scalar(select(Subscription))
        assert subscription.confirmed_at == datetime(2024, 3, 4, tzinfo=UTC)


def test_existing_subscriptions_and_names(app, runner, tmp_path):
    """A pending sign-up confirmed on Wix is confirmed; a Wix opt-out wins over an
    active subscription; names already here are kept."""
    with app.app_context():
        for email, name, status in [
            ("pending@example.com", "Penny", SubscriptionStatus.PENDING),
            ("active@example.com", "", SubscriptionStatus.CONFIRMED),
        ]:
            person = Person(email=email, name=name)
            db.session.add(
                Subscription(
                    person=person, purpose="newsletter", topic="", status=status
                )
            )
        db.session.commit()
    path = write_csv(
        tmp_path / "contacts.csv",
        [
            contact("pending@example.com", "Subscribed", "Someone Else"),
            contact("active@example.com", "Unsubscribed", "Ada"),
        ],
    )

    result = run(runner, path)

    assert "New newsletter subscribers (confirmed): 1\n" in result.output
    assert "Marked unsubscribed: 1\n" in result.output
    assert people(app) == {
        "active@example.com": (
            "Ada Parent",
            [("newsletter", "", SubscriptionStatus.UNSUBSCRIBED, [])],
        ),
        "pending@example.com": (
            "Penny",
            [
                (
                    "newsletter",
                    "",
                    SubscriptionStatus.CONFIRMED,
                    [("wix-import", "contacts.csv")],
                )
            ],
        ),
    }
    assert outbox_size(app) == 0


def test_unknown_status_and_date_are_noted(app, runner, tmp_path):
    path = write_csv(
        tmp_path / "contacts.csv",
        [contact("odd@example.com", "Pending", created="someday")],
    )

    result = run(runner, path)

    assert result.output.splitlines()[5:8] == [
        "Notes:",
        "  row 2: the date 'someday' was not understood; used today's date",
        "  row 2: the status 'Pending' was not understood; recorded the person "
        "without a subscription",
    ]
    assert people(app) == {"odd@example.com": ("", [])}


def test_file_without_email_column_is_refused(app, runner, tmp_path):
    path = write_csv(tmp_path / "posts.csv", [{"Title": "A post"}], columns=["Title"])

    result = run(runner, path)

    assert result.exit_code == 1
    assert "posts.csv: no Email column found" in result.output
    assert people(app) == {}


def test_an_error_midway_stores_nothing(app, tmp_path, monkeypatch):
    path = write_csv(
        tmp_path / "contacts.csv",
        [
            contact("one@example.com", "Subscribed"),
            contact("two@example.com", "Subscribed"),
        ],
    )
    import leadsite.wix.contacts as contacts

    calls = []

    def failing_suppression_check(email):
        calls.append(email)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return False

    monkeypatch.setattr(contacts, "is_suppressed", failing_suppression_check)
    with app.app_context(), pytest.raises(RuntimeError):
        import_contacts(path)
    assert people(app) == {}


def test_suppression_list_keeps_no_address(app):
    with app.app_context():
        suppress("Jane.Doe@Example.com", "erased at her request")
        suppress("jane.doe@example.com", "asked twice")
        db.session.commit()
        (entry,) = db.session.scalars(select(SuppressedAddress))
        assert entry.reason == "erased at her request"
        assert len(entry.address_hash) == 64
        assert "jane" not in entry.address_hash.lower()
        assert is_suppressed(" JANE.DOE@example.COM ")
        assert not is_suppressed("john.doe@example.com")
        assert not is_suppressed("not an address")


def test_suppression_key_setting_changes_the_hash(app):
    with app.app_context():
        derived = address_hash("jane@example.com")
        app.config["SUPPRESSION_KEY"] = "a separate key that never changes"
        keyed = address_hash("jane@example.com")
        app.config["SECRET_KEY"] = "a rotated secret key, long enough to pass"
        assert address_hash("jane@example.com") == keyed
    assert derived != keyed
