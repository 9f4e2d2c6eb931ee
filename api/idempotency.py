"""``Idempotency-Key``: a write sent again with the same key and the same request gets the first
answer again (``Idempotent-Replayed: true``) and changes nothing; the same key with another
request is refused (422). Kept in the database (``api.IdempotencyKey``), per person.

The write and the key's row commit together; only a successful answer is kept, so a request
refused for its input can be corrected and sent again with the same key. Two copies sent at once:
the second waits on the first's row (the unique constraint) and answers as the first did.
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from api.models import IdempotencyKey

HEADER = "Idempotency-Key"


def fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(found: IdempotencyKey, print_: str) -> Response:
    if found.fingerprint != print_:
        return Response(
            {HEADER: [_("This key was used for another request: use a new key.")]},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    return Response(found.body, status=found.status, headers={"Idempotent-Replayed": "true"})


def idempotent(handler):
    """Wrap a view method that writes."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            with transaction.atomic():
                return handler(view, request, *args, **kwargs)
        if not 0 < len(key) <= 200 or not key.isprintable():
            return Response(
                {HEADER: [_("At most 200 printable characters.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        print_ = fingerprint(request)
        user = request.user
        found = IdempotencyKey.objects.filter(user=user, key=key).first()
        if found is not None:
            return _replay(found, print_)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    IdempotencyKey.objects.create(
                        user=user,
                        key=key,
                        fingerprint=print_,
                        status=response.status_code,
                        body=response.data,
                    )
                else:
                    transaction.set_rollback(True)
            if not 200 <= response.status_code < 300:
                found = IdempotencyKey.objects.filter(user=user, key=key).first()
                return response if found is None else _replay(found, print_)
            return response
        except Exception:  # an IntegrityError on the key: a copy sent at once committed first
            found = IdempotencyKey.objects.filter(user=user, key=key).first()
            if found is None:
                raise
            return _replay(found, print_)

    return wrapper
