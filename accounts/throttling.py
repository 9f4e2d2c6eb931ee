"""django-axes hooks: failures are counted per account, whatever the case of the e-mail."""

from django.http import HttpRequest


def username_from_request(request: HttpRequest, credentials: dict | None) -> str | None:
    value = (credentials or {}).get("username") or (credentials or {}).get("email")
    if value is None and request is not None:
        value = request.POST.get("username")
    if not isinstance(value, str):
        return value
    # Axes stores it in a 255-character column: a longer "e-mail" (no account has one) would
    # make recording the failure itself fail on PostgreSQL.
    return value.strip().lower()[:255]
