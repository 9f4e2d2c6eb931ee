"""django-axes hooks: failures are counted per account, whatever the case of the e-mail."""

from django.http import HttpRequest


def username_from_request(request: HttpRequest, credentials: dict | None) -> str | None:
    value = (credentials or {}).get("username") or (credentials or {}).get("email")
    if value is None and request is not None:
        value = request.POST.get("username")
    return value.strip().lower() if isinstance(value, str) else value
