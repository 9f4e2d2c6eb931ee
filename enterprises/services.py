"""Every write to enterprises, memberships and invitations goes through here.

Each service is keyword-only, validates with ``full_clean()`` and owns its transaction.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import limits
from core.http import absolute_url
from core.mail import mail_send
from enterprises.models import (
    Enterprise,
    Grant,
    InnovationDirection,
    Invitation,
    Membership,
    OperationMode,
    Organisation,
    Role,
)

INVITATION_VALIDITY = timedelta(days=14)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def one_time_token() -> tuple[str, str]:
    """A new secret for an e-mailed one-time link and the hash stored in its place: every kind
    of invitation (enterprises, organisations, programmes) uses this."""
    token = secrets.token_urlsafe(32)
    return token, _hash_token(token)


def token_hash(token: str) -> str:
    """The stored form of a link's secret (to find the invitation a link names)."""
    return _hash_token(token)


def _set_profile(enterprise: Enterprise, data: dict) -> None:
    modes = data.pop("operation_modes", None)
    directions = data.pop("innovation_directions", None)
    for field, value in data.items():
        setattr(enterprise, field, value)
    enterprise.full_clean(exclude=["operation_modes", "innovation_directions"])
    enterprise.save()
    if modes is not None:
        enterprise.operation_modes.set(OperationMode.objects.filter(code__in=_codes(modes)))
    if directions is not None:
        enterprise.innovation_directions.set(
            InnovationDirection.objects.filter(code__in=_codes(directions))
        )


def _codes(items) -> list[str]:
    return [getattr(item, "code", item) for item in items]


@transaction.atomic
def enterprise_create(*, creator, **data) -> Enterprise:
    """Creates the profile and makes its creator the first owner."""
    if not data.get("operation_modes"):
        raise ValidationError({"operation_modes": _("Choose at least one operation mode.")})
    enterprise = Enterprise(created_by=creator)
    _set_profile(enterprise, data)
    Membership.objects.create(enterprise=enterprise, user=creator, role=Role.OWNER)
    return enterprise


@transaction.atomic
def enterprise_update(*, enterprise: Enterprise, **data) -> Enterprise:
    if "operation_modes" in data and not data["operation_modes"]:
        raise ValidationError({"operation_modes": _("Choose at least one operation mode.")})
    _set_profile(enterprise, data)
    return enterprise


def _other_owners_exist(membership: Membership) -> bool:
    owners = (
        Membership.objects.select_for_update()
        .filter(enterprise_id=membership.enterprise_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
    )
    return owners.exists()


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("Unknown role.")})
    if membership.role == Role.OWNER and role != Role.OWNER and not _other_owners_exist(membership):
        raise ValidationError(
            _("An enterprise needs at least one owner: name another owner first.")
        )
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    if membership.role == Role.OWNER and not _other_owners_exist(membership):
        raise ValidationError(
            _("The last owner cannot leave or be removed: name another owner first.")
        )
    membership.delete()


@dataclass(frozen=True)
class Sent:
    """What an invitation e-mail did: a first invitation, or a pending one sent again (its old
    link stops working), with the role before and after."""

    invitation: Invitation
    again: bool
    previous_role: str | None


def invitation_create(
    *, enterprise: Enterprise, email: str, role: str | None, invited_by, accept_url_base: str
) -> Sent:
    """E-mails a one-time link to join; an address with a pending invitation gets it again,
    with its role kept unless ``role`` names another one (the earlier link then stops working).

    ``accept_url_base`` is the site's absolute root (``request.build_absolute_uri('/')``).
    """
    email = email.strip().lower()
    if enterprise.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if not limits.spend(limits.INVITATIONS, invited_by.pk):
        raise ValidationError(limits.INVITATIONS.message)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = (
            enterprise.invitations.select_for_update()
            .filter(email__iexact=email, accepted_at__isnull=True)
            .first()
        )
        again = invitation is not None
        previous_role = invitation.role if again else None
        if invitation is None:
            invitation = Invitation(enterprise=enterprise, email=email)
        invitation.role = role or previous_role or Role.VIEWER
        invitation.token_hash = _hash_token(token)
        invitation.invited_by = invited_by
        invitation.expires_at = timezone.now() + INVITATION_VALIDITY
        invitation.full_clean()
        invitation.save()
        link = accept_url_base.rstrip("/") + reverse("enterprises:invitation-open", args=[token])
        language = translation.get_language()
        transaction.on_commit(lambda: _send_invitation(invitation, link, language))
    return Sent(invitation, again, previous_role)


def _send_invitation(invitation: Invitation, link: str, language: str | None) -> None:
    """The subject names no enterprise: a name is typed by anyone and must not read as our
    words in a mail header; the body quotes it."""
    with translation.override(language):
        context = {"invitation": invitation, "link": link}
        mail_send(
            to=[invitation.email],
            subject=_("An invitation to the CBEC Sustainability Self-Assessment"),
            body=render_to_string("enterprises/email/invitation.txt", context),
        )


