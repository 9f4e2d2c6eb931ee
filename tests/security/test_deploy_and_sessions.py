"""Secure by default: check --deploy is clean, the CSP holds, sessions end when they should."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.models import UserSession
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 20 + "Zq8#pL2@xV9!mN4$wR7^tY1&uI5*oP3(aS6)dF0" + "e" * 10


def test_check_deploy_reports_nothing_with_production_settings():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="cbec_site.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=STRONG,
        DJANGO_ALLOWED_HOSTS="cbec.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_every_page_carries_a_nonce_csp_without_unsafe_inline_scripts(client_for, alice):
    response = client_for(alice).get(reverse("enterprises:list"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert "'nonce-" in directives["script-src"]
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-inline" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert 'style="' not in response.content.decode()


@pytest.mark.django_db
def test_login_issues_a_new_session_key(client, alice):
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-chosen-session-key-1234"
    client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    key = client.cookies["sessionid"].value
    assert key != "attacker-chosen-session-key-1234"
    assert UserSession.objects.filter(user=alice, session_key=key).exists()


@pytest.mark.django_db
def test_logout_ends_the_session_on_the_server(client, alice):
    client.post(reverse("login"), {"username": alice.email, "password": PASSWORD})
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_deactivating_a_user_ends_all_their_sessions(client, alice, bob):
    from django.test import Client

    laptop, phone, other = Client(), Client(), Client()
    for browser, user in ((laptop, alice), (phone, alice), (other, bob)):
        browser.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    keys = [browser.cookies["sessionid"].value for browser in (laptop, phone)]
    alice.is_active = False
    alice.save()
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert laptop.get(reverse("enterprises:list")).status_code == 302  # to the login page
    assert other.get(reverse("enterprises:list")).status_code == 200
