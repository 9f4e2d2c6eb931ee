"""The trail's filters: kind of object, person, date range (and, for staff, the enterprise)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import trail
from audit.models import LogEntry

SYSTEM = "system"
MAX_ID = 2**63 - 1  # a larger number is no id, and SQLite could not even bind it


class TrailFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    person = forms.ChoiceField(label=_("Changed by"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    enterprise = forms.IntegerField(
        label=_("Enterprise (id)"), required=False, min_value=1, max_value=MAX_ID
    )

    def __init__(self, *args, entries: QuerySet[LogEntry], staff: bool = False, **kwargs):
        """``entries``: what the reader may see, before filtering (the person choices)."""
        super().__init__(*args, **kwargs)
        self.entries = entries
        self.fields["kind"].choices = [
            ("", _("All")),
            *trail.kind_choices(enterprise_only=not staff),
        ]
        self.fields["person"].choices = [
            ("", _("Everyone")),
            (SYSTEM, _("System (background work)")),
            *((str(user.pk), user.get_short_name()) for user in trail.people(entries)),
        ]
        columns = [Column("kind"), Column("person"), Column("date_from"), Column("date_to")]
        if staff:
            columns.append(Column("enterprise"))
        else:
            del self.fields["enterprise"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Row(*columns))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filtered(self) -> QuerySet[LogEntry]:
        """The entries the valid filters select (all of them while a filter is invalid)."""
        entries = self.entries
        if not self.is_bound or not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["kind"]:
            app_label, model = data["kind"].split(".")
            entries = entries.filter(content_type__app_label=app_label, content_type__model=model)
        if data["person"] == SYSTEM:
            entries = entries.filter(actor__isnull=True, actor_email__isnull=True)
        elif data["person"]:
            entries = entries.filter(actor_id=int(data["person"]))
        if data["date_from"]:
            entries = entries.filter(timestamp__gte=_day_start(data["date_from"]))
        if data["date_to"] and data["date_to"] < date.max:
            entries = entries.filter(timestamp__lt=_day_start(data["date_to"] + timedelta(1)))
        if data.get("enterprise"):
            entries = entries.filter(enterprise_id=data["enterprise"])
        return entries


def _day_start(day) -> datetime:
    """Midnight at the start of ``day`` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))
