from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enterprises.models import (
    Enterprise,
    InnovationDirection,
    OperationMode,
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
