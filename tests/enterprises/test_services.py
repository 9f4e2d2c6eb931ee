"""Memberships and invitations: the rules that keep an enterprise owned and private."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enterprises import services
from enterprises.models import Enterprise, Invitation, Membership, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_creating_an_enterprise_makes_the_creator_its_owner():
    user = UserFactory()
    enterprise = services.enterprise_create(
        creator=user, name="Ningbo Ports Trading", operation_modes=["b2b", "b2c"]
    )
    assert enterprise.memberships.get().role == Role.OWNER
    assert sorted(enterprise.operation_modes.values_list("code", flat=True)) == ["b2b", "b2c"]


def test_an_enterprise_needs_an_operation_mode():
    with pytest.raises(ValidationError):
        services.enterprise_create(creator=UserFactory(), name="No Mode", operation_modes=[])
    assert not Enterprise.objects.exists()


def test_the_last_owner_cannot_leave_or_be_demoted(enterprise, alice, bob):
    owner = alice.memberships.get()
    with pytest.raises(ValidationError):
        services.membership_remove(membership=owner)
    with pytest.raises(ValidationError):
        services.membership_set_role(membership=owner, role=Role.EDITOR)
    owner.refresh_from_db()
    assert owner.role == Role.OWNER


def test_with_a_second_owner_the_first_may_leave(enterprise, alice, bob):
    services.membership_set_role(membership=bob.memberships.get(), role=Role.OWNER)
    services.membership_remove(membership=alice.memberships.get())
    assert list(enterprise.memberships.values_list("user__email", "role")) == [
        ("bob@example.com", Role.OWNER)
    ]


def _invite(enterprise, alice, email="new@example.com", role=Role.EDITOR):
    return services.invitation_create(
        enterprise=enterprise,
        email=email,
        role=role,
        invited_by=alice,
        accept_url_base="http://testserver/",
    ).invitation


def _token_from(mail) -> str:
    link = next(line for line in mail.body.splitlines() if "/invitations/" in line)
    return link.rstrip("/").rsplit("/", 1)[1]


def test_an_invitation_is_mailed_after_commit_and_accepted_by_its_addressee(
    enterprise, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(enterprise, alice, email="New@Example.com")
    assert [m.to for m in mailoutbox] == [["new@example.com"]]
    assert enterprise.name not in mailoutbox[0].subject  # typed by anyone: never a header
    assert f'"{enterprise.name}"' in mailoutbox[0].body
    token = _token_from(mailoutbox[0])
    assert invitation.token_hash != token  # only the hash is stored
    opened = services.invitation_open(token)
    assert opened == invitation
    assert services.invitation_open(token) is None  # exchanged once: the link opens no more
    newcomer = UserFactory(email="new@example.com")
    membership = services.invitation_accept(invitation=opened, user=newcomer)
    assert membership.role == Role.EDITOR
    with pytest.raises(ValidationError):  # an invitation is used once
        services.invitation_accept(invitation=invitation, user=newcomer)


def test_a_forwarded_invitation_does_not_let_another_address_in(enterprise, alice, charlie):
    invitation = _invite(enterprise, alice)
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=charlie)
    assert not enterprise.memberships.filter(user=charlie).exists()


def test_an_unconfirmed_address_cannot_accept_or_see_its_invitations(enterprise, alice):
    """Whoever holds a forwarded link could sign up with the invitee's address; until that
    address is confirmed by its own inbox, the account can neither accept nor see the invite."""
    invitation = _invite(enterprise, alice)
    impostor = UserFactory(email="new@example.com", email_verified_at=None)
    assert services.invitations_for(impostor) == []
    with pytest.raises(ValidationError, match="Confirm your e-mail address"):
        services.invitation_accept(invitation=invitation, user=impostor)
    assert not enterprise.memberships.filter(user=impostor).exists()
    impostor.email_verified_at = timezone.now()
    assert services.invitations_for(impostor) == [invitation]


def test_an_expired_invitation_is_refused(enterprise, alice):
    invitation = _invite(enterprise, alice)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        services.invitation_accept(invitation=invitation, user=UserFactory(email="new@example.com"))


def test_sending_again_keeps_the_role_unless_another_is_chosen(enterprise, alice):
    """Re-inviting an address once reset its role to Viewer and broke the first link silently."""
    first = _invite(enterprise, alice, role=Role.EDITOR)
    again = services.invitation_create(
        enterprise=enterprise,
        email="new@example.com",
        role=None,
        invited_by=alice,
        accept_url_base="http://testserver/",
    )
    assert again.again and again.invitation.pk == first.pk
    assert again.invitation.role == Role.EDITOR and again.previous_role == Role.EDITOR
    changed = services.invitation_create(
        enterprise=enterprise,
        email="NEW@example.com",
        role=Role.VIEWER,
        invited_by=alice,
        accept_url_base="http://testserver/",
    )
    assert (changed.previous_role, changed.invitation.role) == (Role.EDITOR, Role.VIEWER)
    assert enterprise.invitations.count() == 1


def test_invitations_are_limited_to_twenty_an_hour_per_person(enterprise, alice):
    for n in range(20):
        _invite(enterprise, alice, email=f"person-{n}@example.com")
    with pytest.raises(ValidationError, match="20 invitations"):
        _invite(enterprise, alice, email="one-more@example.com")


def test_a_member_cannot_be_invited_again(enterprise, alice, bob):
    with pytest.raises(ValidationError):
        _invite(enterprise, alice, email="BOB@example.com")


def test_one_person_can_belong_to_several_enterprises(charlie, enterprise):
    MembershipFactory(enterprise=enterprise, user=charlie, role=Role.VIEWER)
    assert Membership.objects.filter(user=charlie).count() == 2
