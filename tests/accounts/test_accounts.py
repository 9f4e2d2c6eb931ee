"""Sign-up, log-in throttling and log-out, through the real pages."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def test_signup_creates_the_account_and_logs_in(client):
    response = client.post(
        reverse("signup"),
        {"email": "New.Person@Example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "new.person@example.com"
    assert client.session[SESSION_KEY] == str(user.pk)


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


def test_signup_refuses_an_existing_address_whatever_its_case(client):
    UserFactory(email="taken@example.com")
    response = client.post(
        reverse("signup"),
        {"email": "TAKEN@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert "email" in response.context["form"].errors
    assert User.objects.count() == 1


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


def test_five_failures_lock_the_account_for_everyone(client):
    UserFactory(email="target@example.com")
    for attempt in range(5):
        response = _login(
            client, "target@example.com", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}"
        )
    assert response.status_code == 429
    assert b"15 minutes" in response.content
    # even the right password, from a "new" address, is refused while locked
    response = _login(client, "Target@Example.com", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.9")
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


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
