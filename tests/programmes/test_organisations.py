"""An organisation's members and invitations: the same rules as an enterprise's."""

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from enterprises.models import OrganisationMembership, OrgRole
from programmes.models import OrganisationInvitation
from programmes.services import organisations as services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def invite(organisation, manager, committed, email="new@example.com", role=OrgRole.ANALYST):
    with committed():
        return services.org_invitation_create(
            organisation=organisation,
            email=email,
            role=role,
            invited_by=manager,
            link_base="http://testserver/",
        )


def test_an_invitation_is_a_one_time_link_by_mail(organisation, manager, committed):
    sent = invite(organisation, manager, committed)
    assert not sent.again
    token = re.search(r"/organisations/invitations/open/([^/]+)/", mail.outbox[-1].body).group(1)
    assert services.org_invitation_open(token) == sent.invitation
    assert services.org_invitation_open(token) is None
    again = invite(organisation, manager, committed, role=None)
    assert again.again and again.invitation.role == OrgRole.ANALYST


def test_only_the_confirmed_addressee_accepts(organisation, manager, committed):
    invitation = invite(organisation, manager, committed).invitation
    for person in (
        UserFactory(email="someone@example.com"),
        UserFactory(email="new@example.com", email_verified_at=None),
    ):
        with pytest.raises(ValidationError):
            services.org_invitation_accept(invitation=invitation, user=person)
    OrganisationMembership.objects.filter(user__email="new@example.com").delete()


def test_accepting_makes_a_member_with_the_invited_role(organisation, manager, committed):
    invitation = invite(organisation, manager, committed).invitation
    person = UserFactory(email="new@example.com")
    membership = services.org_invitation_accept(invitation=invitation, user=person)
    assert (membership.organisation, membership.role) == (organisation, OrgRole.ANALYST)
    with pytest.raises(ValidationError):
        services.org_invitation_accept(invitation=invitation, user=person)


def test_a_member_is_not_invited_again(organisation, manager, analyst, committed):
    with pytest.raises(ValidationError):
        invite(organisation, manager, committed, email=analyst.email)


def test_the_last_manager_stays(organisation, manager, analyst):
    only = organisation.memberships.get(user=manager)
    with pytest.raises(ValidationError):
        services.org_membership_set_role(membership=only, role=OrgRole.VIEWER)
    with pytest.raises(ValidationError):
        services.org_membership_remove(membership=only)
    other = organisation.memberships.get(user=analyst)
    services.org_membership_set_role(membership=other, role=OrgRole.MANAGER)
    services.org_membership_remove(membership=only)
    assert not organisation.memberships.filter(user=manager).exists()


def test_the_pages_invite_accept_and_welcome(client_for, organisation, manager, committed):
    client = client_for(manager)
    with committed():
        response = client.post(
            reverse("programmes:member-invite", args=[organisation.pk]),
            {"email": "New@Example.com", "role": OrgRole.VIEWER},
        )
    assert response.status_code == 302
    link = re.search(r"http://testserver(/\S+)", mail.outbox[-1].body).group(1)
    person = UserFactory(email="new@example.com")
    client = client_for(person)
    response = client.get(link)
    invitation = OrganisationInvitation.objects.get()
    assert response["Location"] == reverse("programmes:org-invitation", args=[invitation.pk])
    page = client.get(response["Location"])
    assert organisation.name in page.content.decode()
    response = client.post(reverse("programmes:org-invitation-accept", args=[invitation.pk]))
    assert response["Location"] == reverse("programmes:organisation", args=[organisation.pk])
    assert organisation.memberships.get(user=person).role == OrgRole.VIEWER
