"""Webhooks: an owner registers an HTTPS address; each event becomes a signed delivery, sent by
a task on the mail queue, retried with backoff, and kept with its response code.

Signature: the header ``X-CBEC-Signature: t=<unix seconds>,v1=<hex>`` where the hex is
HMAC-SHA256 with the webhook's secret over ``f"{t}.{body}"`` (the exact bytes sent). A receiver
recomputes it and refuses a timestamp older than a few minutes.

Never to loopback, link-local or private addresses: the host is resolved right before each
attempt, every address it resolves to must be global, and the connection goes to the address
that was checked (so a second lookup cannot swap it). Only ``WEBHOOKS_ALLOW_PRIVATE`` (tests
with a local receiver, refused by the settings without debug) lifts this, and plain http with it.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import Delivery, Webhook
from core import dispatch

DELIVER = "api.tasks.deliver_webhook"
RUN_SUCCEEDED = "run.succeeded"
RUN_FAILED = "run.failed"
RESULT_VERIFIED = "result.verified"
EVENTS = (RUN_SUCCEEDED, RUN_FAILED, RESULT_VERIFIED)
SIGNATURE_HEADER = "X-CBEC-Signature"
TIMEOUT_SECONDS = 10


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def _forbidden(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def resolve_public(url: str) -> tuple[str, int, str]:
    """(scheme, port, address to connect to) for ``url``, or ValidationError: not https, or a
    host that resolves to any loopback, link-local, private or otherwise non-global address."""
    parts = urlsplit(url)
    allow_private = settings.WEBHOOKS_ALLOW_PRIVATE
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        raise ValidationError({"url": _("The address must start with https://.")})
    if not parts.hostname or parts.username or parts.password:
        raise ValidationError({"url": _("The address needs a host name, without a password.")})
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise ValidationError({"url": _("The address's port is not valid.")}) from None
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise ValidationError({"url": _("The address's host name does not resolve.")}) from None
    addresses = [info[4][0] for info in found]
    if not addresses:
        raise ValidationError({"url": _("The address's host name does not resolve.")})
    if not allow_private and any(_forbidden(address) for address in addresses):
        raise ValidationError(
            {"url": _("Webhooks are never sent to loopback, link-local or private addresses.")}
        )
    return parts.scheme, port, addresses[0]


@transaction.atomic
def webhook_create(*, enterprise, user, url: str, events: list[str] | None = None) -> Webhook:
    """Register an address (checked now and again before every delivery); the secret is on the
    returned object and is shown once."""
    events = list(events or EVENTS)
    unknown = [event for event in events if event not in EVENTS]
    if unknown or not events:
        raise ValidationError(
            {"events": _("Choose among: %(events)s.") % {"events": ", ".join(EVENTS)}}
        )
    resolve_public(url)
    return Webhook.objects.create(
        enterprise=enterprise,
        url=url,
        secret=secrets.token_hex(32),
        events=sorted(set(events)),
        created_by=user,
    )


def webhook_delete(*, webhook: Webhook) -> None:
    webhook.delete()


def webhooks_notify(*, enterprise_id: int, event: str, data: dict) -> list[Delivery]:
    """A delivery for each active webhook of the enterprise that listens to ``event``, each
    sent by the mail queue once this transaction commits."""
    assert event in EVENTS, event
    deliveries = []
    for webhook in Webhook.objects.filter(enterprise_id=enterprise_id, active=True):
        if event not in webhook.events:
            continue
        delivery = Delivery.objects.create(
            webhook=webhook,
            event=event,
            payload={
                "event": event,
                "created": timezone.now().isoformat(),
                "enterprise": enterprise_id,
                "data": data,
            },
        )
        deliveries.append(delivery)
        transaction.on_commit(lambda pk=delivery.pk: dispatch.send(DELIVER, pk), robust=True)
    return deliveries


def run_event(*, run) -> None:
    """``run.succeeded`` or ``run.failed`` for a run that has just ended."""
    event = RUN_SUCCEEDED if run.status == "succeeded" else RUN_FAILED
    webhooks_notify(
        enterprise_id=run.enterprise_id,
        event=event,
        data={
            "run": run.pk,
            "assessment": run.assessment_id,
            "year": run.year,
            "quarter": run.quarter,
            "status": run.status,
            "overall": run.overall,
            "grade": run.grade or None,
            "scheme": run.scheme_slug,
            "scheme_version": run.scheme_version,
        },
    )


def result_verified(*, enterprise_id: int, run_id: int, year: int, quarter: int, by: str) -> None:
    """``result.verified``: for the verification work to call (or connect to a signal) once a
    result is verified; ``by`` names the organisation (or "platform")."""
    webhooks_notify(
        enterprise_id=enterprise_id,
        event=RESULT_VERIFIED,
        data={"run": run_id, "year": year, "quarter": quarter, "verified_by": by},
    )


class _Pinned:
    """An HTTP(S) connection to the address that was checked, with the URL's host name for
    the Host header and TLS (certificate and SNI)."""

    @staticmethod
    def connection(scheme: str, host: str, port: int, address: str):
        if scheme == "https":
            context = ssl.create_default_context()

            class Connection(http.client.HTTPSConnection):
                def connect(self):
                    sock = socket.create_connection((address, port), self.timeout)
                    self.sock = context.wrap_socket(sock, server_hostname=host)

            return Connection(host, port, timeout=TIMEOUT_SECONDS, context=context)

        class Plain(http.client.HTTPConnection):
            def connect(self):
                self.sock = socket.create_connection((address, port), self.timeout)

        return Plain(host, port, timeout=TIMEOUT_SECONDS)


def delivery_attempt(*, delivery_id: int) -> float | None:
    """Send one delivery once. Returns the seconds to wait before the next attempt, or None
    when it is done (delivered, failed for good, or gone)."""
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("webhook")
            .filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.save(update_fields=["attempts", "last_attempt_at"])
    webhook = delivery.webhook
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time())
    code, error = None, ""
    try:
        scheme, port, address = resolve_public(webhook.url)
        parts = urlsplit(webhook.url)
        connection = _Pinned.connection(scheme, parts.hostname, port, address)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            connection.request(
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "cbec-sustainability-webhooks/1",
                    SIGNATURE_HEADER: signature_header(webhook.secret, timestamp, body),
                    "X-CBEC-Event": delivery.event,
                    "X-CBEC-Delivery": str(delivery.pk),
                },
            )
            code = connection.getresponse().status
        finally:
            connection.close()
    except ValidationError as refused:
        error = " ".join(refused.messages)
        _finish(delivery, Delivery.Status.FAILED, None, error)  # never retried: refused
        return None
    except (OSError, http.client.HTTPException) as failed:
        error = f"{type(failed).__name__}: {failed}"
    if code is not None and 200 <= code < 300:
        _finish(delivery, Delivery.Status.DELIVERED, code, "")
        return None
    if error == "":
        error = _("The receiver answered %(code)s.") % {"code": code}
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        _finish(delivery, Delivery.Status.FAILED, code, error)
        return None
    _finish(delivery, Delivery.Status.PENDING, code, error)
    return settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1)


def _finish(delivery: Delivery, status: str, code: int | None, error: str) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, response_code=code, error=error[:500]
    )


def delivery_retry(*, delivery_id: int, countdown: float) -> None:
    dispatch.send(DELIVER, delivery_id, countdown=countdown)
