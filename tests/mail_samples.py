"""One mail of every kind (`MailKind`), queued through the site's own mail functions
with sample data, as the mail tests and the spam-filter test need them."""

from __future__ import annotations

from sqlalchemy import select

from leadsite.admin import accounts, announcements, post_mail, resets
from leadsite.comments import mail as comment_mail
from leadsite.extensions import db
from leadsite.leads import mail as lead_mail
from leadsite.models import (
    ContactMessage,
    OutboxMessage,
    Person,
    Purpose,
    Subscription,
    SubscriptionStatus,
    utcnow,
)
from leadsite.models.admin import AnnouncementMail
from leadsite.models.comments import Comment
from leadsite.outbox import MailKind
from leadsite.outbox.cap import tell_owner_of_held_mail
from leadsite.posts import library
from leadsite.posts.importing import save_imported_post

# A production-length origin: links in headers run well past 78 columns.
SITE_URL = "https://www.parent-iep-help-by-compliant-content.example.org"

ANNOUNCEMENT = """Hello,

The **spring workshop** on reading a draft IEP is open: we go through one real
(anonymised) draft together, page by page, and you bring your questions.

- Tuesday 14 April, 7 pm Eastern, online
- Free for subscribers

Read the details and save a place here:
https://www.parent-iep-help-by-compliant-content.example.org/blog/

Warm wishes,
Alexandra"""


def person(email: str, name: str = "") -> Person:
    found = Person(email=email, name=name)
    db.session.add(found)
    db.session.flush()
    return found


def subscribed(
    who: Person, purpose: Purpose, topic: str = "", status=SubscriptionStatus.CONFIRMED
) -> Subscription:
    subscription = Subscription(person=who, purpose=purpose, topic=topic, status=status)
    db.session.add(subscription)
    db.session.flush()
    return subscription


def pending(who: Person, purpose: Purpose, topic: str = "") -> Subscription:
    return subscribed(who, purpose, topic, SubscriptionStatus.PENDING)


def queue_every_kind() -> dict[MailKind, int]:
    """Queue one mail of each kind, committed; {kind: outbox message id}."""
    maria = person("maria.lopez@example.com", "Maria")
    sam = person("sam.jordan@example.net")
    # Mail to unconfirmed addresses: one person each, as one address gets at most
    # one such mail per cooldown (`outbox.cooldown`).
    lee = person("lee.park@example.org")
    robin = person("robin.shaw@example.com")
    alex = person("alex.rivera@example.net")
    news = subscribed(maria, Purpose.NEWSLETTER)
    subscribed(maria, Purpose.WAITLIST, "CA")
    message = ContactMessage(
        person=robin,
        name="Robin Shaw",
        body="Could we talk about my son's reading goals before the meeting?",
    )
    comment = Comment(
        slug="meeting-notes",
        person=alex,
        name="Alex",
        body="Thank you, the checklist helped a lot at our meeting.",
    )
    db.session.add_all([message, comment])
    db.session.flush()
    ids = {
        MailKind.CONFIRM: lead_mail.send_confirmation(pending(sam, Purpose.NEWSLETTER)),
        MailKind.WELCOME: lead_mail.send_welcome(news),
        MailKind.RESOURCE: lead_mail.send_resource_link(
            pending(lee, Purpose.RESOURCE, "first-iep-meeting-checklist")
        ),
        MailKind.CONTACT_NOTICE: lead_mail.send_contact_notice(message),
        MailKind.CONTACT_REPLY: lead_mail.send_contact_reply(message),
        MailKind.COMMENT_CONFIRM: comment_mail.send_confirmation(comment),
        MailKind.COMMENT_NOTICE: comment_mail.send_notice(comment),
    }
    db.session.commit()
    newsletter = announcements.send_newsletter(
        "sample-nonce", "A free workshop on draft IEPs", ANNOUNCEMENT, "owner@site.test"
    )
    launch = announcements.launch_state(
        "CA",
        SITE_URL + "/guides/ca",
        "It covers timelines, evaluations and what to bring to the meeting.",
        "The California IEP guide is ready",
        "owner@site.test",
    )
    ids = {kind: message.id for kind, message in ids.items()}
    owner = accounts.create_user("owner@example.com", "a long sample password 123")
    resets.request_reset(owner.email, "127.0.0.1")
    ids[MailKind.PASSWORD_RESET] = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.kind == MailKind.PASSWORD_RESET)
    )
    save_imported_post(
        {
            "title": "Bringing a friend to the IEP meeting",
            "slug": "bringing-a-friend",
            "published": "2026-03-02",
            "summary": "Why a second pair of ears helps, and what to ask them to do.",
        },
        "A friend can take notes while you listen.\n\n"
        "- Agree beforehand who asks which questions\n"
        "- Ask them to write down **who said what**\n",
    )
    db.session.commit()
    post = post_mail.send_post(
        library().get("bringing-a-friend"), "full", "owner@site.test"
    )
    tell_owner_of_held_mail(utcnow())  # the hourly cap's notice to the owner
    db.session.commit()
    ids[MailKind.CAP_NOTICE] = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.kind == MailKind.CAP_NOTICE)
    )
    for kind, sent in (
        (MailKind.ANNOUNCEMENT, newsletter),
        (MailKind.STATE_LAUNCH, launch),
        (MailKind.POST, post),
    ):
        ids[kind] = db.session.scalar(
            select(AnnouncementMail.message_id).where(
                AnnouncementMail.announcement_id == sent.id
            )
        )
    return ids
