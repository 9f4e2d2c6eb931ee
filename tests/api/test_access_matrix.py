"""Every API URL, for every kind of caller and both token scopes, for GET, POST, PATCH and
DELETE: the exact status. The API asks ``enterprises.access`` exactly as the site's pages do,
so the statuses are the site's (outsider 404, role too low 403), except that a missing or bad
token is 401 and a read token's write is 403 before anything else.

A new API URL that takes an id and has no row in ``REQUIRED`` fails
``test_every_api_url_has_a_case``. The world is built once per module; each case runs in its
own savepoint.
"""

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.models import Token, Webhook
from api.services.tokens import digest
from enterprises.models import Grant, Role
from tests.factories import (
    AssessmentFactory,
    GrantFactory,
    MembershipFactory,
    UserFactory,
    api_token,
    submitted_run,
)

ANON, OUTSIDER, STAFF, GRANTEE = "anonymous", "outsider", "staff", "grantee"
ACTORS = (ANON, OUTSIDER, STAFF, GRANTEE, Role.VIEWER, Role.EDITOR, Role.OWNER)
SCOPES = ("read", "write")
METHODS = ("GET", "POST", "PATCH", "DELETE")
RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}

# url name -> {method: (the least role that may, the status it then answers)}; a grantee gets
# 404 unless ``GRANTEE_MAY`` says otherwise. Methods not listed answer 405.
REQUIRED = {
    "api:enterprise": {"GET": (Role.VIEWER, 200)},
    "api:assessments": {"GET": (Role.VIEWER, 200), "POST": (Role.EDITOR, 201)},
    "api:assessment": {"GET": (Role.VIEWER, 200), "PATCH": (Role.EDITOR, 200)},
    "api:assessment-submit": {"POST": (Role.EDITOR, 201)},
    "api:runs": {"GET": (Role.VIEWER, 200)},
    "api:run": {"GET": (Role.VIEWER, 200)},
    "api:run-report": {"GET": (Role.VIEWER, 200)},
    "api:grants": {"GET": (Role.OWNER, 200)},
    # a private address is refused: 400 names the field (tests/api/test_webhooks.py)
    "api:webhooks": {"GET": (Role.OWNER, 200), "POST": (Role.OWNER, 400)},
    "api:webhook": {"DELETE": (Role.OWNER, 204)},
    "api:deliveries": {"GET": (Role.OWNER, 200)},
}
GRANTEE_MAY = {("api:run", "GET"): 200}  # the shared period's result, through the grant
BODIES = {
    "api:assessments": {"year": 2027, "quarter": 2},
    "api:assessment": {"values": {"logistics_cost": 12}},
    "api:webhooks": {"url": "https://127.0.0.1/hook"},
}
ID_KWARGS = {"pk", "assessment_pk", "run_pk", "webhook_pk"}


def _api_names() -> set[str]:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "api":
            return {
                f"api:{inner.name}"
                for inner in pattern.url_patterns
                if isinstance(inner, URLPattern) and set(inner.pattern.regex.groupindex) & ID_KWARGS
            }
    return set()


def test_every_api_url_has_a_case():
    assert _api_names() == set(REQUIRED)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        owner = MembershipFactory(role=Role.OWNER).user
        enterprise = owner.memberships.get().enterprise
        editor = MembershipFactory(enterprise=enterprise, role=Role.EDITOR).user
        viewer = MembershipFactory(enterprise=enterprise, role=Role.VIEWER).user
        outsider = MembershipFactory(role=Role.OWNER).user
        staff = UserFactory(is_staff=True)
        grantee = UserFactory()
        GrantFactory(enterprise=enterprise, email=grantee.email, periods=["2025Q4"])
        run = submitted_run(AssessmentFactory(enterprise=enterprise, year=2025, quarter=4), owner)
        draft = AssessmentFactory(enterprise=enterprise, year=2026, quarter=1)
        webhook = Webhook.objects.create(
            enterprise=enterprise, url="https://example.com/hook", secret="s", events=["run.failed"]
        )
        users = {
            Role.OWNER: owner,
            Role.EDITOR: editor,
            Role.VIEWER: viewer,
            OUTSIDER: outsider,
            STAFF: staff,
            GRANTEE: grantee,
        }
        tokens = {
            (actor, scope): api_token(user, scope)
            for actor, user in users.items()
            for scope in SCOPES
        }
        yield {
            "tokens": tokens,
            "kwargs": {
                "pk": enterprise.pk,
                "assessment_pk": draft.pk,
                "run_pk": run.pk,
                "webhook_pk": webhook.pk,
                "kind": "csv",
            },
        }
        transaction.set_rollback(True)


def _url(name: str, world) -> str:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "api":
            inner = next(p for p in pattern.url_patterns if f"api:{p.name}" == name)
            keys = set(inner.pattern.regex.groupindex)
            return reverse(name, kwargs={k: world["kwargs"][k] for k in keys})
    raise AssertionError(name)


def _expected(actor: str, scope: str, name: str, method: str) -> int:
    if actor == ANON:
        return 401
    if method != "GET" and scope == "read":
        return 403
    rules = REQUIRED[name]
    if method not in rules:
        return 405
    need, status = rules[method]
    if actor == GRANTEE:
        return GRANTEE_MAY.get((name, method), 404)
    if actor == OUTSIDER:
        return 404
    if actor == STAFF:
        return status if need == Role.VIEWER and method == "GET" else 403
    return status if RANK[actor] >= RANK[need] else 403


CASES = [
    (name, method, actor, scope)
    for name in sorted(REQUIRED)
    for method in METHODS
    for actor in ACTORS
    for scope in (("none",) if actor == ANON else SCOPES)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "actor", "scope"), CASES)
def test_access(name, method, actor, scope, world, client):
    headers = {}
    if actor != ANON:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world['tokens'][(actor, scope)]}"
    call = getattr(client, method.lower())
    kwargs = {"content_type": "application/json", **headers}
    if method in ("POST", "PATCH"):
        kwargs["data"] = BODIES.get(name, {})
    response = call(_url(name, world), **kwargs)
    assert response.status_code == _expected(actor, scope, name, method), response.content[:300]


@pytest.mark.django_db
def test_a_former_grantee_is_told_403(world, client):
    Grant.objects.filter(enterprise_id=world["kwargs"]["pk"]).update(revoked_at=timezone.now())
    token = world["tokens"][(GRANTEE, "read")]
    response = client.get(_url("api:run", world), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["api:assessment", "api:run", "api:run-report", "api:deliveries"])
def test_objects_are_reached_only_through_their_own_enterprise(name, world, client):
    """An id of one enterprise under another enterprise's URL is not found, even for a person
    who owns both."""
    owner = Token.objects.get(digest=digest(world["tokens"][(Role.OWNER, "read")])).user
    other = MembershipFactory(user=owner, role=Role.OWNER).enterprise
    url = _url(name, world).replace(
        f"/enterprises/{world['kwargs']['pk']}/", f"/enterprises/{other.pk}/"
    )
    token = world["tokens"][(Role.OWNER, "read")]
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 404
