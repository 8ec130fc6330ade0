"""Every kind of mail the site sends, in one enum: a kind names its templates
(`templates/email/<kind>.txt` and `.html`) and says whether the hourly cap on mail
to unconfirmed addresses applies, so a misspelt kind cannot slip past the cap."""

from __future__ import annotations

from enum import StrEnum


class MailKind(StrEnum):
    CONFIRM = "confirm"
    WELCOME = "welcome"
    RESOURCE = "resource"
    CONTACT_NOTICE = "contact_notice"
    CONTACT_REPLY = "contact_reply"
    COMMENT_CONFIRM = "comment_confirm"
    COMMENT_NOTICE = "comment_notice"
    ANNOUNCEMENT = "announcement"
    STATE_LAUNCH = "state_launch"
    POST = "post"  # a blog post sent to the newsletter
    PASSWORD_RESET = "password_reset"  # to the owner's own account
    CAP_NOTICE = "cap_notice"  # to the owner: the hourly cap holds mail back

    @property
    def capped(self) -> bool:
        """Mail to an address nobody has confirmed yet: what a "subscription
        bomber" would make the site send, so all of it shares the hourly cap."""
        return self in CAPPED

    @property
    def listed(self) -> bool:
        """Mail to a list (newsletter, a state's waitlist): it carries List-Id and
        goes out from MAIL_LIST_SENDER when that is set."""
        return self in LISTED


CAPPED = frozenset(
    {
        MailKind.CONFIRM,
        MailKind.COMMENT_CONFIRM,
        MailKind.RESOURCE,
        MailKind.CONTACT_REPLY,
    }
)

# List mail: it carries List-Id, goes out from MAIL_LIST_SENDER when that is set,
# and an address that bounces or complained no longer gets it.
LISTED = frozenset(
    {MailKind.WELCOME, MailKind.ANNOUNCEMENT, MailKind.STATE_LAUNCH, MailKind.POST}
)
