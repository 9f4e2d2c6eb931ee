"""Log-in throttling (django-axes' hooks): a lock holds for one address from one client, so
nobody can lock another person out by typing their address elsewhere; a device the person
logged in from before is not locked at all.

- ``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]``: five failures for an address from
  one client lock that pair for 15 minutes;
- ``AXES_CLIENT_IP_CALLABLE``: the client as ``core.http.client_ip`` sees it (the forwarded
  address behind the TLS proxy, or every user would share the proxy's);
- ``AXES_WHITELIST_CALLABLE``: a request carrying the known-device cookie of the very account it
  logs in to is never locked (set at each successful log-in, signed, HTTP-only);
- across many addresses, one client is limited by ``core.limits.LOGIN_FAILURES_PER_CLIENT``
  (``accounts.forms.LoginForm``).
"""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest, HttpResponse

DEVICE_COOKIE = "cbec_device"
DEVICE_SALT = "accounts.known-device"
DEVICE_SECONDS = 365 * 24 * 3600


def username_from_request(request: HttpRequest, credentials: dict | None) -> str | None:
    """The address tried, lower-case, whatever the form sent."""
    value = (credentials or {}).get("username") or (credentials or {}).get("email")
    if value is None and request is not None:
        value = request.POST.get("username")
    if not isinstance(value, str):
        return value
    # Axes stores it in a 255-character column: a longer "e-mail" (no account has one) would
    # make recording the failure itself fail on PostgreSQL.
    return value.strip().lower()[:255]


def remember_device(response: HttpResponse, request: HttpRequest, email: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        email.lower(),
        salt=DEVICE_SALT,
        max_age=DEVICE_SECONDS,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def known_device(request: HttpRequest | None, credentials: dict | None) -> bool:
    """Has this browser logged in to the account it now tries before?"""
    if request is None:
        return False
    try:
        email = request.get_signed_cookie(DEVICE_COOKIE, salt=DEVICE_SALT, max_age=DEVICE_SECONDS)
    except (KeyError, signing.BadSignature):
        return False
    return email == username_from_request(request, credentials)
