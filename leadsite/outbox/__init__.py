"""The outbox: mail is queued in the database in the transaction that makes the lead,
and a worker delivers it with retries, so no form waits on the mail server and an
SMTP outage loses nothing.

- `kinds`: every kind of mail, and which share the hourly cap (`cap`, which also
  tells the owner when it holds mail back) and the per-address `cooldown`.
- `compose`: render a kind's templates (`compose_email`) and queue it
  (`queue_email` does both); mail links.
- `queue`: the outbox rows: queue, cancel, queue again.
- `delivery` and `smtp`: claim due mail, send it, sort failures, retry later.
- `bounces`: addresses refused for good or named in bounce reports and
  complaints (read from a POP3 or IMAP mailbox) get no more list mail.
- `worker` and `cli`: `flask outbox work`, `flask bounces ...` and the owner's
  outbox commands.
"""

from .compose import Composed, absolute_url, compose_email, has_room, queue_email
from .delivery import deliver_due
from .kinds import MailKind
from .queue import cancel_queued, retry

__all__ = [
    "Composed",
    "MailKind",
    "absolute_url",
    "cancel_queued",
    "compose_email",
    "deliver_due",
    "has_room",
    "queue_email",
    "retry",
]
