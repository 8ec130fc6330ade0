"""Mail domains the forms refuse: throwaway inboxes (used to test stolen lists and
to sign up strangers) and SMS gateways (a mail there becomes a text message).

The owner's list lives in `site/settings.toml`, `[abuse] blocked_domains`; this is
the list used when that key is missing. A listed domain blocks its subdomains too.
"""

from __future__ import annotations

DEFAULT_BLOCKED_DOMAINS = (
    # Throwaway inboxes
    "10minutemail.com",
    "20minutemail.com",
    "discard.email",
    "dispostable.com",
    "emailondeck.com",
    "fakeinbox.com",
    "getairmail.com",
    "getnada.com",
    "guerrillamail.biz",
    "guerrillamail.com",
    "guerrillamail.de",
    "guerrillamail.net",
    "guerrillamail.org",
    "guerrillamailblock.com",
    "maildrop.cc",
    "mailinator.com",
    "mailinator.net",
    "mailnesia.com",
    "mintemail.com",
    "mohmal.com",
    "mytemp.email",
    "sharklasers.com",
    "spamgourmet.com",
    "temp-mail.org",
    "tempail.com",
    "tempmail.com",
    "tempr.email",
    "throwawaymail.com",
    "trashmail.com",
    "yopmail.com",
    # SMS and MMS gateways of US carriers
    "mms.att.net",
    "txt.att.net",
    "messaging.sprintpcs.com",
    "pm.sprint.com",
    "tmomail.net",
    "vtext.com",
    "vzwpix.com",
    "mypixmessages.com",
    "mmst5.tracfone.com",
    "sms.myboostmobile.com",
    "myboostmobile.com",
    "sms.cricketwireless.net",
    "mms.cricketwireless.net",
    "email.uscc.net",
    "mymetropcs.com",
    "msg.fi.google.com",
    "text.republicwireless.com",
    "vmobl.com",
)

BLOCKED_MESSAGE = (
    "We can't send to throwaway or text-message addresses. Please use an email "
    "address you check, such as the one you use for school messages."
)


def normalise_domain(domain: str) -> str:
    """`@Mailinator.COM.` -> `mailinator.com`: how the lists and checks compare."""
    return domain.strip().lstrip("@").rstrip(".").lower()


def is_blocked(address: str, blocked: list[str] | tuple[str, ...]) -> bool:
    """Whether the address's domain, or a domain it is under, is on the list (as
    the settings keep it: normalised when they are loaded)."""
    domain = normalise_domain(address.rpartition("@")[2])
    labels = domain.split(".")
    return any(".".join(labels[i:]) in blocked for i in range(len(labels)))
