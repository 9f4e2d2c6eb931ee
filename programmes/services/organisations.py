"""An organisation's members and invitations: the same rules as an enterprise's.

A manager invites by e-mail (a one-time link, ``enterprises.services.one_time_token``, sent
through the mail queue in the inviter's language); only the addressee, signed in with the
invited address and having confirmed it, can accept. The last manager cannot leave or be
demoted. Staff create the organisation itself, with its first members, in admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import limits
from core.mail import mail_send
from enterprises.models import Organisation, OrganisationMembership, OrgRole
from enterprises.services import one_time_token, token_hash
from programmes.models import OrganisationInvitation

INVITATION_VALIDITY = timedelta(days=14)


def _other_managers_exist(membership: OrganisationMembership) -> bool:
    managers = (
        OrganisationMembership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=OrgRole.MANAGER)
        .exclude(pk=membership.pk)
    )
    return managers.exists()


@transaction.atomic
def org_membership_set_role(
    *, membership: OrganisationMembership, role: str
) -> OrganisationMembership:
    if role not in OrgRole.values:
        raise ValidationError({"role": _("Unknown role.")})
    if (
        membership.role == OrgRole.MANAGER
        and role != OrgRole.MANAGER
        and not _other_managers_exist(membership)
    ):
        raise ValidationError(
            _("An organisation needs at least one manager: name another manager first.")
        )
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def org_membership_remove(*, membership: OrganisationMembership) -> None:
    if membership.role == OrgRole.MANAGER and not _other_managers_exist(membership):
        raise ValidationError(
            _("The last manager cannot leave or be removed: name another manager first.")
        )
    membership.delete()


@dataclass(frozen=True)
class Sent:
    invitation: OrganisationInvitation
    again: bool


def org_invitation_create(
    *, organisation: Organisation, email: str, role: str | None, invited_by, link_base: str
) -> Sent:
    """E-mails a one-time link to join the organisation; a pending invitation to the same
    address is sent again (its earlier link stops working), its role kept unless ``role``
    names another one."""
    email = email.strip().lower()
    if organisation.memberships.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if not limits.spend(limits.INVITATIONS, invited_by.pk):
        raise ValidationError(limits.INVITATIONS.message)
    token, hashed = one_time_token()
    with transaction.atomic():
        invitation = (
            organisation.invitations.select_for_update()
            .filter(email__iexact=email, accepted_at__isnull=True)
            .first()
        )
        again = invitation is not None
        if invitation is None:
            invitation = OrganisationInvitation(organisation=organisation, email=email)
        invitation.role = role or invitation.role or OrgRole.VIEWER
        invitation.token_hash = hashed
        invitation.invited_by = invited_by
        invitation.expires_at = timezone.now() + INVITATION_VALIDITY
        invitation.full_clean()
        invitation.save()
        link = link_base.rstrip("/") + reverse("programmes:org-invitation-open", args=[token])
        language = translation.get_language()
        transaction.on_commit(lambda: _send(invitation, link, language))
    return Sent(invitation, again)


def _send(invitation: OrganisationInvitation, link: str, language: str | None) -> None:
    with translation.override(language):
        mail_send(
            to=[invitation.email],
            subject=_("An invitation to the CBEC Sustainability Self-Assessment"),
            body=render_to_string(
                "programmes/email/org_invitation.txt", {"invitation": invitation, "link": link}
            ),
        )


@transaction.atomic
def org_invitation_open(token: str) -> OrganisationInvitation | None:
    """The invitation of an e-mailed link, exchanged once (its token stops working)."""
    invitation = (
        OrganisationInvitation.objects.select_for_update(of=("self",))
        .select_related("organisation", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None or not invitation.is_pending:
        return None
    invitation.token_hash = one_time_token()[1]  # nobody knows this one
    invitation.save(update_fields=["token_hash"])
    return invitation


def org_invitations_for(user) -> list[OrganisationInvitation]:
    """Pending invitations addressed to a person, once their address is confirmed."""
    if not user.is_authenticated or not user.email_verified:
        return []
    pending = OrganisationInvitation.objects.filter(
        email__iexact=user.email, accepted_at__isnull=True, expires_at__gt=timezone.now()
    )
    return list(pending.select_related("organisation", "invited_by"))


@transaction.atomic
def org_invitation_accept(*, invitation: OrganisationInvitation, user) -> OrganisationMembership:
    """Only the addressee, signed in with the invited address and having confirmed it."""
    invitation = OrganisationInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise ValidationError(
            _("This invitation has expired. Ask a manager of the organisation to send it again.")
        )
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
    membership, _created = OrganisationMembership.objects.get_or_create(
        organisation=invitation.organisation, user=user, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return membership


@transaction.atomic
def org_invitation_revoke(*, invitation: OrganisationInvitation) -> None:
    if invitation.accepted_at is not None:
        raise ValidationError(_("An accepted invitation cannot be revoked."))
    invitation.delete()
