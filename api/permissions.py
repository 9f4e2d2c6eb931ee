"""Which token may do what: any active token reads; only a read-and-write token writes. What a
token reaches inside is exactly what its person reaches (``enterprises.access``, in the views)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from api.models import Token


class TokenScope(permissions.BasePermission):
    message = _("This token may only read: create one with the scope read and write.")

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, Token):
            return False  # no token: 401 (the Bearer challenge)
        return request.method in permissions.SAFE_METHODS or request.auth.can_write
