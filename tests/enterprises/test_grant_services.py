"""An owner's grants (PRODUCT.md section 10): made and revoked only by an owner, through the
services, each recorded in the audit trail; a person is e-mailed a link."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import LogEntry
from enterprises.models import Grant
from enterprises.services import grant_create, grant_revoke, grant_viewed
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def test_a_person_grant_lasts_twelve_months_and_mails_a_link(
    enterprise, alice, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        grant = grant_create(
            enterprise=enterprise, by=alice, periods=["2026Q2", "2025Q4"], email=" Partner@X.COM "
        )
    assert grant.email == "partner@x.com" and grant.organisation is None
    assert grant.periods == ["2025Q4", "2026Q2"] and grant.source == Grant.Source.DIRECT
    assert grant.include_evidence is False and grant.created_by == alice
    expected = timezone.now() + timedelta(days=365)
    assert abs((grant.expires_at - expected).total_seconds()) < 60
    assert [m.to for m in mailoutbox] == [["partner@x.com"]]
    assert enterprise.name not in mailoutbox[0].subject
    assert f'"{enterprise.name}"' in mailoutbox[0].body and "/shared/" in mailoutbox[0].body


def test_an_organisation_grant_mails_nobody(enterprise, alice, mailoutbox):
    organisation = OrganisationFactory()
    grant = grant_create(
        enterprise=enterprise,
        by=alice,
        periods=["2026Q2"],
        organisation=organisation,
        include_evidence=True,
    )
    assert grant.grantee_label == organisation.name and grant.include_evidence
    assert mailoutbox == []


@pytest.mark.parametrize("who", ["erin", "bob", "charlie"])
def test_only_an_owner_shares(who, enterprise, request):
    user = request.getfixturevalue(who)
    with pytest.raises(ValidationError):
        grant_create(enterprise=enterprise, by=user, periods=["2026Q2"], email="p@example.com")
    assert not Grant.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"periods": [], "email": "p@example.com"}, "at least one period"),
        ({"periods": ["2026Q5"], "email": "p@example.com"}, "from the list"),
        ({"periods": ["2026Q2"]}, "a person"),
        ({"periods": ["2026Q2"], "email": "bob@example.com"}, "member"),
        (
            {
                "periods": ["2026Q2"],
                "email": "p@example.com",
                "expires_at": timezone.now() - timedelta(days=1),
            },
            "future",
        ),
    ],
)
def test_a_grant_that_makes_no_sense_is_refused(kwargs, problem, enterprise, alice, bob):
    with pytest.raises(ValidationError) as caught:
        grant_create(enterprise=enterprise, by=alice, **kwargs)
    assert problem in " ".join(caught.value.messages)
    assert not Grant.objects.exists()


def test_a_person_and_an_organisation_at_once_is_refused(enterprise, alice):
    with pytest.raises(ValidationError):
        grant_create(
            enterprise=enterprise,
            by=alice,
            periods=["2026Q2"],
            email="p@example.com",
            organisation=OrganisationFactory(),
        )


def test_revoking_ends_a_grant_once_and_only_by_an_owner(enterprise, alice, bob):
    grant = grant_create(enterprise=enterprise, by=alice, periods=["2026Q2"], email="p@x.com")
    with pytest.raises(ValidationError):
        grant_revoke(grant=grant, by=bob)
    grant_revoke(grant=grant, by=alice)
    grant.refresh_from_db()
    assert grant.revoked_by == alice and grant.revoked_at is not None
    assert not grant.is_active
    with pytest.raises(ValidationError, match="already"):
        grant_revoke(grant=grant, by=alice)


def test_the_audit_trail_records_the_grant_and_its_revocation(enterprise, alice):
    grant = grant_create(enterprise=enterprise, by=alice, periods=["2026Q2"], email="p@x.com")
    grant_viewed(grant=grant)  # bookkeeping: no entry
    grant_revoke(grant=grant, by=alice)
    created, revoked = LogEntry.objects.get_for_object(grant).order_by("timestamp", "id")
    assert created.action == LogEntry.Action.CREATE
    assert created.enterprise_id == enterprise.pk
    assert created.changes_dict["email"] == ["None", "p@x.com"]
    assert revoked.action == LogEntry.Action.UPDATE
    assert set(revoked.changes_dict) == {"revoked_at", "revoked_by"}
