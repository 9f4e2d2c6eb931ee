"""Webhooks (PRODUCT.md section 11): signed deliveries of run.succeeded / run.failed, retried
with backoff then failed, never to a private address; the owner sees each delivery's code."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from api.models import Delivery, Webhook
from api.services import webhooks
from evaluations.models import EvaluationRun
from evaluations.services import verification as verification_services
from evaluations.services.assessments import assessment_submit
from evaluations.services.runs import run_fail
from tests.api.receiver import Receiver
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def check_signature(secret: str, received) -> dict:
    """What a receiver does: recompute HMAC-SHA256 over "<t>.<body>" and compare."""
    parts = dict(item.split("=", 1) for item in received.headers["X-CBEC-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), parts["t"].encode() + b"." + received.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    return json.loads(received.body)


def hook(enterprise, url, **kwargs) -> Webhook:
    return Webhook.objects.create(
        enterprise=enterprise,
        url=url,
        secret="x" * 64,
        events=list(webhooks.EVENTS),
        **kwargs,
    )


def test_a_succeeded_run_is_delivered_signed(
    enterprise, alice, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with Receiver() as receiver:
        webhook = hook(enterprise, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            run = assessment_submit(assessment=AssessmentFactory(enterprise=enterprise), user=alice)
        run.refresh_from_db()
        assert run.status == EvaluationRun.Status.SUCCEEDED
        assert len(receiver.received) == 1
        payload = check_signature(webhook.secret, receiver.received[0])
    assert payload["event"] == "run.succeeded"
    assert payload["data"]["run"] == run.pk and payload["data"]["overall"] == run.overall
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 200, 1)


def test_a_failed_run_is_announced(enterprise, alice, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with Receiver() as receiver:
        webhook = hook(enterprise, receiver.url)
        run = assessment_submit(assessment=AssessmentFactory(enterprise=enterprise), user=alice)
        with django_capture_on_commit_callbacks(execute=True):
            run_fail(run.pk, "broken")
        payload = check_signature(webhook.secret, receiver.received[0])
    assert payload["event"] == "run.failed" and payload["data"]["status"] == "failed"


def test_a_failing_endpoint_is_retried_then_failed(
    enterprise, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    with Receiver(status=500) as receiver:
        hook(enterprise, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.webhooks_notify(
                enterprise_id=enterprise.pk, event="run.failed", data={"run": 1}
            )
        assert len(receiver.received) == 3
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("failed", 500, 3)


def test_backoff_doubles(enterprise, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    with Receiver(status=503) as receiver:
        hook(enterprise, receiver.url)
        delivery = Delivery.objects.create(
            webhook=Webhook.objects.get(), event="run.failed", payload={}
        )
        waits = [webhooks.delivery_attempt(delivery_id=delivery.pk) for _ in range(3)]
    assert waits == [10, 20, 40]


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "http://example.com/hook",
    ],
)
def test_private_addresses_and_plain_http_are_refused(enterprise, alice, url):
    with pytest.raises(ValidationError):
        webhooks.webhook_create(enterprise=enterprise, user=alice, url=url)


def test_a_delivery_to_a_private_address_is_never_sent(
    enterprise, settings, django_capture_on_commit_callbacks
):
    with Receiver() as receiver:
        hook(enterprise, receiver.url.replace("http://", "https://"))
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.webhooks_notify(
                enterprise_id=enterprise.pk, event="run.failed", data={"run": 1}
            )
        assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1 and "private" in delivery.error


def test_the_owner_sees_deliveries_and_the_secret_once(api_for, enterprise, alice, monkeypatch):
    monkeypatch.setattr(
        webhooks.socket,
        "getaddrinfo",
        lambda *args, **kwargs: [(2, 1, 6, "", ("93.184.215.14", 443))],
    )
    client = api_for(alice)
    made = client.post(
        reverse("api:webhooks", kwargs={"pk": enterprise.pk}),
        {"url": "https://hooks.example.com/cbec", "events": ["run.succeeded"]},
        format="json",
    )
    assert made.status_code == 201 and len(made.json()["secret"]) == 64
    listed = client.get(reverse("api:webhooks", kwargs={"pk": enterprise.pk})).json()
    assert "secret" not in listed["results"][0]
    webhook = Webhook.objects.get()
    Delivery.objects.create(
        webhook=webhook, event="run.succeeded", payload={}, status="failed", response_code=410
    )
    deliveries = client.get(
        reverse("api:deliveries", kwargs={"pk": enterprise.pk, "webhook_pk": webhook.pk})
    ).json()
    assert deliveries["results"][0]["response_code"] == 410


def test_result_verified_is_an_event(enterprise, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with Receiver() as receiver:
        webhook = hook(enterprise, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            webhooks.result_verified(
                enterprise_id=enterprise.pk, run_id=7, year=2026, quarter=3, by="Bank"
            )
        payload = check_signature(webhook.secret, receiver.received[0])
    assert payload["event"] == "result.verified" and payload["data"]["verified_by"] == "Bank"


def test_staff_read_deliveries_in_admin_without_secrets(client_for, staff, enterprise):
    staff.is_superuser = True
    staff.save()
    webhook = hook(enterprise, "https://example.com/hook")
    Delivery.objects.create(webhook=webhook, event="run.failed", payload={}, response_code=502)
    client = client_for(staff)
    assert client.get(reverse("admin:api_delivery_changelist")).status_code == 200
    page = client.get(reverse("admin:api_webhook_change", args=[webhook.pk]))
    assert page.status_code == 200 and webhook.secret not in page.content.decode()


def test_verifying_a_submission_sends_result_verified(
    enterprise, alice, staff, settings, django_capture_on_commit_callbacks
):
    """The verification service announces a verified result; the API's receiver delivers it."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with Receiver() as receiver:
        webhook = hook(enterprise, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            run = assessment_submit(assessment=AssessmentFactory(enterprise=enterprise), user=alice)
        verification = verification_services.verification_start(
            assessment=run.assessment, organisation=None, by=staff
        )
        assert len(receiver.received) == 1  # run.succeeded; a review started is no event
        with django_capture_on_commit_callbacks(execute=True):
            verification_services.verification_verify(verification=verification, by=staff)
        payload = check_signature(webhook.secret, receiver.received[1])
    assert payload["event"] == "result.verified"
    assert payload["data"]["run"] == run.pk and payload["data"]["verified_by"] == "platform"
