"""The OpenAPI schema drives every operation (schemathesis): no answer is a server error and
every answer matches the schema (status code, content type, body). A small fixed budget runs
in ``make test`` (derandomized, so a run is repeatable); ``make fuzz`` sets ``API_FUZZ_EXAMPLES``
for a deeper search.

The caller is an enterprise's owner with a read-and-write token, and the enterprise, assessment
and run ids are the world's own (a draft, and a run with its result), so the generated bodies
and query parameters meet real objects; a webhook id is left as generated (404)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cbec_site.wsgi import application
from tests.factories import AssessmentFactory, MembershipFactory, api_token, submitted_run

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "5"))
# Reads of the world's own objects, which take no query parameter: always 200.
OWN_OBJECTS = {
    "/api/v1/enterprises/{id}/",
    "/api/v1/enterprises/{id}/assessments/{assessment_pk}/",
    "/api/v1/enterprises/{id}/runs/{run_pk}/",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

raw = SchemaGenerator().get_schema(request=None, public=True)
raw.setdefault("servers", [{"url": "/"}])
schema = schemathesis.openapi.from_dict(raw)
schema.app = application


@pytest.fixture
def world(db):
    """The world, and the WSGI app kept from closing the test's connection after each request
    (as Django's test client does)."""
    membership = MembershipFactory(role="owner")
    run_assessment = AssessmentFactory(enterprise=membership.enterprise, year=2025, quarter=4)
    run = submitted_run(run_assessment, membership.user)
    draft = AssessmentFactory(enterprise=membership.enterprise, year=2026, quarter=1)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {
            "token": api_token(membership.user, "write"),
            "ids": {"id": membership.enterprise.pk, "assessment_pk": draft.pk, "run_pk": run.pk},
        }
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case, world):
    for name, value in world["ids"].items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {world['token']}"},
        checks=CHECKS,
        excluded_checks=[],
    )
    sent = response.request.headers.get("Authorization")
    if case.method == "GET" and case.path in OWN_OBJECTS and sent == f"Bearer {world['token']}":
        assert response.status_code == 200, (case.path, response.text[:300])  # the world's ids
