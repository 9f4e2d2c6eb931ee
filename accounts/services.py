"""Accounts: signing up without revealing who has an account, confirming an address, unlocking.

Every write to accounts goes through here; e-mail leaves through the mail queue, rendered in the
language of the page the person used.
"""

from __future__ import annotations

from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from accounts.models import User
from accounts.tokens import email_verification_token
from core import limits
from core.mail import mail_send


def _mail(*, to: str, template: str, context: dict) -> None:
    """Subject on the first line of the template, the body below it."""
    subject, _sep, body = render_to_string(template, context).strip().partition("\n")
    mail_send(to=[to], subject=subject.strip(), body=body.strip() + "\n")


def verification_link(user: User, site: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = email_verification_token.make_token(user)
    return site.rstrip("/") + reverse("verify-email", args=[uid, token])


@transaction.atomic
def account_signup(*, email: str, password: str, full_name: str, site: str) -> None:
    """Create an account waiting for its address to be confirmed, and send the link; for an
    address that already has an account, tell its owner instead. The person signing up sees the
    same page either way, so sign-up reveals nothing about who has an account here."""
    email = User.objects.normalize_email(email).lower()
    if not limits.spend(limits.SIGNUP_MAILS, email):
        raise ValidationError(limits.SIGNUP_MAILS.message)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        context = {"user": existing, "login": site.rstrip("/") + reverse("login"),
                   "reset": site.rstrip("/") + reverse("password_reset")}  # fmt: skip
        transaction.on_commit(
            lambda: _mail(
                to=email, template="registration/email/already_registered.txt", context=context
            )
        )
        return
    user = User.objects.create_user(
        email, password, full_name=full_name, language=translation.get_language() or ""
    )
    link = verification_link(user, site)
    transaction.on_commit(
        lambda: _mail(to=email, template="registration/email/verify.txt", context={"link": link})
    )


def account_set_language(*, user: User, language: str) -> None:
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def account_update(*, user: User, full_name: str, language: str, reminders_off: list[str]) -> None:
    """The account page: name, language, and the kinds of reminder the person turned off."""
    user.full_name = full_name
    user.language = language
    user.reminders_off = sorted(set(reminders_off))
    user.save(update_fields=["full_name", "language", "reminders_off"])


def verification_resend(*, user: User, site: str) -> None:
    if user.email_verified:
        return
    if not limits.spend(limits.SIGNUP_MAILS, user.email):
        raise ValidationError(limits.SIGNUP_MAILS.message)
    link = verification_link(user, site)
    _mail(to=user.email, template="registration/email/verify.txt", context={"link": link})


def email_verify(*, uidb64: str, token: str) -> User | None:
    """The account whose link this is, now confirmed; None for a link that is wrong, used or old."""
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, OverflowError, User.DoesNotExist):
        return None
    if not email_verification_token.check_token(user, token):
        return None
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    return user


def account_address_proven(*, user: User) -> None:
    """The person used a link sent to the address (a completed password reset): the address
    counts as confirmed, and every log-in lock on it ends, whoever caused it."""
    if not user.email_verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    axes_reset(username=user.email.lower())
