"""The verification pages (PRODUCT.md section 11) for every kind of visitor, GET and POST: the
exact status. A sibling of ``test_access_matrix.py``, whose ``test_every_id_url_has_a_case``
counts these rows too.

The cast: the enterprise's owner, editor and viewer; an analyst, a manager and a viewer of an
organisation holding an active grant for the period; analysts of organisations with no grant,
an expired one and a revoked one (each on their own organisation's page); staff; a stranger;
anonymous. POST is a step (start the review).
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from enterprises.models import OrgRole, Role
from tests.factories import (
    AssessmentFactory,
    GrantFactory,
    MembershipFactory,
    OrganisationMembershipFactory,
    UserFactory,
    submitted_run,
)

ANON, STAFF, STRANGER = "anonymous", "staff", "stranger"
ANALYST, MANAGER, ORG_VIEWER = "analyst (active grant)", "org manager", "org viewer"
NO_GRANT, EXPIRED, REVOKED = "analyst, no grant", "analyst, expired grant", "analyst, revoked"
ACTORS = (
    ANON,
    STAFF,
    STRANGER,
    Role.OWNER,
    Role.EDITOR,
    Role.VIEWER,
    ANALYST,
    MANAGER,
    ORG_VIEWER,
    NO_GRANT,
    EXPIRED,
    REVOKED,
)
ORG_CAST = {ANALYST, MANAGER, ORG_VIEWER, NO_GRANT, EXPIRED, REVOKED}
READERS = {Role.OWNER: 200, Role.EDITOR: 200, Role.VIEWER: 200}
NOT_ACTING = {Role.OWNER: 403, Role.EDITOR: 403, Role.VIEWER: 403}

VERIFICATION_REQUIRED: dict[str, dict[str, dict[str, int | str]]] = {
    # an organisation's review: its analysts act through an active grant covering the period
    "evaluations:verification": {
        "GET": {
            ANON: "login",
            STAFF: 200,  # reads; stamps as the platform on its own page
            STRANGER: 404,
            **READERS,
            ANALYST: 200,
            MANAGER: 200,
            ORG_VIEWER: 200,
            NO_GRANT: 404,
            EXPIRED: 403,  # a page that explains
            REVOKED: 403,
        },
        "POST": {
            ANON: "login",
            STAFF: 403,
            STRANGER: 404,
            **NOT_ACTING,
            ANALYST: 302,
            MANAGER: 403,  # PRODUCT.md section 10: verifying is the analyst's
            ORG_VIEWER: 403,
            NO_GRANT: 404,
            EXPIRED: 403,
            REVOKED: 403,
        },
    },
    # the platform's review: staff act, the enterprise's members read, organisations see nothing
    "evaluations:verification-platform": {
        "GET": {
            ANON: "login",
            STAFF: 200,
            STRANGER: 404,
            **READERS,
            **dict.fromkeys(ORG_CAST, 404),
        },
        "POST": {
            ANON: "login",
            STAFF: 302,
            STRANGER: 404,
            **NOT_ACTING,
            **dict.fromkeys(ORG_CAST, 404),
        },
    },
}


@pytest.fixture(scope="module")
def verification_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        enterprise = MembershipFactory(role=Role.OWNER).enterprise
        owner = enterprise.memberships.get().user
        editor = MembershipFactory(enterprise=enterprise, role=Role.EDITOR).user
        viewer = MembershipFactory(enterprise=enterprise, role=Role.VIEWER).user
        assessment = AssessmentFactory(enterprise=enterprise, year=2026, quarter=3)
        submitted_run(assessment, owner)
        now = timezone.now()

        def analyst_of(grant: dict | None, role=OrgRole.ANALYST):
            member = OrganisationMembershipFactory(role=role)
            if grant is not None:
                GrantFactory(
                    enterprise=enterprise,
                    organisation=member.organisation,
                    email="",
                    periods=["2026Q3"],
                    **grant,
                )
            return member

        granted = analyst_of({})
        organisation = granted.organisation
        manager = OrganisationMembershipFactory(organisation=organisation, role=OrgRole.MANAGER)
        org_viewer = OrganisationMembershipFactory(organisation=organisation, role=OrgRole.VIEWER)
        no_grant = analyst_of(None)
        expired = analyst_of({"expires_at": now - timedelta(days=1)})
        revoked = analyst_of({"revoked_at": now - timedelta(hours=1)})
        members = {
            ANALYST: granted,
            MANAGER: manager,
            ORG_VIEWER: org_viewer,
            NO_GRANT: no_grant,
            EXPIRED: expired,
            REVOKED: revoked,
        }
        yield {
            "users": {
                ANON: None,
                STAFF: UserFactory(is_staff=True),
                STRANGER: MembershipFactory(role=Role.OWNER).user,
                Role.OWNER: owner,
                Role.EDITOR: editor,
                Role.VIEWER: viewer,
                **{actor: m.user for actor, m in members.items()},
            },
            "organisation_of": {actor: m.organisation_id for actor, m in members.items()},
            "default_organisation": organisation.pk,
            "kwargs": {"pk": enterprise.pk, "assessment_pk": assessment.pk},
        }
        transaction.set_rollback(True)


def _url(name: str, actor: str, world) -> str:
    kwargs = dict(world["kwargs"])
    if name == "evaluations:verification":
        kwargs["organisation_pk"] = world["organisation_of"].get(
            actor, world["default_organisation"]
        )
    return reverse(name, kwargs=kwargs)


CASES = [
    (name, method, actor)
    for name in sorted(VERIFICATION_REQUIRED)
    for method in ("GET", "POST")
    for actor in ACTORS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "actor"), CASES)
def test_verification_access(name, method, actor, verification_world, client_for):
    client = client_for(verification_world["users"][actor])
    url = _url(name, actor, verification_world)
    response = client.get(url) if method == "GET" else client.post(url, {"action": "start"})
    expected = VERIFICATION_REQUIRED[name][method][actor]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_an_assessment_of_another_enterprise_is_not_found(verification_world, client_for):
    """The submission is fetched through the enterprise in the URL, even for its analyst."""
    other = MembershipFactory(role=Role.OWNER).enterprise
    kwargs = {
        **verification_world["kwargs"],
        "pk": other.pk,
        "organisation_pk": verification_world["default_organisation"],
    }
    client = client_for(verification_world["users"][ANALYST])
    assert client.get(reverse("evaluations:verification", kwargs=kwargs)).status_code == 404


@pytest.mark.django_db
def test_a_former_grantee_reads_why(verification_world, client_for):
    response = client_for(verification_world["users"][EXPIRED]).get(
        _url("evaluations:verification", EXPIRED, verification_world)
    )
    assert "was shared with you until" in response.content.decode()


@pytest.mark.django_db
def test_readers_see_no_action(verification_world, client_for):
    page = client_for(verification_world["users"][Role.OWNER]).get(
        _url("evaluations:verification", Role.OWNER, verification_world)
    )
    assert 'name="action"' not in page.content.decode()
    page = client_for(verification_world["users"][ANALYST]).get(
        _url("evaluations:verification", ANALYST, verification_world)
    )
    assert 'name="action"' in page.content.decode()
