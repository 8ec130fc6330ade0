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
from .inbox import Submission
from .leads import (
    Consent,
    ContactMessage,
    Download,
    Person,
    Purpose,
    Subscription,
    SubscriptionStatus,
)
from .outbox import DeliveryAttempt, OutboxMessage, OutboxStatus
from .privacy import SuppressedAddress
from .security import RateLimitCounter, UsedFormToken
from .types import UTCDateTime, utcnow

__all__ = [
    "Consent",
    "ContactMessage",
    "DeliveryAttempt",
    "Download",
    "OutboxMessage",
    "OutboxStatus",
    "Person",
    "Purpose",
    "RateLimitCounter",
    "Submission",
    "Subscription",
    "SubscriptionStatus",
    "SuppressedAddress",
    "UsedFormToken",
    "UTCDateTime",
    "utcnow",
]
