"""Forms of the improvement plan: adding an item of a result's advice, and changing an action.

They check what a person can get wrong (a choice, a date); who may be an owner and which dates
are allowed are the service's rules (``services.plans``), shown at their field.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from evaluations import formatting
from evaluations.models import PlanAction
from evaluations.models.assessments import next_period

QUARTER_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


def members(enterprise):
    return User.objects.filter(memberships__enterprise=enterprise).order_by("full_name", "email")


def default_due_date(year: int, quarter: int) -> date:
    """The end of the period after the result's: the next result shows what the action did.
    For an old result whose next period is over, three months from today."""
    year, quarter = next_period(year, quarter)
    month, day = QUARTER_ENDS[quarter]
    due = date(year, month, day)
    today = timezone.localdate()
    return due if due >= today else today + timedelta(days=91)


def item_label(advice) -> str:
    """An item as the choice reads: its title and the points its what-if wins."""
    if advice.points is None:
        return str(_("%(title)s (advice without points)") % {"title": advice.title})
    return str(
        _("%(title)s (%(gain)s points)")
        % {"title": advice.title, "gain": formatting.signed(advice.points)}
    )


class PlanAddForm(forms.Form):
    item = forms.ChoiceField(label=_("Recommendation"))
    owner = MemberChoiceField(
        label=pgettext_lazy("plan action", "Owner"),
        queryset=User.objects.none(),
        help_text=_("The member who carries the action out; they get the reminders."),
    )
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())

    def __init__(self, *args, advice: list, enterprise, planned: set[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [
            (a.item.code, item_label(a) + (" ✓" if a.item.code in planned else "")) for a in advice
        ]
        self.fields["owner"].queryset = members(enterprise)
        self.by_code = {a.item.code: a for a in advice}

    @property
    def advice(self):
        return self.by_code[self.cleaned_data["item"]]


class PlanActionForm(forms.ModelForm):
    owner = MemberChoiceField(
        label=pgettext_lazy("plan action", "Owner"), queryset=User.objects.none()
    )

    class Meta:
        model = PlanAction
        fields = ["status", "owner", "due_date"]
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members(self.instance.enterprise)
        # Someone who has left stays shown as the owner until the action is given to another.
        if self.instance.owner_id:
            self.fields["owner"].queryset = (
                User.objects.filter(
                    Q(memberships__enterprise=self.instance.enterprise)
                    | Q(pk=self.instance.owner_id)
                )
                .distinct()
                .order_by("full_name", "email")
            )
