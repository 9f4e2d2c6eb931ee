"""Forms of the programmes app: validation and layout only; the services decide."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line
from enterprises.forms import IdsField
from enterprises.models import OperationMode, OrgRole
from evaluations.models import WeightScheme
from evaluations.models.assessments import FIRST_YEAR, LAST_YEAR, period_label
from programmes.models import MAX_PERIODS, parse_period

LIST_MAX_BYTES = 2 * 1024 * 1024  # an invitation list of thousands of rows is far smaller
IMPORT_MAX_BYTES = 5 * 1024 * 1024  # 1,000 rows of indicator values take about 100 KB


class OrgInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=OrgRole.choices, initial=OrgRole.VIEWER)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("email", css_class="col-md-7"), Column("role")))


class OrgRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=OrgRole.choices)


def period_choices() -> list[tuple[str, str]]:
    """The quarters a programme may ask for: from two years back to two years ahead."""
    year = timezone.localdate().year
    return [
        (f"{y}Q{q}", period_label(y, q))
        for y in range(max(FIRST_YEAR, year - 2), min(LAST_YEAR, year + 2) + 1)
        for q in (1, 2, 3, 4)
    ]


class ReminderDaysField(forms.CharField):
    """ "-7, 0, 7": days from the deadline."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text.strip():
            return []
        days = []
        for part in text.replace("，", ",").split(","):
            part = part.strip().replace("−", "-")
            try:
                days.append(int(part))
            except ValueError:
                raise ValidationError(
                    _("Write whole numbers of days separated by commas, e.g. -7, 0, 7.")
                ) from None
        return days

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(day) for day in value)
        return value


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, validators=[validate_single_line])
    scheme = forms.ModelChoiceField(
        label=_("Weight scheme"),
        queryset=WeightScheme.objects.filter(status=WeightScheme.Status.PUBLISHED),
        help_text=_("Every figure of the programme is shown under this scheme version."),
    )
    periods = forms.MultipleChoiceField(
        label=_("Periods asked for"),
        choices=period_choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "period-choices"}),
    )
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    reminder_days = ReminderDaysField(
        label=_("Reminders (days from the deadline)"),
        required=False,
        initial="-7, 0, 7",
        help_text=_(
            "Enterprises that have not submitted are reminded on these days: -7 is a week "
            "before the deadline, 0 the day itself, 7 a week after. Leave empty for none."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "scheme" not in self.initial:
            default = self.fields["scheme"].queryset.filter(is_default=True).first()
            self.initial["scheme"] = default.pk if default else None
        self.fields["scheme"].label_from_instance = lambda scheme: scheme.label
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "name",
            "scheme",
            "periods",
            Row(Column("deadline"), Column("reminder_days")),
        )

    def clean_periods(self):
        periods = self.cleaned_data["periods"]
        if len(periods) > MAX_PERIODS:
            raise ValidationError(
                _("A programme asks for at most %(n)d periods.") % {"n": MAX_PERIODS}
            )
        return sorted(periods, key=parse_period)

    def programme_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class InviteeForm(forms.Form):
    name = forms.CharField(label=_("Enterprise name"), max_length=200)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        required=False,
        help_text=_("If the enterprise is registered here, its owners see the invitation."),
    )
    email = forms.EmailField(label=_("Contact e-mail address"), max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit_code"].widget.attrs.update({"autocomplete": "off"})
        self.helper = FormHelper()
        self.helper.form_tag = False


class _UploadForm(forms.Form):
    max_bytes = LIST_MAX_BYTES
    suffixes = (".xlsx", ".csv")

    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith(self.suffixes):
            raise ValidationError(self.wrong_type)
        if upload.size > self.max_bytes:
            raise ValidationError(
                _("The file is larger than %(mb)d MB; this upload takes at most %(mb)d MB.")
                % {"mb": self.max_bytes // (1024 * 1024)}
            )
        return upload


class InviteeListForm(_UploadForm):
    wrong_type = _("Upload an XLSX or CSV file.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("A list of enterprises (XLSX or CSV)")
        self.fields["file"].help_text = _(
            "Three columns: the enterprise's name, its unified social credit code (may be "
            "empty) and the contact's e-mail address; a first row of headings is skipped."
        )
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"


class ImportForm(_UploadForm):
    max_bytes = IMPORT_MAX_BYTES
    suffixes = (".xlsx",)
    wrong_type = _("Upload the XLSX template of this programme, filled in.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("The filled-in template (XLSX)")
        self.fields["file"].widget.attrs["accept"] = ".xlsx"


class PeriodChoiceForm(forms.Form):
    """Which of the programme's periods a page shows (GET)."""

    period = forms.ChoiceField(label=_("Period"))

    def __init__(self, *args, periods: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [(key, period_label(*parse_period(key))) for key in periods]


class JoinForm(forms.Form):
    """The owner's consent, with evidence only if ticked; a contact without a profile chooses
    an enterprise they own or makes its profile now."""

    NEW = "new"

    include_evidence = forms.BooleanField(
        label=_("Also share the evidence files of these periods"),
        required=False,
        help_text=_("Without this tick the organisation reads the results but not the files."),
    )
    enterprise = forms.ChoiceField(label=_("Join with"), required=False)
    operation_modes = IdsField(
        label=_("Operation modes"),
        queryset=OperationMode.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "For the new profile: every mode the enterprise runs (the paper's section 2.1)."
        ),
    )

    def __init__(self, *args, invitee, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.invitee = invitee
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.owned = {str(e.pk): e for e in choices}
        if invitee.enterprise_id is not None:
            del self.fields["enterprise"]
            del self.fields["operation_modes"]
        else:
            self.fields["enterprise"].choices = [
                (self.NEW, _("A new profile: %(name)s") % {"name": invitee.name}),
                *[(pk, e.name) for pk, e in self.owned.items()],
            ]
            self.fields["enterprise"].initial = self.NEW
            if not self.owned:
                self.fields["enterprise"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        if self.invitee.enterprise_id is None:
            chosen = cleaned.get("enterprise") or self.NEW
            if chosen == self.NEW:
                cleaned["chosen"] = None
                if not cleaned.get("operation_modes"):
                    self.add_error("operation_modes", _("Choose at least one operation mode."))
            elif chosen in self.owned:
                cleaned["chosen"] = self.owned[chosen]
            else:
                self.add_error("enterprise", _("Choose an enterprise you own."))
        return cleaned
