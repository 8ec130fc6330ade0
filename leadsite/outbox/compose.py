"""Composing mail: the one helper that renders a kind's text and HTML templates
(`render_mail`, also the admin's preview) and queues the result, and the rule
for links in mail: they start with SITE_URL, never with the request's Host."""

from __future__ import annotations

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


def queue_email(
    kind: MailKind,
    to: str,
    subject: str,
    *,
    template: str | None = None,
    person: Person | None = None,
    subscription: Subscription | None = None,
    reply_to: str | None = None,
    unsubscribe_url: str | None = None,
    one_click_url: str | None = None,
    marketing: bool = False,
    room_checked: bool = False,
    **context,
) -> OutboxMessage | None:
    """Render `templates/email/<template>.txt` and `.html` (`render_mail`) and queue
    the mail; None when the per-address cooldown holds a capped mail back.

    A capped kind to a `person` who had one too recently (`cooldown`) is not
    queued: None, and the caller's request stays recorded all the same.

    - `kind` names the mail in the outbox and, unless `template` is given, its
      templates. List mail (`MailKind.listed`) carries a List-Id naming its list.
    - `marketing=True` needs `unsubscribe_url` (a page with an Unsubscribe button)
      and `one_click_url` (takes a POST with no cookie): it adds the RFC 8058
      List-Unsubscribe headers, and the layout shows the unsubscribe link and the
      postal address.
    - `room_checked=True`: the caller has already found room for this mail in
      this transaction (`has_room`), so the cooldown is not read twice.
    - `reply_to` sets Reply-To; `person` and `subscription` link the mail to its lead
      (unsubscribing cancels mail still queued for that subscription).

    The mail joins the caller's transaction: commit it together with the lead.
    """
    kind = MailKind(kind)  # an unknown kind fails here, before the hourly cap
    if kind.capped and not room_checked and not may_mail_unconfirmed(person):
        return None
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
    if kind.listed and subscription is not None:
        headers["List-Id"] = list_id(subscription)
    if marketing:
        headers["List-Unsubscribe"] = f"<{one_click_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return queue_mail(
        kind=kind,
        to=to,
        subject=subject,
        text=text,
        html=html,
        headers=headers,
        person=person,
        subscription=subscription,
    )
