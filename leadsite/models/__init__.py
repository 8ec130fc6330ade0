"""Database tables. Each module holds the models of one area of the site."""

from . import admin  # noqa: F401  (the admin's tables: models/admin.py)
from .comments import Comment, CommentStatus, CommentThread  # noqa: F401
from .content import (  # noqa: F401
    ContentSeed,
    Post,
    PostKind,
    PostRevision,
    PostStatus,
    SlugRedirect,
)
from .leads import (
    Consent,
    ContactMessage,
    Download,
    Person,
    Purpose,
    Subscription,
    SubscriptionStatus,
)
from .mailsafety import BouncingAddress, LinkToken
from .outbox import DeliveryAttempt, OutboxMessage, OutboxStatus
from .pictures import Picture, PictureVariant
from .privacy import SuppressedAddress
from .redirects import TopicRedirect
from .security import HeldSubmission, RateLimitCounter
from .types import UTCDateTime, utcnow

__all__ = [
    "BouncingAddress",
    "LinkToken",
    "Consent",
    "ContactMessage",
    "DeliveryAttempt",
    "Download",
    "HeldSubmission",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "Picture",
    "PictureVariant",
    "Purpose",
    "RateLimitCounter",
    "Subscription",
    "SubscriptionStatus",
    "SuppressedAddress",
    "TopicRedirect",
    "UTCDateTime",
    "utcnow",
]
