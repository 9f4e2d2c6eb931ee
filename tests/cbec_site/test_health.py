"""GET /healthz: the database, the broker and a worker, as booleans, never secrets."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from cbec_site import health
from core.tasks import heartbeat

pytestmark = pytest.mark.django_db


def test_healthy_when_a_worker_ran_the_heartbeat(client):
    heartbeat.run()  # what the worker does when beat (or its start-up) sends the task
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "broker": True, "worker": True}


def test_degraded_without_a_recent_worker(client, settings):
    cache.delete(settings.CELERY_WORKER_HEARTBEAT_KEY)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["worker"] is False


def test_a_stale_heartbeat_does_not_count(client, settings):
    cache.set(settings.CELERY_WORKER_HEARTBEAT_KEY, 0.0)
    assert client.get(reverse("healthz")).json()["worker"] is False


def test_an_unreachable_broker_is_reported_without_its_url(client, monkeypatch):
    from cbec_site.celery import app

    heartbeat.run()
    unreachable = app.connection_for_write("redis://:s3cret@127.0.0.1:1/0")
    monkeypatch.setattr(app, "connection_for_write", lambda: unreachable)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] is False
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


def test_the_configured_broker_is_reachable():
    """In CI this is Redis: the test fails (never skips) when it is down."""
    assert health.broker_ok(), settings.CELERY_BROKER_URL.split("@")[-1]
