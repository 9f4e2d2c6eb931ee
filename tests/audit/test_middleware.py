"""From where: the client's address (the proxy's rule) and user agent are on every entry written
while serving a request; the entries of one request share its correlation id."""

import pytest
from django.test import override_settings
from django.urls import reverse

from audit.models import LogEntry
from enterprises.models import Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PROXY = ("HTTP_X_FORWARDED_PROTO", "https")  # DJANGO_BEHIND_TLS_PROXY
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def _change_role(client, enterprise, membership, **headers):
    url = reverse("enterprises:member-role", args=[enterprise.pk, membership.pk])
    return client.post(url, {"role": Role.EDITOR}, **headers)


def test_the_address_and_user_agent_are_recorded(enterprise, alice, bob, client_for):
    membership = bob.memberships.get()
    _change_role(
        client_for(alice),
        enterprise,
        membership,
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT=FIREFOX,
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    entry = LogEntry.objects.get_for_object(membership).latest("timestamp")
    assert (entry.actor, entry.remote_addr, entry.user_agent) == (alice, "203.0.113.7", FIREFOX)
    assert entry.remote_port is None


@override_settings(SECURE_PROXY_SSL_HEADER=PROXY)
def test_behind_the_proxy_the_address_it_appended_is_recorded(enterprise, alice, bob, client_for):
    membership = bob.memberships.get()
    _change_role(
        client_for(alice),
        enterprise,
        membership,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9",
        HTTP_X_FORWARDED_PROTO="https",
        secure=True,
    )
    entry = LogEntry.objects.get_for_object(membership).latest("timestamp")
    assert entry.remote_addr == "198.51.100.9"


def test_a_long_user_agent_is_trimmed(enterprise, alice, bob, client_for):
    membership = bob.memberships.get()
    _change_role(client_for(alice), enterprise, membership, HTTP_USER_AGENT="x" * 5000)
    entry = LogEntry.objects.get_for_object(membership).latest("timestamp")
    assert entry.user_agent == "x" * 300


def test_one_request_one_correlation_id_of_our_own(enterprise, alice, client_for):
    client_for(alice).post(
        reverse("enterprises:edit", args=[enterprise.pk]),
        {
            "name": "Renamed Co.",
            "operation_modes": [],  # refused: nothing is written ...
        },
    )
    assert not LogEntry.objects.filter(cid__isnull=False).exists()
    modes = list(enterprise.operation_modes.values_list("pk", flat=True))
    client_for(alice).post(
        reverse("enterprises:edit", args=[enterprise.pk]),
        {"name": "Renamed Co.", "operation_modes": modes, "innovation_directions": ["1"]},
        HTTP_X_CORRELATION_ID="chosen-by-the-client",
    )
    written = LogEntry.objects.filter(enterprise=enterprise, cid__isnull=False)
    assert written.count() == 2  # the profile, and its innovation directions
    assert len({entry.cid for entry in written}) == 1
    assert written.first().cid != "chosen-by-the-client"


def test_outside_a_request_there_is_no_actor_and_no_address(enterprise):
    membership = MembershipFactory(enterprise=enterprise)
    entry = LogEntry.objects.get_for_object(membership).get()
    assert (entry.actor, entry.remote_addr, entry.user_agent, entry.cid) == (None, None, "", None)
