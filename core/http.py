"""What every app does the same way with requests and responses: the client's address, private
downloads and the end of htmx polling."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

HTMX_STOP_POLLING = 286  # htmx stops polling an element on this status


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


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or behind the project's TLS proxy
    (``DJANGO_BEHIND_TLS_PROXY``) the last address of X-Forwarded-For, the one that proxy
    appended (the ones before it are whatever the client sent). Login throttling, limits and the
    audit trail all ask here."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")
