"""One function per kind of lead mail. Each renders a text and an HTML template and
queues the result in the outbox (nothing is sent during the request).

Mail that may reach an address nobody has confirmed yet (confirmations, download
links, auto-replies) repeats no text a visitor typed, so the forms cannot be used to
send someone else a message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    ContactMessage,
    OutboxMessage,
    Person,
    Purpose,
    Subscription,
    utcnow,
)
from ..outbox import (
    Composed,
    MailKind,
    absolute_url,
    compose_email,
    has_room,
    queue_email,
)
from ..tokens import TokenPurpose, keep_token, make_token, new_token

AUTO_REPLY_COOLDOWN = timedelta(minutes=15)


@dataclass(frozen=True)
class Prepared:
    """A capped lead mail rendered before its transaction, with the new token its
    link carries; `queue` keeps the token for whom it is and queues the mail,
    so its transaction only writes rows."""

    purpose: TokenPurpose
    token: str
    mail: Composed

    def queue(self, data: dict, subscription: Subscription) -> OutboxMessage:
        keep_token(self.purpose, self.token, data)
        person = subscription.person
        return self.mail.queue(person.email, person, subscription)


def with_new_link(
    purpose: TokenPurpose,
    endpoint: str,
    link: str,
    kind: MailKind,
    subject: str,
    **context,
) -> Prepared:
    """A mail of `kind` rendered with a new token's link to `endpoint` as its
    `link` value; the token is kept only when the mail is queued."""
    token = new_token()
    context[link] = absolute_url(endpoint, token=token)
    return Prepared(purpose, token, compose_email(kind, subject, **context))


def settings():
    return current_app.extensions["site"].settings


def what_for(subscription: Subscription) -> str:
    """Plain words for a subscription's purpose, as mail and pages show it."""
    return words_for(subscription.purpose, subscription.topic)


def words_for(purpose: Purpose, topic: str) -> str:
    """`what_for` a sign-up for `purpose` and `topic`, before it is stored."""
    if purpose == Purpose.WAITLIST:
        return f"the {settings().state_name(topic)} IEP guide waitlist"
    if purpose == Purpose.RESOURCE:
        resource = settings().resource(topic)
        return f"“{resource.title}”" if resource else "the free resource"
    return "the newsletter"


def unsubscribe_links(subscription: Subscription) -> dict:
    token = make_token(TokenPurpose.UNSUBSCRIBE, {"s": subscription.id})
    return {
        "unsubscribe_url": absolute_url("leads.unsubscribe", token=token),
        "one_click_url": absolute_url("leads.unsubscribe_one_click", token=token),
    }


def prepare_confirmation(purpose: Purpose, topic: str) -> Prepared:
    """The confirmation mail for a sign-up, rendered with its new link before the
    sign-up's transaction begins (`send_confirmation` stores both, or neither)."""
    what = words_for(purpose, topic)
    return with_new_link(
        TokenPurpose.CONFIRM,
        "leads.confirm",
        "confirm_url",
        MailKind.CONFIRM,
        f"Please confirm: {what}",
        what=what,
    )


def send_confirmation(
    subscription: Subscription,
    new_person: bool = False,
    prepared: Prepared | None = None,
) -> OutboxMessage | None:
    """Ask the person to confirm a newsletter or waitlist sign-up (double opt-in);
    None when the per-address cooldown holds it back (then no link is kept);
    `new_person`: see `has_room`; `prepared`: from `prepare_confirmation`."""
    if not has_room(subscription.person, new_person):
        return None
    if prepared is None:
        prepared = prepare_confirmation(subscription.purpose, subscription.topic)
    return prepared.queue({"s": subscription.id}, subscription)


def send_welcome(subscription: Subscription) -> OutboxMessage:
    """After confirming: a welcome, marketing mail with unsubscribe link and headers."""
    state = None
    if subscription.purpose == Purpose.WAITLIST:
        state = settings().state_name(subscription.topic)
    return queue_email(
        MailKind.WELCOME,
        subscription.person.email,
        f"You're on the list for the {state} guide"
        if state
        else f"Welcome to {settings().site.name}",
        template="welcome_waitlist" if state else None,
        person=subscription.person,
        subscription=subscription,
        marketing=True,
        state=state,
        name=subscription.person.name,
        **unsubscribe_links(subscription),
    )


def download_url(subscription: Subscription) -> str:
    token = make_token(
        TokenPurpose.DOWNLOAD, {"p": subscription.person_id, "r": subscription.topic}
    )
    return absolute_url("leads.download", token=token)


def prepare_resource_link(slug: str) -> Prepared:
    """The mail with a free resource's download link, rendered with its new link
    before the request's transaction begins (`send_resource_link` stores both)."""
    resource = settings().resource(slug)
    return with_new_link(
        TokenPurpose.DOWNLOAD,
        "leads.download",
        "download_url",
        MailKind.RESOURCE,
        f"Your download: {resource.title}",
        resource=resource,
        days=current_app.config["RESOURCE_LINK_DAYS"],
    )


def send_resource_link(
    subscription: Subscription,
    new_person: bool = False,
    prepared: Prepared | None = None,
) -> OutboxMessage | None:
    """The per-person, expiring download link for a free resource; None when the
    per-address cooldown holds it back (then no link is kept)."""
    if not has_room(subscription.person, new_person):
        return None
    if prepared is None:
        prepared = prepare_resource_link(subscription.topic)
    return prepared.queue(
        {"p": subscription.person_id, "r": subscription.topic}, subscription
    )


def send_contact_notice(message: ContactMessage) -> OutboxMessage | None:
    """Tell the owner about a new message; Reply-To is the visitor's checked address."""
    owner = current_app.config.get("OWNER_EMAIL")
    if not owner:
        current_app.logger.warning("OWNER_EMAIL is not set: message %s", message.id)
        return None
    return queue_email(
        MailKind.CONTACT_NOTICE,
        owner,
        "New message from your website",
        reply_to=message.person.email,
        message=message,
        email=message.person.email,
    )


def may_auto_reply(person: Person) -> bool:
    """At most one auto-reply per address per cooldown, so the form can't mail-bomb."""
    since = utcnow() - AUTO_REPLY_COOLDOWN
    recent = db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.person_id == person.id,
            OutboxMessage.kind == MailKind.CONTACT_REPLY,
            OutboxMessage.created_at >= since,
        )
    )
    return not recent


def send_contact_reply(
    message: ContactMessage, new_person: bool = False
) -> OutboxMessage | None:
    """Thank the visitor, say when to expect an answer; repeat none of their text.
    None when the per-address cooldown holds it back."""
    if not has_room(message.person, new_person):
        return None
    return queue_email(
        MailKind.CONTACT_REPLY,
        message.person.email,
        f"Thanks for your message to {settings().site.name}",
        person=message.person,
        room_checked=True,
        reply_time=settings().contact.reply_time,
    )
