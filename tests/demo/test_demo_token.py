"""``make run`` prints a read-and-write token for the demo owner (``demo_api_token``, made
once), and README's curl example works as written with it."""

import re
import shlex
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from api.models import Token
from demo.accounts import DEMO_API_TOKEN, DEMO_USER
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_demo_token_is_made_once_and_works_as_readme_says(client, settings):
    settings.DEBUG = True
    MembershipFactory(role="owner", user__email=DEMO_USER.email)
    out = StringIO()
    call_command("demo_api_token", stdout=out)
    call_command("demo_api_token", stdout=StringIO())
    assert DEMO_API_TOKEN in out.getvalue()
    token = Token.objects.get()
    assert token.scope == "write" and token.user.email == DEMO_USER.email
    line = next(
        line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith("curl ")
    )
    words = shlex.split(line)
    header = words[words.index("-H") + 1]
    url = words[-1]
    assert re.match(r"http://127\.0\.0\.1:8000/api/v1/", url)
    name, value = header.split(": ", 1)
    response = client.get(url.removeprefix("http://127.0.0.1:8000"), HTTP_AUTHORIZATION=value)
    assert name == "Authorization" and response.status_code == 200
    assert response.json()["count"] == 1


def test_the_demo_token_is_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_api_token")
