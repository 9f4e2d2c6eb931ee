from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.forms import SignupForm


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    """Public. Creates the account and logs the person in; ``next`` survives the round trip."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if request.user.is_authenticated:
        return _go_on(next_url)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account has been created."))
        return _go_on(next_url)
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


def _go_on(next_url: str) -> HttpResponse:
    """``next`` is a URL, never a view name: redirect("0") would try to reverse it (a 500)."""
    return HttpResponseRedirect(next_url) if next_url else redirect("home")
