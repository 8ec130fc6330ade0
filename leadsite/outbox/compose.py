"""Composing mail: the one helper that renders a kind's text and HTML templates
(`render_mail`, also the admin's preview), a rendered mail with its headers
(`compose_email`) and queueing it (`queue_email` does both), and the rule for links
in mail: they start with SITE_URL, never with the request's Host."""

from __future__ import annotations

from dataclasses import dataclass

import css_inline
from flask import current_app

from ..models import OutboxMessage, Person, Subscription
from .cooldown import may_mail_unconfirmed
from .kinds import MailKind
from .lists import list_id
from .queue import queue_mail

# Only the @media rule stays in a <style> block; nothing is fetched from elsewhere.
INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def absolute_url(endpoint: str, **values) -> str:
    """A full link for mail: SITE_URL plus the endpoint's path.

    Built from the app's URL map alone, never from a request, so a spoofed Host
    header cannot change it, and it works the same in a command.
    """
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(
        "site.invalid", script_name=current_app.config["APPLICATION_ROOT"]
    )
    return current_app.config["SITE_URL"] + adapter.build(endpoint, values)


def has_room(person: Person | None, new_person: bool = False) -> bool:
    """Whether the per-address cooldown leaves room for one more capped mail.
    `new_person`: this transaction made the person's row, so nothing was ever
    mailed to them (and no other transaction sees the row yet): nothing to read."""
    return new_person or may_mail_unconfirmed(person)


def render_mail(
    kind: MailKind | str,
    subject: str,
    *,
    template: str | None = None,
    unsubscribe_url: str | None = None,
    marketing: bool = False,
    **context,
) -> tuple[str, str]:
    """The text and HTML of a mail, exactly as it goes out: `queue_email` and the
    admin's preview both come here, so what she checks is what is sent.

    `context` goes to both templates, with `site` (the settings), `site_url`,
    `subject`, `unsubscribe_url` and `marketing`. Both templates extend
    `email/_layout.txt` / `email/_layout.html` and fill `{% block body %}`; the
    layout's CSS is then copied into style attributes (css-inline), as Gmail and
    Outlook read little else.
    """
    template = template or MailKind(kind).value
    context.update(
        site=current_app.extensions["site"].settings,
        site_url=current_app.config["SITE_URL"],
        subject=subject,
        unsubscribe_url=unsubscribe_url,
        marketing=marketing,
    )
    # Straight from the Jinja environment: a mail uses only what it is given (no
    # request, so the page's context processors and signals have nothing to add).
    jinja = current_app.jinja_env
    text = jinja.get_template(f"email/{template}.txt").render(context)
    html = INLINER.inline(jinja.get_template(f"email/{template}.html").render(context))
    return text, html


@dataclass(frozen=True)
class Composed:
    """A mail rendered and ready to queue (`compose_email`): everything but whom
    it goes to and which lead it belongs to, given when it is queued. A form can
    render its mail before its transaction begins, which then only writes."""

    kind: MailKind
    subject: str
    text: str
    html: str
    headers: dict[str, str]

    def queue(
        self,
        to: str,
        person: Person | None = None,
        subscription: Subscription | None = None,
    ) -> OutboxMessage:
        """Put the mail in the outbox, in the caller's transaction; list mail
        (`MailKind.listed`) gets the List-Id of the subscription's list."""
        headers = dict(self.headers)
        if self.kind.listed and subscription is not None:
            headers["List-Id"] = list_id(subscription)
        return queue_mail(
            kind=self.kind,
            to=to,
            subject=self.subject,
            text=self.text,
            html=self.html,
            headers=headers,
            person=person,
            subscription=subscription,
        )


def compose_email(
    kind: MailKind,
    subject: str,
    *,
    template: str | None = None,
    reply_to: str | None = None,
    unsubscribe_url: str | None = None,
    one_click_url: str | None = None,
    marketing: bool = False,
    **context,
) -> Composed:
    """Render a mail of `kind` (`render_mail`) with its headers, to queue later.

    - `kind` names the mail in the outbox and, unless `template` is given, its
      templates.
    - `marketing=True` needs `unsubscribe_url` (a page with an Unsubscribe button)
      and `one_click_url` (takes a POST with no cookie): it adds the RFC 8058
      List-Unsubscribe headers, and the layout shows the unsubscribe link and the
      postal address.
    - `reply_to` sets Reply-To.
    """
    kind = MailKind(kind)  # an unknown kind fails here, before the hourly cap
    if marketing and not (unsubscribe_url and one_click_url):
        raise ValueError("marketing mail needs unsubscribe_url and one_click_url")
    text, html = render_mail(
        kind,
        subject,
        template=template,
        unsubscribe_url=unsubscribe_url,
        marketing=marketing,
        **context,
    )
    headers = {}
    if reply_to:
        headers["Reply-To"] = reply_to
    if marketing:
        headers["List-Unsubscribe"] = f"<{one_click_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return Composed(kind, subject, text, html, headers)


def queue_email(
    kind: MailKind,
    to: str,
    subject: str,
    *,
    person: Person | None = None,
    subscription: Subscription | None = None,
    room_checked: bool = False,
    **composing,
) -> OutboxMessage | None:
    """Render `templates/email/<template>.txt` and `.html` (`compose_email`, whose
    arguments `composing` are) and queue the mail in the caller's transaction
    (commit it together with the lead); None when the per-address cooldown holds
    a capped mail back, and the caller's request stays recorded all the same.

    - `person` and `subscription` link the mail to its lead (unsubscribing
      cancels mail still queued for that subscription).
    - `room_checked=True`: the caller has already found room for this mail in
      this transaction (`has_room`), so the cooldown is not read twice.
    """
    kind = MailKind(kind)
    if kind.capped and not room_checked and not may_mail_unconfirmed(person):
        return None
    return compose_email(kind, subject, **composing).queue(to, person, subscription)
