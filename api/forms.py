from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import Token


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What the token is for, e.g. the system that uses it."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"), choices=Token.Scope.choices, initial=Token.Scope.READ
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        help_text=_("Optional. Leave empty for a token that lasts until you revoke it."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
