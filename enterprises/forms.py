from datetime import datetime, time

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import (
    Enterprise,
    InnovationDirection,
    OperationMode,
    Organisation,
    Platform,
    Role,
)
from enterprises.validators import normalize_credit_code


class IdsField(forms.ModelMultipleChoiceField):
    """Choices by integer id. Anything but a plain id is refused before the query: SQLite cannot
    bind an integer beyond 64 bits, and Django's ``pk__in`` passes it on (an OverflowError)."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not (text.isascii() and text.isdigit() and len(text) <= 18):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)


class EnterpriseForm(forms.ModelForm):
    # Longer than the code's 18 characters: a code pasted with spaces is accepted and normalized
    # (clean_credit_code); the model's validator then checks the 18 characters.
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=40,
        required=False,
        help_text=_("18 characters, optional; spaces and small letters are fine."),
    )
    operation_modes = IdsField(
        label=_("Operation modes"),
        queryset=OperationMode.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The paper's section 2.1: choose every mode the enterprise runs."),
    )
    innovation_directions = IdsField(
        label=_("Innovation directions pursued"),
        queryset=InnovationDirection.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The paper's Table 1."),
    )
    platforms = forms.MultipleChoiceField(
        label=_("Main platforms"),
        choices=Platform.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Enterprise
        fields = [
            "name",
            "credit_code",
            "operation_modes",
            "platforms",
            "platforms_other",
            "target_markets",
            "size_band",
            "founded_year",
            "province",
            "city",
            "innovation_directions",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit_code"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        )
        # Tick boxes in a scrolling list that static/js/market-filter.js filters as one types
        # (issue 15: a 250-line list to Ctrl-click); without JavaScript the list still works.
        markets = self.fields["target_markets"]
        markets.widget = forms.CheckboxSelectMultiple(choices=markets.choices)
        markets.label = _("Target markets (countries or regions)")
        markets.help_text = _("Tick every market you sell to; type in the search box to find one.")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Identity"), "name", "credit_code"),
            Fieldset(
                _("Business"),
                "operation_modes",
                "platforms",
                "platforms_other",
                Div(
                    "target_markets",
                    css_class="market-picker",
                    data_search_label=_("Search the markets"),
                    data_search_placeholder=_("Search, e.g. Germany"),
                    data_chosen_label=_("Ticked:"),
                    data_none_chosen=_("None ticked yet."),
                    data_no_match=_("No country or region matches."),
                ),
                "innovation_directions",
            ),
            Fieldset(
                _("Size and location"),
                Row(Column("size_band"), Column("founded_year")),
                Row(Column("province"), Column("city")),
            ),
        )
        self.helper.add_input(Submit("submit", _("Save")))

    def clean_credit_code(self) -> str | None:
        return normalize_credit_code(self.cleaned_data.get("credit_code")) or None

    def clean(self):
        cleaned = super().clean()
        if Platform.OTHER in (cleaned.get("platforms") or []) and not cleaned.get(
            "platforms_other"
        ):
            self.add_error("platforms_other", _("Name the other platforms."))
        return cleaned

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("email", css_class="col-md-7"), Column("role")))


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class GrantForm(forms.Form):
    """An owner shares chosen periods with a person or an organisation (PRODUCT.md section 10).
    ``periods`` are the enterprise's submitted periods: (key, human label), latest first."""

    PERSON, ORGANISATION = "person", "organisation"

    grantee = forms.ChoiceField(
        label=_("Share with"),
        choices=[(PERSON, _("a person (by e-mail address)")), (ORGANISATION, _("an organisation"))],
        initial=PERSON,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        help_text=_("They read the results once signed in with this address, confirmed."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("Choose an organisation"),
    )
    periods = forms.MultipleChoiceField(
        label=_("Periods"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Twelve months unless you choose another date."),
    )
    include_evidence = forms.BooleanField(
        label=_("Also share the evidence files"),
        required=False,
        help_text=_("Left unticked, the partner sees the scores and recommendations only."),
    )

    def __init__(self, *args, periods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["periods"].choices = periods
        if periods:
            self.fields["periods"].initial = [periods[0][0]]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        if day <= timezone.localdate():
            raise ValidationError(_("Choose a date in the future."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("grantee") == self.ORGANISATION:
            if not data.get("organisation"):
                self.add_error("organisation", _("Choose an organisation."))
            data["email"] = ""
        else:
            if not data.get("email"):
                self.add_error("email", _("Enter the person's e-mail address."))
            data["organisation"] = None
        return data

    def grant_data(self) -> dict:
        """What ``services.grant_create`` takes; the grant ends at the end of the chosen day."""
        data = self.cleaned_data
        end = datetime.combine(data["expires_on"], time.max)
        return {
            "email": data["email"],
            "organisation": data["organisation"],
            "periods": data["periods"],
            "include_evidence": data["include_evidence"],
            "expires_at": timezone.make_aware(end),
        }
