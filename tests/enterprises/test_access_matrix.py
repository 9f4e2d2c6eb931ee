"""Every URL that takes an id, for every kind of visitor, for GET and POST: the exact status.

A new URL pattern with an id and no row in ``REQUIRED`` fails ``test_every_id_url_has_a_case``,
so no page can be added without stating who may open it and what it answers. The world (an
enterprise with its members, a run, a draft with evidence, an invitation) is built once per
module; each case runs in its own savepoint, so what one POST changes is gone for the next.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from enterprises.models import Invitation, Role
from enterprises.services import invitation_create
from evaluations.models import Recommendation
from evaluations.services.assessments import evidence_attach
from evaluations.services.plans import plan_action_add
from tests.enterprises.test_access_matrix_verification import VERIFICATION_REQUIRED
from tests.factories import AssessmentFactory, MembershipFactory, UserFactory, submitted_run

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

ANON, OUTSIDER, STAFF = "anonymous", "outsider", "staff"
ACTORS = (ANON, OUTSIDER, STAFF, Role.VIEWER, Role.EDITOR, Role.OWNER)
NOBODY = dict.fromkeys(ACTORS, 404)  # a public page that names nothing to this cast
NOBODY_SIGNED_IN = {**NOBODY, ANON: "login"}
RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}

# url name -> {method: (the least role that may use it, the status it then answers), or the
# exact status for each actor}. Methods not listed must answer 405.
REQUIRED: dict[str, dict[str, tuple[str, int] | dict[str, int | str]]] = {
    "enterprises:detail": {"GET": (Role.VIEWER, 200)},
    "enterprises:edit": {"GET": (Role.OWNER, 200), "POST": (Role.OWNER, 200)},  # form errors
    "enterprises:switch": {"POST": (Role.VIEWER, 302)},
    "enterprises:members": {"GET": (Role.VIEWER, 200)},
    "enterprises:member-invite": {"GET": (Role.OWNER, 200), "POST": (Role.OWNER, 302)},
    "enterprises:member-role": {"POST": (Role.OWNER, 302)},
    "enterprises:member-remove": {"POST": (Role.OWNER, 302)},  # removing someone else
    "enterprises:invitation-revoke": {"POST": (Role.OWNER, 302)},
    "enterprises:invitation-resend": {"POST": (Role.OWNER, 302)},
    # An invitation is seen only by its addressee (signed in with the confirmed address) or the
    # browser that opened its e-mailed link: nobody of this cast (tests/enterprises/test_views).
    "enterprises:invitation": {"GET": NOBODY, "POST": dict.fromkeys(ACTORS, 405)},
    "enterprises:invitation-accept": {"POST": NOBODY_SIGNED_IN},
    "audit:enterprise-trail": {"GET": (Role.OWNER, 200)},  # staff read it on /audit/ instead
    "audit:enterprise-trail-xlsx": {"GET": (Role.OWNER, 200)},
    "evaluations:dashboard": {"GET": (Role.VIEWER, 200)},
    "evaluations:assessment-create": {"GET": (Role.EDITOR, 200), "POST": (Role.EDITOR, 200)},
    "evaluations:assessment": {"GET": (Role.VIEWER, 200), "POST": (Role.EDITOR, 200)},  # errors
    "evaluations:checklist-preview": {"POST": (Role.EDITOR, 200)},
    "evaluations:assessment-reopen": {"POST": (Role.EDITOR, 302)},
    "evaluations:assessment-delete": {"GET": (Role.EDITOR, 200), "POST": (Role.EDITOR, 302)},
    "evaluations:evidence-upload": {"POST": (Role.EDITOR, 302)},
    "evaluations:evidence": {"GET": (Role.VIEWER, 200)},
    "evaluations:evidence-delete": {"POST": (Role.EDITOR, 302)},
    "evaluations:run": {"GET": (Role.VIEWER, 200)},
    "evaluations:run-status": {"GET": (Role.VIEWER, 200)},
    "evaluations:run-pdf": {"GET": (Role.VIEWER, 200)},  # its progress, until a worker renders
    "evaluations:run-pdf-status": {"GET": (Role.VIEWER, 200)},
    "evaluations:run-pdf-retry": {"POST": (Role.VIEWER, 302)},
    "evaluations:run-csv": {"GET": (Role.VIEWER, 200)},
    "evaluations:run-xlsx": {"GET": (Role.VIEWER, 200)},
    "evaluations:run-what-if": {"POST": (Role.VIEWER, 200)},  # saves nothing
    "evaluations:run-compare": {"GET": (Role.VIEWER, 302)},  # no scheme chosen: back to the run
    "evaluations:plan": {"GET": (Role.VIEWER, 200)},
    "evaluations:plan-add": {"GET": (Role.EDITOR, 200), "POST": (Role.EDITOR, 200)},  # errors
    "evaluations:plan-action": {"GET": (Role.VIEWER, 200), "POST": (Role.EDITOR, 200)},  # errors
}
ID_KWARGS = {
    "pk",
    "member_pk",
    "invitation_pk",
    "assessment_pk",
    "run_pk",
    "evidence_pk",
    "action_pk",
    "programme_pk",
    "invitee_pk",
    "grant_pk",
}


def _id_url_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django admin: staff only, guarded by admin itself
            if pattern.namespace == "api":
                continue  # the API's own matrix, by token: tests/api/test_access_matrix.py
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _id_url_names(pattern, inner)
        elif (
            isinstance(pattern, URLPattern)
            and pattern.name
            and set(pattern.pattern.regex.groupindex) & ID_KWARGS
        ):
            names.add(namespace + pattern.name)
    return names


def test_every_id_url_has_a_case():
    shared = set(SHARING_REQUIRED) - SHARING_WITHOUT_ID
    assert _id_url_names() == (
        set(REQUIRED) | set(PROGRAMME_REQUIRED) | set(VERIFICATION_REQUIRED) | shared
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        enterprise = MembershipFactory(role=Role.OWNER, user__email="alice@example.com").enterprise
        alice = enterprise.memberships.get().user
        erin = MembershipFactory(enterprise=enterprise, role=Role.EDITOR).user
        bob = MembershipFactory(enterprise=enterprise, role=Role.VIEWER).user
        charlie = MembershipFactory(role=Role.OWNER).user
        staff = UserFactory(is_staff=True)
        target = MembershipFactory(enterprise=enterprise, role=Role.VIEWER)
        invitation = invitation_create(
            enterprise=enterprise,
            email="newcomer@example.com",
            role=Role.VIEWER,
            invited_by=alice,
            accept_url_base="http://testserver/",
        ).invitation
        submitted = AssessmentFactory(enterprise=enterprise, year=2025, quarter=4)
        run = submitted_run(submitted, alice)
        action = plan_action_add(
            run=run,
            recommendation=Recommendation.objects.get(code="logistics-shipping-system-routing"),
            expected_points=6.5,
            change={"input": "logistics_cost", "from": 18.0, "to": 11.5},
            owner=erin,
            due_date=timezone.localdate() + timedelta(days=30),
            user=alice,
        )
        draft = AssessmentFactory(enterprise=enterprise, year=2026, quarter=1)
        evidence = evidence_attach(
            assessment=draft,
            user=alice,
            indicator_code="logistics_cost",
            upload=SimpleUploadedFile("freight.pdf", PDF, content_type="application/pdf"),
        )
        yield {
            "users": {
                Role.OWNER: alice,
                Role.EDITOR: erin,
                Role.VIEWER: bob,
                OUTSIDER: charlie,
                STAFF: staff,
                ANON: None,
            },
            "kwargs": {
                "pk": enterprise.pk,
                # the target of member actions is a fourth member: nobody acts on themselves
                "member_pk": target.pk,
                "invitation_pk": invitation.pk,
                "assessment_pk": draft.pk,
                "run_pk": run.pk,
                "evidence_pk": evidence.pk,
                "action_pk": action.pk,
            },
        }
        transaction.set_rollback(True)


def _url(name: str, world) -> str:
    pattern_kwargs = {
        "enterprises:member-role": ["pk", "member_pk"],
        "enterprises:member-remove": ["pk", "member_pk"],
        "enterprises:invitation-revoke": ["pk", "invitation_pk"],
        "enterprises:invitation-resend": ["pk", "invitation_pk"],
        "enterprises:invitation": ["invitation_pk"],
        "enterprises:invitation-accept": ["invitation_pk"],
        "evaluations:run": ["pk", "run_pk"],
        "evaluations:run-status": ["pk", "run_pk"],
        "evaluations:run-pdf": ["pk", "run_pk"],
        "evaluations:run-pdf-status": ["pk", "run_pk"],
        "evaluations:run-pdf-retry": ["pk", "run_pk"],
        "evaluations:run-csv": ["pk", "run_pk"],
        "evaluations:run-xlsx": ["pk", "run_pk"],
        "evaluations:run-what-if": ["pk", "run_pk"],
        "evaluations:run-compare": ["pk", "run_pk"],
        "evaluations:plan-add": ["pk", "run_pk"],
        "evaluations:plan-action": ["pk", "action_pk"],
        "evaluations:evidence": ["pk", "assessment_pk", "evidence_pk"],
        "evaluations:evidence-delete": ["pk", "assessment_pk", "evidence_pk"],
    }.get(name, ["pk", "assessment_pk"] if "assessment_pk" in _kwargs_of(name) else ["pk"])
    return reverse(name, kwargs={k: world["kwargs"][k] for k in pattern_kwargs})


def _kwargs_of(name: str) -> set[str]:
    namespace, _sep, url_name = name.partition(":")
    resolver = get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == namespace:
            for inner in pattern.url_patterns:
                if getattr(inner, "name", None) == url_name:
                    return set(inner.pattern.regex.groupindex)
    return set()


def _expected(actor: str, method: str, rules: dict) -> int | str:
    if isinstance(rules.get(method), dict):
        return rules[method][actor]
    if actor == ANON:
        return "login"
    if method not in rules:
        return 405
    need, status = rules[method]
    if actor == OUTSIDER:
        return 404
    if actor == STAFF:
        return status if need == Role.VIEWER else 403  # staff read like a viewer
    return status if RANK[actor] >= RANK[need] else 403


CASES = [
    (name, method, actor)
    for name in sorted(REQUIRED)
    for method in ("GET", "POST")
    for actor in ACTORS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "actor"), CASES)
def test_access(name, method, actor, world, client_for):
    client = client_for(world["users"][actor])
    url = _url(name, world)
    data = {"role": Role.VIEWER, "email": "someone@example.com"}
    response = client.get(url) if method == "GET" else client.post(url, data)
    expected = _expected(actor, method, REQUIRED[name])
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_the_matrix_covers_a_pending_invitation(world):
    assert Invitation.objects.filter(pk=world["kwargs"]["invitation_pk"]).exists()


# An object of one enterprise reached through another enterprise's URL is not found, even by a
# person who belongs to both: the object is always fetched through the enterprise in the URL.
OBJECT_URLS = [
    ("evaluations:assessment", ["pk", "assessment_pk"]),
    ("evaluations:run", ["pk", "run_pk"]),
    ("evaluations:run-status", ["pk", "run_pk"]),
    ("evaluations:evidence", ["pk", "assessment_pk", "evidence_pk"]),
    ("evaluations:plan-action", ["pk", "action_pk"]),
    ("evaluations:plan-add", ["pk", "run_pk"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "keys"), OBJECT_URLS)
def test_objects_are_reached_only_through_their_own_enterprise(name, keys, world, client_for):
    owner = world["users"][Role.OWNER]
    other = MembershipFactory(user=owner, role=Role.OWNER).enterprise
    kwargs = {**world["kwargs"], "pk": other.pk}
    response = client_for(owner).get(reverse(name, kwargs={k: kwargs[k] for k in keys}))
    assert response.status_code == 404


# --- Organisations and programmes (PRODUCT.md section 10) ------------------------------------
# The cast: an organisation's manager, analyst and viewer; the owner, editor and viewer of an
# enterprise that joined its programme; a member of another organisation; a former grantee (an
# analyst of a third organisation whose programme the enterprise left: its grant revoked), who
# opens the pages of their own organisation; staff; anonymous.

MANAGER, ANALYST, ORG_VIEWER = "org manager", "org analyst", "org viewer"
OTHER_ORG, FORMER = "member of another organisation", "former grantee"
ORG_ACTORS = (
    ANON,
    STAFF,
    MANAGER,
    ANALYST,
    ORG_VIEWER,
    Role.OWNER,
    Role.EDITOR,
    Role.VIEWER,
    OTHER_ORG,
    FORMER,
)
MAY = {  # which of the organisation's roles may (enterprises.access.ORG_MAY)
    "read": {MANAGER, ANALYST, ORG_VIEWER},
    "export": {MANAGER, ANALYST},
    "manage": {MANAGER},
}


def org_page(may: str, status: int, **exceptions) -> dict[str, int | str]:
    """An organisation's page: its members whose role may get ``status``, its other members
    403; enterprise members and other organisations' members 404; the former grantee (an
    analyst of their own organisation) and staff as an analyst and a reader are."""
    expected: dict[str, int | str] = {ANON: "login"}
    for actor in (MANAGER, ANALYST, ORG_VIEWER):
        expected[actor] = status if actor in MAY[may] else 403
    for actor in (Role.OWNER, Role.EDITOR, Role.VIEWER, OTHER_ORG):
        expected[actor] = 404
    expected[FORMER] = status if may in ("read", "export") else 403
    expected[STAFF] = status if may in ("read", "export") else 403
    return {**expected, **exceptions}


def everyone(status) -> dict[str, int | str]:
    return dict.fromkeys(ORG_ACTORS, status)


NOT_ALLOWED = {**everyone(405), ANON: "login"}  # anonymous: to the login page first
PROGRAMME_REQUIRED: dict[str, dict[str, dict[str, int | str]]] = {
    "programmes:organisation": {"GET": org_page("read", 200), "POST": NOT_ALLOWED},
    "programmes:members": {"GET": org_page("read", 200), "POST": NOT_ALLOWED},
    "programmes:member-invite": {"GET": org_page("manage", 200), "POST": org_page("manage", 302)},
    "programmes:member-role": {"GET": NOT_ALLOWED, "POST": org_page("manage", 302)},
    "programmes:member-remove": {"GET": NOT_ALLOWED, "POST": org_page("manage", 302)},
    "programmes:org-invitation-resend": {"GET": NOT_ALLOWED, "POST": org_page("manage", 302)},
    "programmes:org-invitation-revoke": {"GET": NOT_ALLOWED, "POST": org_page("manage", 302)},
    # the addressee only (tests/programmes/test_organisations.py): nobody of this cast
    "programmes:org-invitation": {"GET": everyone(404), "POST": everyone(405)},
    "programmes:org-invitation-accept": {
        "GET": NOT_ALLOWED,
        "POST": {**everyone(404), ANON: "login"},
    },
    "programmes:programme-create": {
        "GET": org_page("manage", 200),
        "POST": org_page("manage", 200),  # form errors
    },
    "programmes:programme": {"GET": org_page("read", 200), "POST": NOT_ALLOWED},
    "programmes:programme-edit": {"GET": org_page("manage", 200), "POST": org_page("manage", 200)},
    "programmes:invite": {"GET": org_page("manage", 200), "POST": org_page("manage", 200)},
    "programmes:invite-list": {"GET": NOT_ALLOWED, "POST": org_page("manage", 200)},  # no file
    # an enterprise's results: through its grant; the former grantee's has ended (403 explains)
    "programmes:invitee-results": {
        "GET": org_page("read", 200, **{FORMER: 403}),
        "POST": NOT_ALLOWED,
    },
    "programmes:invitee-resend": {"GET": NOT_ALLOWED, "POST": org_page("manage", 302)},
    "programmes:invitee-withdraw": {"GET": NOT_ALLOWED, "POST": org_page("manage", 302)},
    "programmes:results-xlsx": {"GET": org_page("export", 200), "POST": NOT_ALLOWED},
    "programmes:summary-pdf": {"GET": org_page("read", 200), "POST": NOT_ALLOWED},
    "programmes:summary-pdf-status": {"GET": org_page("read", 200), "POST": NOT_ALLOWED},
    "programmes:summary-pdf-retry": {"GET": NOT_ALLOWED, "POST": org_page("read", 302)},
    "programmes:import": {"GET": org_page("manage", 200), "POST": org_page("manage", 200)},
    "programmes:import-template": {"GET": org_page("manage", 200), "POST": NOT_ALLOWED},
    # the enterprise's side: its members read, its owner answers (joined already: the form
    # says so, 200); nobody else learns the invitation exists
    "programmes:invitation": {
        "GET": {**everyone(404), Role.OWNER: 200, Role.EDITOR: 200, Role.VIEWER: 200},
        "POST": everyone(405),  # public (the e-mailed link's browser), GET only
    },
    "programmes:invitee-join": {
        "GET": NOT_ALLOWED,
        "POST": {
            **everyone(404),
            ANON: "login",
            Role.OWNER: 200,
            Role.EDITOR: 403,
            Role.VIEWER: 403,
        },
    },
    "programmes:invitee-decline": {
        "GET": NOT_ALLOWED,
        "POST": {
            **everyone(404),
            ANON: "login",
            Role.OWNER: 302,
            Role.EDITOR: 403,
            Role.VIEWER: 403,
        },
    },
}
# Which invitee each URL names: the enterprise that joined, or one still to answer.
PENDING_INVITEE = {"programmes:invitee-resend", "programmes:invitee-withdraw"}


@pytest.fixture(scope="module")
def org_world(django_db_setup, django_db_blocker):
    from enterprises.models import OrgRole
    from programmes.services.organisations import org_invitation_create
    from programmes.services.programmes import invitee_decline, invitee_join
    from tests.factories import InviteeFactory, OrganisationMembershipFactory, ProgrammeFactory

    with django_db_blocker.unblock(), transaction.atomic():
        enterprise = MembershipFactory(role=Role.OWNER).enterprise
        owner = enterprise.memberships.get().user
        editor = MembershipFactory(enterprise=enterprise, role=Role.EDITOR).user
        viewer = MembershipFactory(enterprise=enterprise, role=Role.VIEWER).user
        submitted_run(AssessmentFactory(enterprise=enterprise, year=2026, quarter=3), owner)

        def organisation_with(role):
            member = OrganisationMembershipFactory(role=role)
            programme = ProgrammeFactory(organisation=member.organisation, periods=["2026Q3"])
            joined = invitee_join(
                invitee=InviteeFactory(programme=programme, enterprise=enterprise),
                user=owner,
                include_evidence=False,
            )
            pending = InviteeFactory(programme=programme, enterprise=None)
            target = OrganisationMembershipFactory(organisation=member.organisation)
            invitation = org_invitation_create(
                organisation=member.organisation,
                email="newcomer-org@example.com",
                role=OrgRole.VIEWER,
                invited_by=member.user,
                link_base="http://testserver/",
            ).invitation
            kwargs = {
                "pk": member.organisation_id,
                "programme_pk": programme.pk,
                "invitee_pk": joined.pk,
                "pending_pk": pending.pk,
                "member_pk": target.pk,
                "invitation_pk": invitation.pk,
            }
            return member, kwargs

        manager, kwargs = organisation_with(OrgRole.MANAGER)
        organisation = manager.organisation
        analyst = OrganisationMembershipFactory(organisation=organisation, role=OrgRole.ANALYST)
        org_viewer = OrganisationMembershipFactory(organisation=organisation, role=OrgRole.VIEWER)
        other, _other_kwargs = organisation_with(OrgRole.MANAGER)
        former, former_kwargs = organisation_with(OrgRole.ANALYST)
        left = former.organisation.programmes.get().invitees.get(pk=former_kwargs["invitee_pk"])
        invitee_decline(invitee=left, user=owner)
        yield {
            "users": {
                ANON: None,
                STAFF: UserFactory(is_staff=True),
                MANAGER: manager.user,
                ANALYST: analyst.user,
                ORG_VIEWER: org_viewer.user,
                Role.OWNER: owner,
                Role.EDITOR: editor,
                Role.VIEWER: viewer,
                OTHER_ORG: other.user,
                FORMER: former.user,
            },
            "kwargs": kwargs,
            "former_kwargs": former_kwargs,
        }
        transaction.set_rollback(True)


def _org_url(name: str, actor: str, org_world) -> str:
    kwargs = org_world["former_kwargs"] if actor == FORMER else org_world["kwargs"]
    keys = _kwargs_of(name)
    values = {key: kwargs[key] for key in keys}
    if name in PENDING_INVITEE:
        values["invitee_pk"] = kwargs["pending_pk"]
    return reverse(name, kwargs=values)


ORG_CASES = [
    (name, method, actor)
    for name in sorted(PROGRAMME_REQUIRED)
    for method in ("GET", "POST")
    for actor in ORG_ACTORS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "actor"), ORG_CASES)
def test_organisation_access(name, method, actor, org_world, client_for):
    client = client_for(org_world["users"][actor])
    url = _org_url(name, actor, org_world)
    data = {"role": "viewer", "email": "someone@example.com"}
    response = client.get(url) if method == "GET" else client.post(url, data)
    expected = PROGRAMME_REQUIRED[name][method][actor]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_a_former_grantee_reads_why(org_world, client_for):
    response = client_for(org_world["users"][FORMER]).get(
        _org_url("programmes:invitee-results", FORMER, org_world)
    )
    assert response.status_code == 403
    assert "was shared with you until" in response.content.decode()


# --- Sharing with a partner or investor, and the check page (PRODUCT.md sections 10 and 11) ---
# The cast: the enterprise's owner, editor and viewer; a person it shared 2026 Q2 with (by their
# confirmed address); an analyst of an organisation it shared the period with; a former grantee
# whose grant expired and one whose grant was revoked; the owner of another enterprise; staff;
# anonymous.

GRANTEE, ORG_GRANTEE = "grantee", "organisation analyst (granted)"
EXPIRED, REVOKED = "former grantee (expired)", "former grantee (revoked)"
SHARE_ACTORS = (
    ANON,
    STAFF,
    Role.OWNER,
    Role.EDITOR,
    Role.VIEWER,
    GRANTEE,
    ORG_GRANTEE,
    EXPIRED,
    REVOKED,
    OUTSIDER,
)


def shared_page(status) -> dict[str, int | str]:
    """A grantee's page: those it is shared with ``status``, former grantees the page that
    explains (403), everyone else 404 (its members read their own pages instead)."""
    return {
        **dict.fromkeys(SHARE_ACTORS, 404),
        ANON: "login",
        GRANTEE: status,
        ORG_GRANTEE: status,
        EXPIRED: 403,
        REVOKED: 403,
    }


def owners_page(status) -> dict[str, int | str]:
    """The owners' sharing page: editors and viewers 403, staff too (they change nothing);
    grantees and strangers 404."""
    return {
        **dict.fromkeys(SHARE_ACTORS, 404),
        ANON: "login",
        Role.OWNER: status,
        Role.EDITOR: 403,
        Role.VIEWER: 403,
        STAFF: 403,
    }


NO_METHOD = {**dict.fromkeys(SHARE_ACTORS, 405), ANON: "login"}
SHARING_REQUIRED: dict[str, dict[str, dict[str, int | str]]] = {
    "evaluations:sharing": {"GET": owners_page(200), "POST": owners_page(200)},  # form errors
    "evaluations:grant-revoke": {"GET": NO_METHOD, "POST": owners_page(302)},
    "sharing:list": {"GET": {**dict.fromkeys(SHARE_ACTORS, 200), ANON: "login"}, "POST": NO_METHOD},
    "sharing:result": {"GET": shared_page(200), "POST": NO_METHOD},
    "sharing:pdf": {"GET": shared_page(200), "POST": NO_METHOD},  # its progress, no worker here
    "sharing:pdf-status": {"GET": shared_page(200), "POST": NO_METHOD},
    "sharing:pdf-retry": {"GET": NO_METHOD, "POST": shared_page(302)},
    "sharing:csv": {"GET": shared_page(200), "POST": NO_METHOD},
    "sharing:xlsx": {"GET": shared_page(200), "POST": NO_METHOD},
    # public: anyone, signed in or not, reads what a code names
    "sharing:check": {
        "GET": dict.fromkeys(SHARE_ACTORS, 200),
        "POST": dict.fromkeys(SHARE_ACTORS, 405),
    },
}
SHARING_WITHOUT_ID = {"sharing:list", "sharing:check"}


@pytest.fixture(scope="module")
def share_world(django_db_setup, django_db_blocker):
    from enterprises.models import OrgRole
    from enterprises.services import grant_create, grant_revoke
    from evaluations.models import ReportFile
    from evaluations.services.reports import shared_table_file
    from tests.factories import GrantFactory, OrganisationMembershipFactory

    with django_db_blocker.unblock(), transaction.atomic():
        owner = MembershipFactory(role=Role.OWNER).user
        enterprise = owner.memberships.get().enterprise
        editor = MembershipFactory(enterprise=enterprise, role=Role.EDITOR).user
        viewer = MembershipFactory(enterprise=enterprise, role=Role.VIEWER).user
        run = submitted_run(AssessmentFactory(enterprise=enterprise, year=2026, quarter=2), owner)
        grantee = UserFactory(email="partner@example.com")
        grant = grant_create(
            enterprise=enterprise, by=owner, periods=["2026Q2"], email=grantee.email
        )
        analyst = OrganisationMembershipFactory(role=OrgRole.ANALYST)
        grant_create(
            enterprise=enterprise,
            by=owner,
            periods=["2026Q2"],
            organisation=analyst.organisation,
        )
        expired = UserFactory(email="expired@example.com")
        GrantFactory(
            enterprise=enterprise,
            email=expired.email,
            periods=["2026Q2"],
            expires_at=timezone.now() - timedelta(days=1),
        )
        revoked = UserFactory(email="revoked@example.com")
        grant_revoke(
            grant=grant_create(
                enterprise=enterprise, by=owner, periods=["2026Q2"], email=revoked.email
            ),
            by=owner,
        )
        code = shared_table_file(
            run=run, grant=grant, kind=ReportFile.Kind.RUN_CSV, user=grantee, language="en"
        ).check_code
        yield {
            "users": {
                ANON: None,
                STAFF: UserFactory(is_staff=True),
                Role.OWNER: owner,
                Role.EDITOR: editor,
                Role.VIEWER: viewer,
                GRANTEE: grantee,
                ORG_GRANTEE: analyst.user,
                EXPIRED: expired,
                REVOKED: revoked,
                OUTSIDER: MembershipFactory(role=Role.OWNER).user,
            },
            "kwargs": {
                "pk": enterprise.pk,
                "grant_pk": grant.pk,
                "year": 2026,
                "quarter": 2,
                "code": code,
            },
        }
        transaction.set_rollback(True)


SHARE_CASES = [
    (name, method, actor)
    for name in sorted(SHARING_REQUIRED)
    for method in ("GET", "POST")
    for actor in SHARE_ACTORS
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "actor"), SHARE_CASES)
def test_sharing_access(name, method, actor, share_world, client_for):
    client = client_for(share_world["users"][actor])
    kwargs = share_world["kwargs"]
    url = reverse(name, kwargs={key: kwargs[key] for key in _kwargs_of(name)})
    response = client.get(url) if method == "GET" else client.post(url, {"email": "x@example.com"})
    expected = SHARING_REQUIRED[name][method][actor]
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("actor", [EXPIRED, REVOKED])
def test_a_former_direct_grantee_reads_why(actor, share_world, client_for):
    kwargs = share_world["kwargs"]
    url = reverse("sharing:result", args=[kwargs["pk"], 2026, 2])
    response = client_for(share_world["users"][actor]).get(url)
    assert response.status_code == 403
    assert "was shared with you until" in response.content.decode()


@pytest.mark.django_db
def test_a_grant_of_another_enterprise_is_not_found_through_this_one(share_world, client_for):
    owner = share_world["users"][Role.OWNER]
    other = MembershipFactory(user=owner, role=Role.OWNER).enterprise
    url = reverse("evaluations:grant-revoke", args=[other.pk, share_world["kwargs"]["grant_pk"]])
    assert client_for(owner).post(url).status_code == 404
