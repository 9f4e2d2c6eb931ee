"""Refusing a request body that is too large before any of it is read.

Django checks an uploaded file's size only after it has spooled the whole body to disk (a 300 MB
upload was written out before "larger than 10 MB"). This middleware answers 413 from the
``Content-Length`` header alone; the reverse proxy in front must refuse the same size (README,
Deploying), so a body without a length never reaches the application either.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class RequestBodyLimitMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BODY_BYTES:
            response = render(
                request,
                "413.html",
                {"limit_mb": settings.MAX_REQUEST_BODY_BYTES // (1024 * 1024)},
                status=413,
            )
            response["Connection"] = "close"  # the unread body is not worth reading
            return response
        return self.get_response(request)
