"""Lead capture, in one package: the forms people fill in, the rules that turn a
form into a lead, the mail each lead gets, and the pages the mailed links open.

- `forms`: one class per form, and where a submission came from.
- `views`: the form pages; a valid form becomes a lead in its own request.
- `rules`: what a sign-up, a confirmation, a download or a message does.
- `records`: the rows a lead is made of (person, subscription, consent), found or
  inserted in few statements, and `committed`, one write for a lead's work.
- `mail`: one function per kind of lead mail.
- `links`: the pages behind mailed links (confirm, unsubscribe, download).
"""

from . import links, views  # noqa: F401  (each adds its routes to `bp`)
from .blueprint import bp

__all__ = ["bp"]
