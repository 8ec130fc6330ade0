"""The rules for mail the owner sends to a list: a state guide's launch to that
state's waitlist, and a plain announcement to the newsletter.

- Only confirmed subscriptions are mailed; never pending or unsubscribed ones, and
  never a suppressed (erased) address.
- Each is marketing mail through the outbox, with the person's own unsubscribe link
  and the List-Unsubscribe headers.
- Each announcement has a unique key (`launch:CA`, `newsletter:<nonce from the
  form>`), inserted in the same transaction as its mail: a second send of the same
  one fails on the database's unique constraint, even from two tabs at once.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager

from .. import privacy
from ..addresses import AddressError
from ..extensions import db
from ..leads.mail import unsubscribe_links
from ..models import (
    OutboxMessage,
    Purpose,
    Subscription,
    SubscriptionStatus,
)
from ..models.admin import Announcement, AnnouncementMail, StateGuide
from ..models.privacy import SuppressedAddress
from ..outbox import MailKind, absolute_url, queue_email
from ..outbox.compose import render_mail
from ..outbox.markdown import markdown_html, markdown_text
from . import audit
from .words import plural

LAUNCH = "state_launch"
NEWSLETTER = "newsletter"
POST = "post"  # a blog post sent to the newsletter (`post_mail`)


class AlreadySent(Exception):
    """This announcement (or this state's launch) has gone out already."""


def suppressed_hashes(emails: list[str]) -> set[str]:
    hashes = set()
    for start in range(0, len(emails), 500):
        digests = []
        for email in emails[start : start + 500]:
            try:
                digests.append(privacy.address_hash(email))
            except AddressError:
                continue
        hashes |= set(
            db.session.scalars(
                select(SuppressedAddress.address_hash).where(
                    SuppressedAddress.address_hash.in_(digests)
                )
            )
        )
    return hashes


def recipients(purpose: Purpose, topic: str = "") -> list[Subscription]:
    """The confirmed subscriptions of a list, minus suppressed addresses."""
    confirmed = list(
        db.session.scalars(
            select(Subscription)
            .join(Subscription.person)
            .options(contains_eager(Subscription.person))
            .where(
                Subscription.purpose == purpose,
                Subscription.topic == topic,
                Subscription.status == SubscriptionStatus.CONFIRMED,
            )
            .order_by(Subscription.id)
        )
    )
    blocked = suppressed_hashes([s.person.email for s in confirmed])
    if not blocked:
        return confirmed
    return [s for s in confirmed if privacy.address_hash(s.person.email) not in blocked]


def mail_kind(announcement_kind: str) -> MailKind:
    kinds = {LAUNCH: MailKind.STATE_LAUNCH, POST: MailKind.POST}
    return kinds.get(announcement_kind, MailKind.ANNOUNCEMENT)


def recipient_context(subscription: Subscription) -> dict:
    """What differs from one recipient's mail to the next: name and own links."""
    return {"name": subscription.person.name, **unsubscribe_links(subscription)}


def mail_context(announcement_kind: str, **fields) -> dict:
    """What every recipient's mail shares: a newsletter's Markdown as HTML and text,
    a launch's state, link and note."""
    if announcement_kind == NEWSLETTER:
        body = fields["body"]
        return {"body_html": markdown_html(body), "body_text": markdown_text(body)}
    return fields


def queue_to_all(announcement: Announcement, subs: list[Subscription], **context):
    """One marketing mail per subscription, each linked to the announcement."""
    queued = [
        queue_email(
            mail_kind(announcement.kind),
            subscription.person.email,
            announcement.subject,
            person=subscription.person,
            subscription=subscription,
            marketing=True,
            **recipient_context(subscription),
            **context,
        )
        for subscription in subs
    ]
    db.session.flush()  # gives every message its id
    db.session.add_all(
        AnnouncementMail(
            announcement_id=announcement.id,
            subscription_id=subscription.id,
            message_id=message.id,
        )
        for subscription, message in zip(subs, queued, strict=True)
    )
    announcement.recipients = len(subs)


def preview(
    announcement_kind: str, subject: str, subs: list[Subscription], **fields
) -> tuple[str, str]:
    """(text, HTML) of the mail exactly as `queue_to_all` renders it for the first
    recipient, but with a stand-in for their unsubscribe link (a real one would be
    a real token). With no recipient yet, as for a person who gave no name."""
    name = subs[0].person.name if subs else ""
    return render_mail(
        mail_kind(announcement_kind),
        subject,
        marketing=True,
        name=name,
        unsubscribe_url=absolute_url("leads.unsubscribe", token="their-own-link"),
        **mail_context(announcement_kind, **fields),
    )


def save_once(announcement: Announcement, *rows) -> None:
    """Insert the announcement (and rows tied to it); AlreadySent on a repeat."""
    existing = db.session.scalar(
        select(Announcement.id).where(Announcement.key == announcement.key)
    )
    if existing:
        raise AlreadySent(announcement.key)
    try:
        db.session.add(announcement)
        db.session.flush()
        for row in rows:
            row.announcement_id = announcement.id
            db.session.add(row)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise AlreadySent(announcement.key) from None


def launch_state(state: str, url: str, note: str, subject: str, actor: str):
    """Publish a state's guide and mail its confirmed waitlist, once, ever."""
    if db.session.get(StateGuide, state):
        raise AlreadySent(f"launch:{state}")
    announcement = Announcement(
        key=f"launch:{state}",
        kind=LAUNCH,
        state=state,
        subject=subject,
        body=note,
        link=url,
        created_by=actor,
    )
    save_once(announcement, StateGuide(state=state, url=url))
    subs = recipients(Purpose.WAITLIST, state)
    queue_to_all(
        announcement, subs, **mail_context(LAUNCH, state=state, url=url, note=note)
    )
    audit.record("launch", f"{state}: {plural(len(subs), 'mail')} queued; link {url}")
    commit_or_already_sent(announcement.key)
    return announcement


def send_newsletter(nonce: str, subject: str, body: str, actor: str):
    """A plain announcement to the confirmed newsletter subscribers, once per form."""
    announcement = Announcement(
        key=f"newsletter:{nonce}",
        kind=NEWSLETTER,
        subject=subject,
        body=body,
        created_by=actor,
    )
    save_once(announcement)
    subs = recipients(Purpose.NEWSLETTER)
    queue_to_all(announcement, subs, **mail_context(NEWSLETTER, body=body))
    audit.record("announce", f"“{subject[:100]}”: {plural(len(subs), 'mail')} queued")
    commit_or_already_sent(announcement.key)
    return announcement


def commit_or_already_sent(key: str) -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise AlreadySent(key) from None


def progress(announcement: Announcement) -> dict[str, int]:
    """How many of its mails are queued, sent, failed ... right now."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count(OutboxMessage.id))
        .join(AnnouncementMail, AnnouncementMail.message_id == OutboxMessage.id)
        .where(AnnouncementMail.announcement_id == announcement.id)
        .group_by(OutboxMessage.status)
    )
    return dict(rows.all())
