"""A webhook from a real worker: a submission's run is computed by a real ``celery worker``
process, whose ``run_finished`` receiver queues the delivery, which the same worker sends (its
routes lead to the test's private queue, ``tests/evaluations/worker.py``) to an endpoint in this
process; the signature is checked as a receiver would."""

from __future__ import annotations

import pytest

from api.models import Delivery, Webhook
from api.services import webhooks
from cbec_site.celery import app
from evaluations.services.assessments import assessment_submit
from tests.api.receiver import Receiver
from tests.api.test_webhooks import check_signature
from tests.evaluations.worker import LiveCelery, wait_until
from tests.factories import AssessmentFactory, MembershipFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def live(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBHOOKS_ALLOW_PRIVATE", "true")  # the worker's settings, read at start
    celery = LiveCelery(broker_url=app.conf.broker_url, log_dir=tmp_path)
    try:
        yield celery
    finally:
        celery.close()


def test_a_real_worker_delivers_a_signed_event(live, figures):
    membership = MembershipFactory(role="owner")
    enterprise, owner = membership.enterprise, membership.user
    with Receiver() as receiver:
        webhook = Webhook.objects.create(
            enterprise=enterprise,
            url=receiver.url,
            secret="s" * 64,
            events=list(webhooks.EVENTS),
        )
        worker = live.worker(concurrency=1).start()
        run = assessment_submit(assessment=AssessmentFactory(enterprise=enterprise), user=owner)
        took = wait_until(lambda: receiver.received, timeout=60, describe=worker.tail)
        payload = check_signature(webhook.secret, receiver.received[0])
    assert payload["event"] == "run.succeeded" and payload["data"]["run"] == run.pk
    wait_until(
        lambda: Delivery.objects.filter(status="delivered", response_code=200).exists(),
        timeout=30,
        describe=worker.tail,
    )
    figures("webhook from a real worker", seconds_to_receive=took)
