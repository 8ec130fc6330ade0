"""The List-Id of list mail (RFC 2919): a name and an id on the site's own host, one
per list (the newsletter, each state's waitlist), so mail programs can file and
filter a list's mail, and mailbox providers tell the lists apart."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

from ..models import Purpose, Subscription


def list_id(subscription: Subscription) -> str:
    """`Compliant Content Co. newsletter <newsletter.example.org>`, or
    `... California guide waitlist <waitlist-ca.example.org>`."""
    settings = current_app.extensions["site"].settings
    host = urlsplit(current_app.config["SITE_URL"]).hostname or "localhost"
    host = host.removeprefix("www.")
    if subscription.purpose == Purpose.WAITLIST:
        name = f"{settings.state_name(subscription.topic)} guide waitlist"
        label = f"waitlist-{subscription.topic.lower()}"
    elif subscription.purpose == Purpose.NEWSLETTER:
        name, label = "newsletter", "newsletter"
    else:
        name = label = str(subscription.purpose)
    return f"{settings.site.name} {name} <{label}.{host}>"
