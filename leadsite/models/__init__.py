"""Database tables. Each module holds the models of one area of the site."""

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
    "Subscription",
    "SubscriptionStatus",
    "UTCDateTime",
    "utcnow",
]