@transaction.atomic
def invitation_open(token: str) -> Invitation | None:
    """The invitation of an e-mailed link, exchanged once: its token stops working, so a link
    seen in an access log or forwarded opens nothing. The page that follows names no token."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("enterprise", "invited_by")
        .filter(token_hash=_hash_token(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return None
    invitation.token_hash = _hash_token(secrets.token_urlsafe(32))  # nobody knows this one
    invitation.save(update_fields=["token_hash"])
    return invitation


def invitations_for(user) -> list[Invitation]:
    """The pending invitations addressed to a person, once their address is confirmed."""
    if not user.is_authenticated or not user.email_verified:
        return []
    pending = Invitation.objects.filter(
        email__iexact=user.email, accepted_at__isnull=True, expires_at__gt=timezone.now()
    )
    return list(pending.select_related("enterprise", "invited_by"))


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """Only the addressee, signed in with the invited address and having confirmed it: a
    forwarded link lets nobody else in."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired. Ask the owner to send it again."))
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s; sign in with that address to accept it.")
            % {"email": invitation.email}
        )
    if not user.email_verified:
        raise ValidationError(
            _("Confirm your e-mail address first: open the link we sent to %(email)s.")
            % {"email": user.email}
        )
    membership, created = Membership.objects.get_or_create(
        enterprise=invitation.enterprise, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError(_("An accepted invitation cannot be revoked."))
    invitation.delete()


# --- Grants: sharing results with a partner or investor (PRODUCT.md section 10) --------------

GRANT_VALIDITY = timedelta(days=365)  # "default 12 months"
PERIOD_KEY = re.compile(r"^[0-9]{4}Q[1-4]$")


def grant_default_expiry() -> datetime:
    return timezone.now() + GRANT_VALIDITY


@transaction.atomic
def grant_create(
    *,
    enterprise: Enterprise,
    by,
    periods: list[str],
    email: str = "",
    organisation: Organisation | None = None,
    include_evidence: bool = False,
    expires_at: datetime | None = None,
) -> Grant:
    """An owner shares chosen periods' results with a person (by e-mail) or an organisation,
    until ``expires_at`` (12 months unless given). A person is e-mailed a link to the shared
    results; they read them once signed in with that address, confirmed."""
    if not enterprise.memberships.filter(user=by, role=Role.OWNER).exists():
        raise ValidationError(_("Only an owner of the enterprise can share its results."))
    chosen = sorted({str(period) for period in periods})
    if not chosen:
        raise ValidationError({"periods": _("Choose at least one period to share.")})
    if any(not PERIOD_KEY.match(period) for period in chosen):
        raise ValidationError({"periods": _("Choose periods from the list.")})
    email = (email or "").strip().lower()
    if bool(email) == (organisation is not None):
        raise ValidationError(_("Share with a person (an e-mail address) or an organisation."))
    expires_at = expires_at or grant_default_expiry()
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("Choose a date in the future.")})
    if email and enterprise.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError(
            {"email": _("This person is a member of the enterprise and reads its results.")}
        )
    if email and not limits.spend(limits.SHARES, by.pk):
        raise ValidationError(limits.SHARES.message)
    grant = Grant(
        enterprise=enterprise,
        email=email,
        organisation=organisation,
        source=Grant.Source.DIRECT,
        periods=chosen,
        include_evidence=bool(include_evidence),
        created_by=by,
        expires_at=expires_at,
    )
    grant.full_clean()
    grant.save()
    if email:
        language = translation.get_language()
        transaction.on_commit(lambda: _send_grant(grant, language))
    return grant


def _send_grant(grant: Grant, language: str | None) -> None:
    """Names the enterprise only in the body, as an invitation does."""
    with translation.override(language):
        context = {"grant": grant, "link": absolute_url(reverse("sharing:list"))}
        mail_send(
            to=[grant.email],
            subject=_("Sustainability results shared with you"),
            body=render_to_string("enterprises/email/grant.txt", context),
        )


@transaction.atomic
def grant_revoke(*, grant: Grant, by) -> Grant:
    """Ends a grant at once (direct or a programme's): online access stops; what the grantee
    already exported stays with them. Only an owner of the enterprise may."""
    grant = Grant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
    if not grant.enterprise.memberships.filter(user=by, role=Role.OWNER).exists():
        raise ValidationError(_("Only an owner of the enterprise can end a grant."))
    if grant.revoked_at is not None:
        raise ValidationError(_("This grant has already been revoked."))
    grant.revoked_at = timezone.now()
    grant.revoked_by = by
    grant.full_clean()
    grant.save(update_fields=["revoked_at", "revoked_by"])
    return grant


def grant_viewed(*, grant: Grant) -> None:
    """The owners' sharing page says when a grantee last looked (bookkeeping: not audited)."""
    Grant.objects.filter(pk=grant.pk).update(last_viewed_at=timezone.now())
