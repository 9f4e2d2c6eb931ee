"""How often something may happen: counts in fixed windows of Django's shared cache.

    if not limits.spend(limits.INVITATIONS, user.pk):
        raise ValidationError(limits.INVITATIONS.message)

Each limit says what it protects and what a person reads when it is reached. Mail that a
programme sends on its own is queued and paced instead, never refused.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Limit:
    name: str
    count: int  # allowed per window
    seconds: int  # the window
    message: Promise  # what a person reads once it is reached

    def _key(self, who: object) -> str:
        return f"cbec:limit:{self.name}:{who}:{int(time.time() // self.seconds)}"


INVITATIONS = Limit(
    "invitations",
    20,
    3600,
    _("You have sent 20 invitations in the last hour; send more in a little while."),
)
RESET_MAILS = Limit(
    "reset-mails",
    3,
    3600,
    _(
        "Three e-mails were already sent to this address in the last hour. Check the inbox "
        "(and the spam folder), or try again later."
    ),
)
SIGNUP_MAILS = Limit(
    "signup-mails",
    3,
    3600,
    _(
        "Three e-mails were already sent to this address in the last hour. Check the inbox "
        "(and the spam folder), or try again later."
    ),
)
REPORT_RENDERS = Limit(
    "report-renders",
    10,
    60,
    _("Ten reports of this enterprise were asked for in the last minute; try again shortly."),
)
SHARES = Limit(
    "shares",
    20,
    3600,
    _("You have shared results 20 times in the last hour; share more in a little while."),
)
REPORT_CHECKS = Limit(
    "report-checks",
    30,
    60,
    _("Too many reports were checked from your network in the last minute; try again shortly."),
)
LOGIN_FAILURES_PER_CLIENT = Limit(
    "login-client",
    20,
    900,
    _(
        "Too many failed log-ins came from your network in the last 15 minutes. Try again "
        "later, or reset your password."
    ),
)


def spend(limit: Limit, who: object) -> bool:
    """Count one use by ``who``; False when the window's allowance is already used up."""
    key = limit._key(who)
    if cache.add(key, 1, limit.seconds):
        return True
    try:
        return cache.incr(key) <= limit.count
    except ValueError:  # expired between add and incr
        cache.set(key, 1, limit.seconds)
        return True


def reached(limit: Limit, who: object) -> bool:
    """Is the allowance used up, without using any?"""
    return (cache.get(limit._key(who)) or 0) >= limit.count
