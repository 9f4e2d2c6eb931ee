"""The access rules for organisations and grants (enterprises.access): written before the pages
that use them, as every permission rule is."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.views.defaults import permission_denied

from enterprises.access import (
    EXPORT,
    MANAGE,
    READ,
    VERIFY,
    GrantEnded,
    organisation_for_member,
    shared_result,
)
from enterprises.models import Grant, OrgRole, period_key
from tests.factories import (
    EnterpriseFactory,
    GrantFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_period_key_names_a_quarter():
    assert period_key(2026, 3) == "2026Q3"


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (OrgRole.MANAGER, {MANAGE, READ, EXPORT}),
        (OrgRole.ANALYST, {READ, EXPORT, VERIFY}),
        (OrgRole.VIEWER, {READ}),
    ],
)
def test_each_organisation_role_may_what_the_table_says(role, allowed):
    member = OrganisationMembershipFactory(role=role)
    for capability in (MANAGE, READ, EXPORT, VERIFY):
        if capability in allowed:
            found = organisation_for_member(member.user, member.organisation_id, may=capability)
            assert found.organisation == member.organisation
            assert found.role == role
        else:
            with pytest.raises(PermissionDenied):
                organisation_for_member(member.user, member.organisation_id, may=capability)


def test_an_outsider_of_an_organisation_gets_404():
    member = OrganisationMembershipFactory(role=OrgRole.MANAGER)
    stranger = OrganisationMembershipFactory(role=OrgRole.MANAGER).user
    with pytest.raises(Http404):
        organisation_for_member(stranger, member.organisation_id)


def test_staff_read_and_verify_but_do_not_manage_an_organisation():
    organisation = OrganisationFactory()
    staff = UserFactory(is_staff=True)
    assert organisation_for_member(staff, organisation.pk, may=VERIFY).membership is None
    with pytest.raises(PermissionDenied):
        organisation_for_member(staff, organisation.pk, may=MANAGE)
    with pytest.raises(Http404):
        organisation_for_member(staff, organisation.pk + 1000)


def test_a_person_reads_a_shared_period_by_their_confirmed_address():
    grant = GrantFactory(email="Partner@Example.com", periods=["2026Q3"])
    reader = UserFactory(email="partner@example.com")
    found = shared_result(reader, grant.enterprise_id, 2026, 3)
    assert found.grant == grant and found.enterprise == grant.enterprise
    assert found.evidence is False
    with pytest.raises(Http404):  # a period not shared
        shared_result(reader, grant.enterprise_id, 2026, 2)


def test_an_unconfirmed_address_is_granted_nothing():
    grant = GrantFactory(email="partner@example.com")
    reader = UserFactory(email="partner@example.com", email_verified_at=None)
    with pytest.raises(Http404):
        shared_result(reader, grant.enterprise_id, 2026, 3)


def test_members_of_a_granted_organisation_read_it_others_do_not():
    organisation = OrganisationFactory()
    grant = GrantFactory(organisation=organisation, email="")
    viewer = OrganisationMembershipFactory(organisation=organisation, role=OrgRole.VIEWER).user
    assert shared_result(viewer, grant.enterprise_id, 2026, 3).grant == grant
    other = OrganisationMembershipFactory(role=OrgRole.MANAGER).user
    with pytest.raises(Http404):
        shared_result(other, grant.enterprise_id, 2026, 3)
    with pytest.raises(Http404):  # another enterprise's result
        shared_result(viewer, EnterpriseFactory().pk, 2026, 3)


@pytest.mark.parametrize("ending", ["revoked", "expired"])
def test_a_former_grantee_is_told_why_and_anyone_else_gets_404(ending):
    past = timezone.now() - timedelta(days=1)
    grant = GrantFactory(**({"revoked_at": past} if ending == "revoked" else {"expires_at": past}))
    former = UserFactory(email=grant.email)
    with pytest.raises(GrantEnded) as ended:
        shared_result(former, grant.enterprise_id, 2026, 3)
    assert past.strftime("%Y-%m-%d") in str(ended.value)
    with pytest.raises(Http404):
        shared_result(UserFactory(), grant.enterprise_id, 2026, 3)


def test_of_two_active_grants_the_one_with_evidence_wins():
    enterprise = EnterpriseFactory()
    GrantFactory(enterprise=enterprise, email="partner@example.com")
    wide = GrantFactory(enterprise=enterprise, email="partner@example.com", include_evidence=True)
    reader = UserFactory(email="partner@example.com")
    assert shared_result(reader, enterprise.pk, 2026, 3).grant == wide


def test_an_active_grant_beside_an_ended_one_still_reads():
    enterprise = EnterpriseFactory()
    GrantFactory(enterprise=enterprise, email="p@example.com", revoked_at=timezone.now())
    active = GrantFactory(enterprise=enterprise, email="p@example.com")
    assert shared_result(UserFactory(email="p@example.com"), enterprise.pk, 2026, 3).grant == active


def test_active_leaves_out_revoked_and_expired_grants():
    now = timezone.now()
    kept = GrantFactory()
    GrantFactory(revoked_at=now)
    GrantFactory(expires_at=now - timedelta(seconds=1))
    forever = GrantFactory(expires_at=None)
    assert set(Grant.objects.active()) == {kept, forever}


def test_a_grant_names_exactly_one_grantee():
    enterprise = EnterpriseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(enterprise=enterprise, email="", periods=["2026Q3"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Grant.objects.create(
            enterprise=enterprise,
            organisation=OrganisationFactory(),
            email="p@example.com",
            periods=["2026Q3"],
        )
    with pytest.raises(ValidationError):
        Grant(enterprise=enterprise, email="", periods=[]).validate_constraints()


def test_an_ended_grant_explains_itself_on_the_403_page(rf):
    grant = GrantFactory(revoked_at=timezone.now())
    former = UserFactory(email=grant.email)
    request = rf.get("/")
    request.user, request.session = former, {}
    try:
        shared_result(former, grant.enterprise_id, 2026, 3)
    except GrantEnded as ended:
        response = permission_denied(request, ended)
    assert response.status_code == 403
    assert "was shared with you until" in response.content.decode()
