"""Requests and responses every app handles the same way: the client's address, private
downloads and the end of htmx polling."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

HTMX_STOP_POLLING = 286  # htmx stops polling an element on this status


def absolute_url(path: str) -> str:
    """``path`` on this site as a full address, for what is read away from a request (a PDF, a
    reminder e-mail): ``SITE_URL`` + ``path``."""
    return f"{settings.SITE_URL}{path}"


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, or "" when it is not a valid IP address.

    Directly: ``REMOTE_ADDR``. Behind the TLS proxy (``SECURE_PROXY_SSL_HEADER`` is set by
    ``DJANGO_BEHIND_TLS_PROXY``), ``REMOTE_ADDR`` is the proxy's own address, and the client's is
    the *last* one of ``X-Forwarded-For``: the one our proxy appended. Any earlier entry was sent
    by the client and may be anything it likes.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        address = forwarded or address
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return ""


def private_attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """A download that no shared cache may keep and no browser may sniff into something else."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def private_download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    return private_attachment(HttpResponse(content, content_type=content_type), filename)


def private_file(file, filename: str, content_type: str) -> FileResponse:
    """A stored file (opened here, closed by Django once sent) as a private download."""
    response = FileResponse(file.open("rb"), content_type=content_type)
    return private_attachment(response, filename)
