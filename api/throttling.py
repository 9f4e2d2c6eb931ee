"""A rate per token (``API_RATE``), or per address for a request without one."""

from rest_framework.throttling import SimpleRateThrottle

from api.models import Token


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_cache_key(self, request, view) -> str:
        if isinstance(request.auth, Token):
            return self.cache_format % {"scope": self.scope, "ident": f"t{request.auth.pk}"}
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
