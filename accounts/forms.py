"""Sign-up, log-in and password-reset forms, with the limits that keep them from being abused."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from accounts import services, throttling
from accounts.models import Reminder, User
from core import limits
from core.http import client_ip
from core.mail import mail_send
from core.validators import validate_single_line


class SignupForm(forms.Form):
    """E-mail and password, checked by Django's password validators. Whether the address has an
    account already is not this form's business: ``services.account_signup`` handles it without
    saying so."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    full_name = forms.CharField(
        label=_("Full name"), max_length=150, required=False, validators=[validate_single_line]
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Enter the same password as before, for verification."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autofocus": True, "autocomplete": "email"})
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).lower()

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two password fields didn’t match."))
        elif first:
            person = User(email=data.get("email", ""), full_name=data.get("full_name", ""))
            try:
                password_validation.validate_password(first, person)
            except ValidationError as error:
                self.add_error("password2", error)
        return data


class LoginForm(AuthenticationForm):
    """Django's log-in form, refused at once when one network has failed too often across many
    addresses (spraying); the lock per address and network is django-axes'."""

    def clean(self):
        device_known = throttling.known_device(self.request, self.data)
        client = client_ip(self.request)
        if not device_known and limits.reached(limits.LOGIN_FAILURES_PER_CLIENT, client):
            raise ValidationError(limits.LOGIN_FAILURES_PER_CLIENT.message, code="throttled")
        try:
            return super().clean()
        except ValidationError as error:
            if error.code == "invalid_login" and not device_known:
                limits.spend(limits.LOGIN_FAILURES_PER_CLIENT, client)
            raise


class ResetForm(PasswordResetForm):
    """At most three reset e-mails an hour per address; the e-mail leaves by the mail queue."""

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if not limits.spend(limits.RESET_MAILS, email):
            raise ValidationError(limits.RESET_MAILS.message, code="throttled")
        return email

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        mail_send(
            to=[to_email], subject=subject, body=render_to_string(email_template_name, context)
        )


class NewPasswordForm(SetPasswordForm):
    """Choosing a new password from the e-mailed link proves the person holds the address: the
    address counts as confirmed and every log-in lock on it ends."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        services.account_address_proven(user=user)
        return user


class AccountForm(forms.Form):
    """The account page: a person's name, language and which reminders they receive."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, required=False, validators=[validate_single_line]
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    reminders = forms.MultipleChoiceField(
        label=_("Reminder e-mails I receive"),
        choices=Reminder.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick a kind to stop it. E-mails about something you did are always sent."),
    )

    @classmethod
    def for_user(cls, user, data=None) -> AccountForm:
        initial = {
            "full_name": user.full_name,
            "language": user.language or settings.LANGUAGE_CODE,
            "reminders": [kind for kind in Reminder.values if user.wants(kind)],
        }
        return cls(data, initial=initial)

    def reminders_off(self) -> list[str]:
        wanted = set(self.cleaned_data["reminders"])
        return [kind for kind in Reminder.values if kind not in wanted]
