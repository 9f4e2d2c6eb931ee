"""Personal access tokens: create (the secret shown once), revoke, and find by the secret."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import Token

PREFIX = "cbec_"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Created:
    token: Token
    raw: str  # shown to the person once, never stored


def token_create(*, user, name: str, scope: str, expires_at=None) -> Created:
    """A new token; its secret is returned once and only its SHA-256 is kept."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name.")})
    if scope not in Token.Scope.values:
        raise ValidationError({"scope": _("Choose read, or read and write.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    raw = PREFIX + secrets.token_urlsafe(32)
    token = Token.objects.create(
        user=user,
        name=name[:80],
        prefix=raw[: len(PREFIX) + 6],
        digest=digest(raw),
        scope=scope,
        expires_at=expires_at,
    )
    return Created(token, raw)


def token_revoke(*, token: Token) -> Token:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> Token | None:
    """The active token with this secret, its last use noted (at most once a minute)."""
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    token = Token.objects.select_related("user").filter(digest=digest(raw)).first()
    now = timezone.now()
    if token is None or not token.is_active(now) or not token.user.is_active:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        with transaction.atomic():
            Token.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def demo_token(*, user, raw: str) -> Token:
    """The demo's fixed read-and-write token (development data only): made once, kept."""
    token, _created = Token.objects.get_or_create(
        digest=digest(raw),
        defaults={
            "user": user,
            "name": "demo",
            "prefix": raw[: len(PREFIX) + 6],
            "scope": Token.Scope.WRITE,
        },
    )
    return token
