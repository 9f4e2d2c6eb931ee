"""Every write to enterprises, memberships and invitations goes through here.

Each service is keyword-only, validates with ``full_clean()`` and owns its transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.mail import mail_send
from enterprises.models import (
    Enterprise,
    InnovationDirection,
    Invitation,
    Membership,
    OperationMode,
    Role,
)

INVITATION_VALIDITY = timedelta(days=14)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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


def invitation_create(
    *, enterprise: Enterprise, email: str, role: str, invited_by, accept_url_base: str
) -> Invitation:
    """Replaces any pending invitation for the address and e-mails a one-time link.

    ``accept_url_base`` is the site's absolute root (``request.build_absolute_uri('/')``).
    """
    email = email.strip().lower()
    if enterprise.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        enterprise.invitations.filter(email__iexact=email, accepted_at__isnull=True).delete()
        invitation = Invitation(
            enterprise=enterprise,
            email=email,
            role=role,
            token_hash=_hash_token(token),
            invited_by=invited_by,
            expires_at=timezone.now() + INVITATION_VALIDITY,
        )
        invitation.full_clean()
        invitation.save()
        link = accept_url_base.rstrip("/") + reverse("enterprises:invitation-accept", args=[token])
        language = translation.get_language()
        transaction.on_commit(lambda: _send_invitation(invitation, link, language))
    return invitation


def _send_invitation(invitation: Invitation, link: str, language: str | None) -> None:
    with translation.override(language):
        context = {"invitation": invitation, "link": link}
        mail_send(
            to=[invitation.email],
            subject=_("You are invited to join %(name)s") % {"name": invitation.enterprise.name},
            body=render_to_string("enterprises/email/invitation.txt", context),
        )


def invitation_by_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("enterprise", "invited_by")
        .filter(token_hash=_hash_token(token))
        .first()
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user) -> Membership:
    """The invited address must be the account's own: a forwarded link does not let others in."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(_("This invitation has expired: ask for a new one."))
    if invitation.email.lower() != user.email.lower():
        raise ValidationError(
            _("This invitation was sent to %(email)s; sign in with that address to accept it.")
            % {"email": invitation.email}
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
