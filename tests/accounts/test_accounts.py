"""Sign-up, log-in throttling and log-out, through the real pages."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts import throttling
from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def _link(mail) -> str:
    return re.search(r"https?://testserver(/\S+)", mail.body).group(1)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a request sends after its commit (the e-mails), as a real request would."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def test_signup_mails_a_link_that_confirms_the_address_and_logs_in(client, mailoutbox, committed):
    response = committed(
        client.post,
        reverse("signup") + "?next=/enterprises/new/",
        {"email": "New.Person@Example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == reverse("signup-sent")
    user = User.objects.get()
    assert user.email == "new.person@example.com" and not user.email_verified
    assert SESSION_KEY not in client.session  # nothing until the address is confirmed
    assert [m.to for m in mailoutbox] == [["new.person@example.com"]]

    confirmed = client.get(_link(mailoutbox[0]))
    assert confirmed.status_code == 302 and confirmed["Location"] == "/enterprises/new/"
    user.refresh_from_db()
    assert user.email_verified and client.session[SESSION_KEY] == str(user.pk)
    client.logout()
    assert client.get(_link(mailoutbox[0])).status_code == 400  # a link works once


def test_signup_with_a_taken_address_says_the_same_and_tells_its_owner(
    client, mailoutbox, committed
):
    """Sign-up reveals nothing about who has an account: the page is the same, and the owner of
    the address is told by e-mail instead."""
    owner = UserFactory(email="taken@example.com")
    response = committed(
        client.post,
        reverse("signup"),
        {"email": "TAKEN@example.com", "password1": PASSWORD + "9", "password2": PASSWORD + "9"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("signup-sent")
    assert User.objects.count() == 1
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # unchanged
    assert [m.to for m in mailoutbox] == [["taken@example.com"]]
    assert "already has an account" in mailoutbox[0].body


@pytest.mark.parametrize("password", ["timing9x", "password1234", "qwertyuiop12", "123456789012"])
def test_the_password_policy_wants_twelve_characters_and_nothing_common(client, password):
    response = client.post(
        reverse("signup"),
        {"email": "a@example.com", "password1": password, "password2": password},
    )
    assert "password2" in response.context["form"].errors
    assert not User.objects.exists()


def test_confirmation_mails_are_limited_per_address(client, mailoutbox, committed):
    data = {"email": "again@example.com", "password1": PASSWORD, "password2": PASSWORD}
    for _ in range(3):
        assert committed(client.post, reverse("signup"), data).status_code == 302
    refused = client.post(reverse("signup"), data)
    assert (
        refused.status_code == 200 and "Three e-mails were already sent" in refused.content.decode()
    )
    assert len(mailoutbox) == 3


def test_an_unconfirmed_account_is_reminded_and_can_ask_again(client, mailoutbox):
    user = UserFactory(email="later@example.com", email_verified_at=None)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("enterprises:list")).content.decode()
    assert "Confirm your e-mail address" in page
    client.post(reverse("verify-email-again"), {"next": reverse("enterprises:list")})
    assert [m.to for m in mailoutbox] == [["later@example.com"]]
    client.get(_link(mailoutbox[0]))
    user.refresh_from_db()
    assert user.email_verified


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "", "password1": PASSWORD, "password2": PASSWORD}, "email"),
        ({"email": "not-an-email", "password1": PASSWORD, "password2": PASSWORD}, "email"),
        ({"email": "a@example.com", "password1": "123", "password2": "123"}, "password2"),
        ({"email": "a@example.com", "password1": "password", "password2": "password"}, "password2"),
        (
            {"email": "a@example.com", "password1": PASSWORD, "password2": PASSWORD + "x"},
            "password2",
        ),
        (
            {"email": "x" * 250 + "@example.com", "password1": PASSWORD, "password2": PASSWORD},
            "email",
        ),
    ],
)
def test_signup_rejects_bad_input_with_a_field_error(client, data, field):
    response = client.post(reverse("signup"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.exists()


def test_login_with_email_any_case(client):
    user = UserFactory(email="mixed@example.com")
    response = _login(client, "MIXED@example.com", PASSWORD)
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)


def test_login_rotates_the_session_key(client):
    UserFactory(email="rotate@example.com")
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    _login(client, "rotate@example.com", PASSWORD)
    assert client.session.session_key != before


def _fail(client, email, times, **extra):
    for _ in range(times):
        response = _login(client, email, "wrong-password", **extra)
    return response


ATTACKER = {"REMOTE_ADDR": "10.0.0.66"}
OWNER = {"REMOTE_ADDR": "192.0.2.9"}


def test_five_failures_lock_the_address_from_that_client_only(client):
    """Anyone could type someone else's address five times: that must not lock its owner out."""
    UserFactory(email="target@example.com")
    response = _fail(client, "target@example.com", 5, **ATTACKER)
    assert response.status_code == 429 and b"15 minutes" in response.content
    locked = _login(client, "Target@Example.com", PASSWORD, **ATTACKER)
    assert locked.status_code == 429 and SESSION_KEY not in client.session
    assert _login(client, "target@example.com", PASSWORD, **OWNER).status_code == 302


