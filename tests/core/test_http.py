"""The client's address, read the one way every part of the app reads it."""

import pytest
from django.test import RequestFactory, override_settings

from core.http import client_ip

PROXY = ("HTTP_X_FORWARDED_PROTO", "https")  # DJANGO_BEHIND_TLS_PROXY


def _request(**meta):
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"REMOTE_ADDR": "203.0.113.7"}, "203.0.113.7"),
        ({"REMOTE_ADDR": "2001:db8::1"}, "2001:db8::1"),
        # without the proxy, X-Forwarded-For is whatever the client typed: ignored
        ({"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "10.0.0.1"}, "203.0.113.7"),
        ({"REMOTE_ADDR": "not an address"}, ""),
        ({"REMOTE_ADDR": ""}, ""),
    ],
)
def test_client_ip_directly(meta, expected):
    assert client_ip(_request(**meta)) == expected


@override_settings(SECURE_PROXY_SSL_HEADER=PROXY)
@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.9", "198.51.100.9"),
        # the client sent a first address of its choosing; the proxy appended the real one
        ("1.2.3.4, 198.51.100.9", "198.51.100.9"),
        ("1.2.3.4,198.51.100.9 ", "198.51.100.9"),
        ("", "10.0.0.2"),  # no header: the proxy's own address is all there is
        ("1.2.3.4, garbage", ""),
    ],
)
def test_client_ip_behind_the_proxy_is_the_last_forwarded_address(forwarded, expected):
    request = _request(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
