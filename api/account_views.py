"""A person's API tokens, on their account (``/accounts/me/tokens/``): create (the secret shown
once), list, revoke. Only their own tokens exist for them: another's id is a 404."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.forms import TokenForm
from api.services import tokens
from core.forms import add_service_error

NEW_TOKEN = "api_new_token"  # the session key that carries a new secret to the next page, once


def token_list(request: HttpRequest) -> HttpResponse:
    """Signed in: one's own tokens; POST makes a new one, whose secret the next page shows this
    once (post, redirect, get: a reload never makes a second token)."""
    form = TokenForm(request.POST or None)
    created = request.session.pop(NEW_TOKEN, None) if request.method == "GET" else None
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(datetime.datetime.combine(expires_on, datetime.time.max))
            if expires_on
            else None
        )
        try:
            created = tokens.token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_at=expires_at,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            request.session[NEW_TOKEN] = {"name": created.token.name, "raw": created.raw}
            return redirect("api-tokens")
    response = render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": request.user.api_tokens.all(),
            "now": timezone.now(),
        },
    )
    response["Cache-Control"] = "private, no-store"  # the secret is on this page once
    return response


@require_POST
def token_revoke(request: HttpRequest, token_pk: int) -> HttpResponse:
    """Signed in: revoke one's own token at once."""
    token = get_object_or_404(request.user.api_tokens, pk=token_pk)
    tokens.token_revoke(token=token)
    messages.success(request, _("The token has been revoked."))
    return redirect("api-tokens")
