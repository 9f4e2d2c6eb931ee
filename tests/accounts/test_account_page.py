"""The account page: name, language and which reminder e-mails a person receives."""

import pytest
from django.urls import reverse

from accounts.models import Reminder
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("account"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_every_reminder_is_on_until_turned_off(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("account")).content.decode()
    for kind in Reminder:
        assert f'value="{kind.value}"' in page
        assert user.wants(kind)


def test_turning_a_reminder_off_is_kept_and_shown(client):
    user = UserFactory(full_name="Li Hua")
    client.force_login(user)
    response = client.post(
        reverse("account"),
        {
            "full_name": "Li Hua",
            "language": "zh-hans",
            "reminders": [Reminder.PLAN_WEEK_BEFORE, Reminder.PLAN_DUE_DAY],
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.reminders_off == [Reminder.PROGRAMME]
    assert not user.wants(Reminder.PROGRAMME) and user.wants(Reminder.PLAN_DUE_DAY)
    assert user.language == "zh-hans"
    assert response.cookies["django_language"].value == "zh-hans"


def test_a_control_character_in_the_name_is_refused(client):
    user = UserFactory(full_name="Li Hua")
    client.force_login(user)
    response = client.post(
        reverse("account"), {"full_name": "Li\x00Hua", "language": "en", "reminders": []}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["full_name"]
    user.refresh_from_db()
    assert user.full_name == "Li Hua"
