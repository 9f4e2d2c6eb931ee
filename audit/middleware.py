"""Who and from where, for every entry written while a request is served."""

from __future__ import annotations

import uuid

from auditlog.cid import correlation_id
from auditlog.context import auditlog_value, set_extra_data
from auditlog.middleware import AuditlogMiddleware

from audit.models import USER_AGENT_LENGTH
from core.http import client_ip


class AuditTrailMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware with the app's own reading of the request.

    - the address is ``core.http.client_ip`` (behind the TLS proxy, the last X-Forwarded-For
      address, the one the proxy appended), not auditlog's first one, which the client chooses;
    - the User-Agent is recorded (trimmed to the column's 300 characters);
    - no port (auditlog reads it from a header the client controls);
    - each request gets its own correlation id, so the entries of one form post belong together
      (auditlog would take it from a request header).

    Entries written outside a request (Celery workers, management commands) have no actor: the
    trail shows them as the system.
    """

    def get_extra_data(self, request) -> dict:
        return {
            "actor": self._get_actor(request),
            "remote_addr": client_ip(request) or None,
            "remote_port": None,
            "user_agent": request.headers.get("User-Agent", "")[:USER_AGENT_LENGTH],
        }

    def __call__(self, request):
        token = correlation_id.set(uuid.uuid4().hex)
        try:
            with set_extra_data(context_data=self.get_extra_data(request)):
                return self.get_response(request)
        finally:
            correlation_id.reset(token)


def attribute_to(user) -> None:
    """Entries written for the rest of this request are by ``user``: for a request whose person
    is known only after this middleware ran (the API's bearer tokens)."""
    context = auditlog_value.get(None)
    if context is not None and context.get("actor") is None:
        context["actor"] = user