def test_a_device_that_logged_in_before_is_never_locked(client):
    """Behind one office address everybody shares a client: the owner's own browser still gets
    in, recognised by the cookie its last log-in left."""
    UserFactory(email="target@example.com")
    assert _login(client, "target@example.com", PASSWORD, **ATTACKER).status_code == 302
    client.post(reverse("logout"))
    assert throttling.DEVICE_COOKIE in client.cookies
    device = client.cookies[throttling.DEVICE_COOKIE].value

    stranger = Client()
    assert _fail(stranger, "target@example.com", 5, **ATTACKER).status_code == 429
    client.cookies[throttling.DEVICE_COOKIE] = device
    assert _login(client, "target@example.com", PASSWORD, **ATTACKER).status_code == 302


def test_the_lock_page_offers_a_reset_and_a_completed_reset_unlocks(client, mailoutbox):
    user = UserFactory(email="target@example.com")
    locked = _fail(client, "target@example.com", 5, **OWNER)
    assert locked.status_code == 429 and reverse("password_reset").encode() in locked.content
    client.post(reverse("password_reset"), {"email": "target@example.com"}, **OWNER)
    reset_form = client.get(_link(mailoutbox[0]), follow=True, **OWNER)
    new = "a-new-long-passphrase-7"
    done = client.post(
        reset_form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}, **OWNER
    )
    assert done.status_code == 302
    assert _login(client, "target@example.com", new, **OWNER).status_code == 302
    user.refresh_from_db()
    assert user.email_verified  # the reset link proved the address too


def test_one_client_trying_many_addresses_is_stopped(client):
    """Spraying: a few wrong passwords for each of many accounts, from one client."""
    for n in range(20):
        UserFactory(email=f"person-{n}@example.com")
        _fail(client, f"person-{n}@example.com", 1, **ATTACKER)
    UserFactory(email="next@example.com")
    refused = _login(client, "next@example.com", PASSWORD, **ATTACKER)
    assert refused.status_code == 200
    assert "Too many failed log-ins came from your network" in refused.content.decode()
    assert _login(Client(), "next@example.com", PASSWORD, **OWNER).status_code == 302


def test_behind_the_tls_proxy_the_client_is_the_forwarded_address(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    UserFactory(email="target@example.com")
    proxy = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https"}
    attacker = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.1, 10.0.0.66"}
    owner = {**proxy, "HTTP_X_FORWARDED_FOR": "192.0.2.9"}
    assert _fail(client, "target@example.com", 5, **attacker).status_code == 429
    # the first address is whatever the client sent: it cannot dodge or move the lock
    spoofed = {**proxy, "HTTP_X_FORWARDED_FOR": "192.0.2.9, 10.0.0.66"}
    assert _login(client, "target@example.com", PASSWORD, **spoofed).status_code == 429
    assert _login(client, "target@example.com", PASSWORD, **owner).status_code == 302


def test_without_a_proxy_x_forwarded_for_changes_nothing(client):
    UserFactory(email="target@example.com")
    for n in range(5):
        _login(client, "target@example.com", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert _login(client, "target@example.com", PASSWORD).status_code == 429


def test_four_failures_do_not_lock_and_a_success_resets_the_count(client):
    UserFactory(email="careful@example.com")
    for _ in range(4):
        _login(client, "careful@example.com", "wrong")
    assert _login(client, "careful@example.com", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "careful@example.com", "wrong")
    assert _login(client, "careful@example.com", PASSWORD).status_code == 302


def test_the_lock_expires_after_15_minutes(client, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    UserFactory(email="patient@example.com")
    for _ in range(5):
        _login(client, "patient@example.com", "wrong")
    assert _login(client, "patient@example.com", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _login(client, "patient@example.com", PASSWORD).status_code == 302


def test_logout_is_post_only_and_ends_the_session(client):
    user = UserFactory()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("logout")).status_code == 405
    assert SESSION_KEY in client.session
    client.post(reverse("logout"))
    assert SESSION_KEY not in client.session


def test_password_reset_sends_a_mail_for_a_known_address_only(client, mailoutbox):
    UserFactory(email="forgetful@example.com")
    client.post(reverse("password_reset"), {"email": "forgetful@example.com"})
    client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert [m.to for m in mailoutbox] == [["forgetful@example.com"]]
    assert "/accounts/reset/" in mailoutbox[0].body


def test_reset_mails_are_limited_to_three_an_hour_per_address(client, mailoutbox):
    UserFactory(email="forgetful@example.com")
    for _ in range(3):
        client.post(reverse("password_reset"), {"email": "forgetful@example.com"})
    refused = client.post(reverse("password_reset"), {"email": "Forgetful@example.com"})
    assert "Three e-mails were already sent" in refused.content.decode()
    assert len(mailoutbox) == 3


def test_password_change_needs_the_old_password(client):
    user = UserFactory()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "n3w-Passw0rd!",
            "new_password2": "n3w-Passw0rd!",
        },
    )
    assert "old_password" in response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_pages_need_a_login(client):
    response = client.get(reverse("enterprises:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
