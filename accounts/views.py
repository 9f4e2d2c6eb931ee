"""Account pages: sign-up with a confirmed address, log-in, the password reset.

Each view's docstring states its access rule."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST

from accounts import services, throttling
from accounts.forms import AccountForm, LoginForm, NewPasswordForm, ResetForm, SignupForm
from core.forms import add_service_error

NEXT_KEY = "after_verification"  # where to go once the address is confirmed


def _safe_next(request: HttpRequest) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return next_url
    return ""


@login_not_required
def signup(request: HttpRequest) -> HttpResponse:
    """Public. Creates an account whose address is confirmed by an e-mailed link; the page says
    the same whether or not the address has an account, and ``next`` survives the round trip."""
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return _go_on(next_url)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_signup(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                full_name=form.cleaned_data["full_name"],
                site=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            request.session[NEXT_KEY] = next_url
            request.session["signup_email"] = form.cleaned_data["email"]
            return redirect("signup-sent")
    return render(request, "registration/signup.html", {"form": form, "next": next_url})


@login_not_required
def signup_sent(request: HttpRequest) -> HttpResponse:
    """Public: check your inbox."""
    return render(
        request, "registration/signup_sent.html", {"email": request.session.get("signup_email")}
    )


@login_not_required
def verify_email(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Public: the link from the e-mail confirms the address and logs the person in."""
    user = services.email_verify(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "registration/verify_invalid.html", status=400)
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your e-mail address is confirmed. Welcome!"))
    response = _go_on(next_url)
    _use_language(response, user)
    return response


@require_POST
def verification_resend(request: HttpRequest) -> HttpResponse:
    """Signed-in people: send the confirmation link again."""
    try:
        services.verification_resend(user=request.user, site=request.build_absolute_uri("/"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("We sent the link again to %(email)s.") % {"email": request.user.email}
        )
    return redirect(_safe_next(request) or "home")


def _go_on(next_url: str) -> HttpResponse:
    """``next`` is a URL, never a view name: redirect("0") would try to reverse it (a 500)."""
    return HttpResponseRedirect(next_url) if next_url else redirect("home")


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    """Public. A successful log-in marks this browser as a known device of the account, which
    no lock caused by others' failed attempts can shut out, and brings back the language the
    person chose."""

    form_class = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        throttling.remember_device(response, self.request, user.email)
        _use_language(response, user)
        return response


def _use_language(response: HttpResponse, user) -> None:
    if user.language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
        )


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Public: Django's language switch (it works on the log-in page too), remembered on the
    account of a person who is signed in."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.account_set_language(user=request.user, language=language)
    return response


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Public; at most three e-mails an hour to one address, sent by the mail queue."""

    form_class = ResetForm


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Public, with the e-mailed link: a new password also ends every log-in lock."""

    form_class = NewPasswordForm


def account(request: HttpRequest) -> HttpResponse:
    """Signed in: one's own account (name, language, reminders). Other pages add sections to it
    through ``accounts/account.html``'s includes."""
    form = AccountForm.for_user(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.account_update(
            user=request.user,
            full_name=form.cleaned_data["full_name"],
            language=form.cleaned_data["language"],
            reminders_off=form.reminders_off(),
        )
        messages.success(request, _("Your account is saved."))
        response = redirect("account")
        _use_language(response, request.user)
        return response
    return render(request, "accounts/account.html", {"form": form})
