"""E-mail leaves through the mail queue: a slow or failing mail server never holds a request,
and a message that cannot be delivered yet is retried by its worker.

Callers render the message in the recipient's language first; only plain data is queued.
"""

from __future__ import annotations

from core import dispatch

DELIVER = "core.tasks.deliver_mail"


def mail_send(*, to: list[str], subject: str, body: str, countdown: float | None = None) -> None:
    """Queue one plain-text message for ``to``; ``countdown`` delays it (mail a programme sends
    on its own is paced this way rather than refused)."""
    dispatch.send(DELIVER, {"to": list(to), "subject": subject, "body": body}, countdown=countdown)
