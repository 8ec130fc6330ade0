"""The owner's admin at /admin/: her posts, pages and pictures, leads, messages,
mail and announcements, and her account.

Every page needs a signed-in owner (see `auth`), and every answer carries
`Cache-Control: no-store`, so nothing private stays in a browser or proxy cache.
Each module adds its pages to the one blueprint, `bp`, defined in `blueprint`.
"""

from . import (  # noqa: F401  (importing a module registers its pages)
    account,
    announce,
    audit,
    auth,
    bounces,
    comments,
    dashboard,
    export,
    launch,
    leads,
    mailview,
    messages,
    pictures,
    post_mail,
    post_tools,
    posts,
    privacy,
    revisions,
    spam,
)
from .blueprint import bp

__all__ = ["bp"]
