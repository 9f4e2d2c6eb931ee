"""The REST API (PRODUCT.md section 11): tokens, reads, writes with the form's validation,
plausibility confirmation, idempotency, reports, pagination and throttling."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import IdempotencyKey, Token
from api.services.tokens import digest, token_revoke
from evaluations.models import Assessment, EvaluationRun
from evaluations.services.verification import verification_start, verification_verify
from tests.factories import COMPLETE_VALUES, AssessmentFactory, api_token, submitted_run

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs)


def test_no_token_is_401_with_a_bearer_challenge(api_for, enterprise, alice):
    response = api_for(None).get(url("enterprises"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer nope", "Token abc", "Bearer cbec_unknown"])
def test_a_bad_token_is_401(client, alice, header):
    response = client.get(url("enterprises"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_revoked_or_expired_token_is_401(client, alice):
    raw = api_token(alice)
    token_revoke(token=Token.objects.get(digest=digest(raw)))
    assert client.get(url("enterprises"), HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    expired = api_token(alice, expires_at=timezone.now() + timedelta(seconds=1))
    Token.objects.filter(digest=digest(expired)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(url("enterprises"), HTTP_AUTHORIZATION=f"Bearer {expired}").status_code == 401


def test_tokens_are_stored_hashed(alice):
    raw = api_token(alice)
    token = Token.objects.get(user=alice)
    assert token.digest == digest(raw) and raw not in (token.digest, token.prefix)
    assert raw.startswith(token.prefix)


def test_enterprises_lists_only_ones_own(api_for, enterprise, alice, charlie):
    body = api_for(alice).get(url("enterprises")).json()
    assert body["count"] == 1 and [e["id"] for e in body["results"]] == [enterprise.pk]


def test_a_read_token_cannot_write(api_for, enterprise, alice):
    response = api_for(alice, "read").post(
        url("assessments", pk=enterprise.pk), {"year": 2026, "quarter": 1}, format="json"
    )
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_a_run_reads_as_the_result_page(api_for, enterprise, alice):
    run = submitted_run(AssessmentFactory(enterprise=enterprise, year=2025, quarter=4), alice)
    body = api_for(alice, "read").get(url("run", pk=enterprise.pk, run_pk=run.pk)).json()
    assert body["status"] == "succeeded"
    assert body["overall"] == pytest.approx(run.overall) and body["grade"] == run.grade
    assert {d["code"] for d in body["dimensions"]} == set(
        run.dimensions.values_list("code", flat=True)
    )
    assert {i["code"] for i in body["indicators"]} == set(COMPLETE_VALUES)
    assert body["robustness"] == run.robustness and body["robustness"] is not None
    assert body["recommendations"] and body["recommendations"][0]["title"]
    assert body["peers"]["shown"] is False and body["peers"]["reason"]
    assert body["verification"] == []


def test_a_run_carries_the_verification_state_of_its_submission(api_for, enterprise, alice, staff):
    run = submitted_run(AssessmentFactory(enterprise=enterprise, year=2025, quarter=4), alice)
    verification = verification_start(assessment=run.assessment, organisation=None, by=staff)
    verification_verify(verification=verification, by=staff, comment="Invoices seen")
    body = api_for(alice, "read").get(url("run", pk=enterprise.pk, run_pk=run.pk)).json()
    [stamp] = body["verification"]
    assert (stamp["state"], stamp["is_platform"], stamp["comment"]) == (
        "verified",
        True,
        "Invoices seen",
    )


def test_draft_values_are_checked_as_the_form_checks_them(api_for, enterprise, erin):
    draft = AssessmentFactory(enterprise=enterprise, values={})
    target = url("assessment", pk=enterprise.pk, assessment_pk=draft.pk)
    response = api_for(erin).patch(
        target,
        {
            "values": {
                "logistics_cost": "12",
                "npd_cycle": -5,
                "nonsense": 1,
                "tech_update_speed": True,
            },
            "checklist": {"emissions_reported": "true", "green_packaging_pct": 101},
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors["values"]) == {"logistics_cost", "npd_cycle", "nonsense", "tech_update_speed"}
    assert set(errors["checklist"]) == {"emissions_reported", "green_packaging_pct"}
    draft.refresh_from_db()
    assert draft.values == {}
    ok = api_for(erin).patch(
        target, {"values": {**COMPLETE_VALUES, "npd_cycle": None}}, format="json"
    )
    assert ok.status_code == 200, ok.json()
    draft.refresh_from_db()
    assert draft.values["npd_cycle"] is None and draft.values["logistics_cost"] == 18.0


def test_a_viewer_cannot_change_a_draft(api_for, enterprise, bob):
    draft = AssessmentFactory(enterprise=enterprise)
    response = api_for(bob).patch(
        url("assessment", pk=enterprise.pk, assessment_pk=draft.pk), {"values": {}}, format="json"
    )
    assert response.status_code == 403


def test_warnings_need_confirmation(api_for, enterprise, erin):
    draft = AssessmentFactory(
        enterprise=enterprise, values={**COMPLETE_VALUES, "npd_cycle": 5000.0}
    )
    target = url("assessment-submit", pk=enterprise.pk, assessment_pk=draft.pk)
    refused = api_for(erin).post(target, {}, format="json")
    assert refused.status_code == 400
    assert [w["field"] for w in refused.json()["warnings"]] == ["npd_cycle"]
    assert refused.json()["confirm_warnings"]
    assert not EvaluationRun.objects.exists()
    assert api_for(erin).post(target, {"confirm_warnings": "yes"}, format="json").status_code == 400
    confirmed = api_for(erin).post(target, {"confirm_warnings": True}, format="json")
    assert confirmed.status_code == 201
    assert EvaluationRun.objects.get().pk == confirmed.json()["id"]


def test_a_retried_submit_makes_one_run(api_for, enterprise, erin):
    draft = AssessmentFactory(enterprise=enterprise)
    target = url("assessment-submit", pk=enterprise.pk, assessment_pk=draft.pk)
    client = api_for(erin)
    first = client.post(target, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(target, {}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert EvaluationRun.objects.filter(assessment=draft).count() == 1
    other = client.post(
        target, {"confirm_warnings": True}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other.status_code == 422 and "Idempotency-Key" in other.json()
    assert IdempotencyKey.objects.filter(user=erin, key="k-1").count() == 1


def test_a_refused_write_keeps_no_key(api_for, enterprise, erin):
    client = api_for(erin)
    target = url("assessments", pk=enterprise.pk)
    bad = client.post(target, {"year": 1900, "quarter": 1}, format="json", HTTP_IDEMPOTENCY_KEY="a")
    assert bad.status_code == 400 and "year" in bad.json()
    assert not IdempotencyKey.objects.exists()
    made = client.post(
        target, {"year": 2026, "quarter": 1}, format="json", HTTP_IDEMPOTENCY_KEY="b"
    )
    same = client.post(
        target, {"year": 2026, "quarter": 1}, format="json", HTTP_IDEMPOTENCY_KEY="b"
    )
    assert made.status_code == same.status_code == 201
    assert Assessment.objects.filter(enterprise=enterprise).count() == 1
    duplicate = client.post(target, {"year": 2026, "quarter": 1}, format="json")
    assert duplicate.status_code == 400 and duplicate.json()["non_field_errors"]


def test_reports_download(api_for, enterprise, bob, alice):
    run = submitted_run(AssessmentFactory(enterprise=enterprise, year=2025, quarter=4), alice)
    client = api_for(bob, "read")
    csv = client.get(url("run-report", pk=enterprise.pk, run_pk=run.pk, kind="csv"))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert "attachment" in csv["Content-Disposition"]
    xlsx = client.get(url("run-report", pk=enterprise.pk, run_pk=run.pk, kind="xlsx"))
    assert xlsx.status_code == 200
    pdf = client.get(url("run-report", pk=enterprise.pk, run_pk=run.pk, kind="pdf"))
    assert pdf.status_code in (200, 202)
    other = client.get(url("run-report", pk=enterprise.pk, run_pk=run.pk, kind="exe"))
    assert other.status_code == 404


def test_lists_are_paginated(api_for, enterprise, alice):
    for quarter in (1, 2, 3):
        AssessmentFactory(enterprise=enterprise, year=2024, quarter=quarter)
    body = api_for(alice).get(url("assessments", pk=enterprise.pk), {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_throttled_per_token(api_for, enterprise, alice, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "token": "3/min"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        client = api_for(alice)
        statuses = [client.get(url("enterprises")).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert api_for(alice).get(url("enterprises")).status_code == 200  # another token
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original


def test_grants_are_for_owners(api_for, enterprise, alice, erin):
    assert api_for(alice, "read").get(url("grants", pk=enterprise.pk)).status_code == 200
    assert api_for(erin, "read").get(url("grants", pk=enterprise.pk)).status_code == 403


def test_schema_and_docs_are_public(client):
    schema = client.get(url("schema"), {"format": "json"})
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    docs = client.get(url("docs"))
    assert docs.status_code == 200


def test_token_page_shows_the_secret_once(client_for, alice):
    client = client_for(alice)
    made = client.post(reverse("api-tokens"), {"name": "ERP", "scope": "read"})
    assert made.status_code == 302
    page = client.get(reverse("api-tokens"))
    raw = page.context["created"]["raw"]
    assert raw in page.content.decode() and page["Cache-Control"] == "private, no-store"
    assert raw not in client.get(reverse("api-tokens")).content.decode()
    token = Token.objects.get(user=alice)
    assert token.scope == "read"
    revoke = client.post(reverse("api-token-revoke", args=[token.pk]))
    assert revoke.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_another_persons_token_cannot_be_revoked(client_for, alice, bob):
    api_token(alice)
    token = Token.objects.get(user=alice)
    assert client_for(bob).post(reverse("api-token-revoke", args=[token.pk])).status_code == 404
    assert client_for(None).get(reverse("api-tokens")).status_code == 302


def test_the_audit_trail_names_the_tokens_person(api_for, enterprise, erin):
    from audit.models import LogEntry

    draft = AssessmentFactory(enterprise=enterprise, values={})
    response = api_for(erin).patch(
        url("assessment", pk=enterprise.pk, assessment_pk=draft.pk),
        {"values": {"logistics_cost": 12}},
        format="json",
    )
    assert response.status_code == 200
    entry = LogEntry.objects.filter(object_pk=str(draft.pk)).latest("timestamp")
    assert entry.actor == erin


@pytest.mark.parametrize("path", ["nothing/here/", "enterprises/x%0Ay/", "enterprises/-1/runs/"])
def test_any_other_api_address_is_a_json_404(api_for, alice, path):
    response = api_for(alice).post(f"/api/v1/{path}", {}, format="json")
    assert response.status_code == 404 and response.json()["detail"]
