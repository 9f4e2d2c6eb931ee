"""Forms of the evaluations app."""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Fieldset, Layout, Row
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations.models import Assessment, Indicator, SchemeIndicator, WeightScheme
from evaluations.models.assessments import FIRST_YEAR, LAST_YEAR, Quarter
from evaluations.scoring.checklist import ITEMS as CHECKLIST_ITEMS
from evaluations.services.assessments import ENV_CODE

# A middling enterprise: every indicator somewhere between its bounds under Table 4.
SAMPLE_VALUES = {
    "logistics_cost": "18",
    "npd_cycle": "60",
    "tech_update_speed": "8",
    "market_response_time": "30",
    "environmental_impact_score": "55",
}


class LenientJSONField(forms.JSONField):
    """Invalid JSON is a field error, never a server error.

    Django's JSONField lets json's ValueError (a 5,000-digit number) and RecursionError (deep
    nesting) escape, and a lone surrogate ("\\ud800") parses but cannot be shown again in a
    UTF-8 page.
    """

    def _parse(self, value):
        converted = super().to_python(value)
        if converted is not None:
            json.dumps(converted, ensure_ascii=False).encode("utf-8")
        return converted

    def to_python(self, value):
        try:
            return self._parse(value)
        except (ValueError, RecursionError):  # UnicodeEncodeError is a ValueError
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None

    def bound_data(self, data, initial):
        try:
            value = super().bound_data(data, initial)
            if not isinstance(value, forms.fields.InvalidJSONInput):
                json.dumps(value, ensure_ascii=False).encode("utf-8")
            return value
        except (ValueError, RecursionError):
            return forms.fields.InvalidJSONInput(data)


class FiniteDecimalField(forms.DecimalField):
    """Django's DecimalField parses "sNaN" and refuses it only in validate(); before that, an
    inline row's has_changed() compares it and decimal raises InvalidOperation (a 500)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not value.is_finite():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value

    def prepare_value(self, value):
        """A stored weight reads as people write it: 0.25, not 0.250000000 (issue 15)."""
        if isinstance(value, Decimal) and value.is_finite():
            return format(value.normalize(), "f")
        return super().prepare_value(value)


class SampleValuesForm(forms.Form):
    """One text field per indicator; the engine, not the form, judges the numbers.

    Leaving parsing and range checks to ``evaluations.scoring.validate_values`` means the admin
    preview shows exactly the messages an enterprise or the ``score`` command would get.
    """

    def __init__(self, *args, indicators: Iterable[Indicator], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for indicator in indicators:
            self.fields[indicator.code] = forms.CharField(
                label=indicator.localized("name"),
                help_text=indicator.localized("unit"),
                initial=SAMPLE_VALUES.get(indicator.code, ""),
                required=False,
                max_length=50,
            )


# --- AHP: pairwise comparisons of one level (PRODUCT.md section 9) ----------------------------

SAATY_CHOICES = (
    ("9", _("9: extremely more important")),
    ("8", "8"),
    ("7", _("7: very strongly more important")),
    ("6", "6"),
    ("5", _("5: strongly more important")),
    ("4", "4"),
    ("3", _("3: moderately more important")),
    ("2", "2"),
    ("1", _("1: equally important")),
    ("1/2", "1/2"),
    ("1/3", _("1/3: moderately less important")),
    ("1/4", "1/4"),
    ("1/5", _("1/5: strongly less important")),
    ("1/6", "1/6"),
    ("1/7", _("1/7: very strongly less important")),
    ("1/8", "1/8"),
    ("1/9", _("1/9: extremely less important")),
)


def saaty_value(choice: str) -> float:
    """The number a choice of SAATY_CHOICES stands for: "3" -> 3.0, "1/3" -> 0.333…"""
    return 1 / float(choice[2:]) if choice.startswith("1/") else float(choice)


def saaty_choice(value: float) -> str:
    """The choice nearest a stored comparison (they were stored from these choices)."""
    return min((c for c, _label in SAATY_CHOICES), key=lambda c: abs(saaty_value(c) - value))


def saaty_reciprocal(choice: str) -> str:
    if choice == "1":
        return "1"
    return choice[2:] if choice.startswith("1/") else f"1/{choice}"


class AhpMatrixForm(forms.Form):
    """The upper triangle of one comparison matrix, a choice from 1/9 to 9 per pair; the
    diagonal is 1 and the lower triangle the reciprocals. The engine judges the matrix."""

    def __init__(
        self,
        *args,
        criteria: Iterable[str],
        labels: Iterable[str],
        stored: object = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria, self.labels = list(criteria), list(labels)
        initial = _stored_choices(stored, self.criteria)
        for i, j in self.pairs:
            label = gettext("%(first)s compared with %(second)s") % {
                "first": self.labels[i],
                "second": self.labels[j],
            }
            self.fields[f"c_{i}_{j}"] = forms.ChoiceField(
                label=label,
                choices=SAATY_CHOICES,
                initial=initial.get((i, j), "1"),
                widget=forms.Select(attrs={"aria-label": label}),
            )

    @property
    def pairs(self) -> list[tuple[int, int]]:
        n = len(self.criteria)
        return [(i, j) for i in range(n) for j in range(i + 1, n)]

    def choice(self, i: int, j: int) -> str:
        """The choice in cell (i, j) as the form holds it (posted, or initial)."""
        if i == j:
            return "1"
        if i > j:
            return saaty_reciprocal(self.choice(j, i))
        value = self[f"c_{i}_{j}"].value()
        return value if value in dict(SAATY_CHOICES) else "1"

    def comparisons(self) -> dict:
        """``{"criteria": [...], "matrix": [[...]]}`` as the form holds it (a valid posted form,
        or the initial choices), reciprocal by design."""
        n = len(self.criteria)
        matrix = [[1.0] * n for _ in range(n)]
        for i, j in self.pairs:
            value = saaty_value(self.choice(i, j))
            matrix[i][j], matrix[j][i] = value, 1 / value
        return {"criteria": list(self.criteria), "matrix": matrix}

    def rows(self) -> list[dict]:
        """The matrix for the template: per row, cells that are a field, 1 or a reciprocal."""
        rows = []
        for i, label in enumerate(self.labels):
            cells = []
            for j in range(len(self.criteria)):
                if i < j:
                    cells.append({"field": self[f"c_{i}_{j}"]})
                else:
                    cells.append({"text": self.choice(i, j), "diagonal": i == j})
            rows.append({"label": label, "cells": cells})
        return rows


def _stored_choices(stored: object, criteria: list[str]) -> dict[tuple[int, int], str]:
    """The upper triangle of stored comparisons, re-indexed to ``criteria``'s order."""
    if not isinstance(stored, dict):
        return {}
    names, matrix = stored.get("criteria"), stored.get("matrix")
    if not isinstance(names, list) or sorted(names) != sorted(criteria):
        return {}
    at = {name: k for k, name in enumerate(names)}
    choices = {}
    try:
        for i, first in enumerate(criteria):
            for j in range(i + 1, len(criteria)):
                choices[(i, j)] = saaty_choice(float(matrix[at[first]][at[criteria[j]]]))
    except (TypeError, ValueError, IndexError, KeyError):
        return {}
    return choices


# --- Assessments ------------------------------------------------------------------------------


def _number(value) -> str:
    """A bound as people write it: 5 rather than 5.0000."""
    return f"{float(value):g}"


def indicator_help(indicator: Indicator, row: SchemeIndicator | None) -> str:
    """Unit, what good and poor look like under the default scheme, and the paper's note."""
    parts = [indicator.localized("unit")]
    if row is not None:
        parts.append(
            gettext("Scores 100 at %(best)s or better, 0 at %(worst)s or worse.")
            % {"best": _number(row.best), "worst": _number(row.worst)}
        )
    note = indicator.localized("paper_note")
    if note:
        parts.append(note)
    return " · ".join(parts)


def indicator_field(indicator: Indicator, *, required: bool = False, help_text: str = ""):
    """The one definition of what a person may type for an indicator (assessment, what-if)."""
    return forms.FloatField(
        label=indicator.localized("name"),
        required=required,
        min_value=float(indicator.min_value),
        max_value=None if indicator.max_value is None else float(indicator.max_value),
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class WhatIfForm(forms.Form):
    """Every indicator of a run, to re-score without saving; the same checks as the form."""

    def __init__(self, *args, indicators: Iterable[Indicator], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for indicator in indicators:
            self.fields[indicator.code] = indicator_field(
                indicator, required=True, help_text=indicator.localized("unit")
            )


class CompareForm(forms.Form):
    """Another published scheme to score a run's values with (``?scheme=<id>``)."""

    scheme = forms.ModelChoiceField(queryset=WeightScheme.objects.none())

    def __init__(self, *args, run, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = WeightScheme.objects.filter(
            status=WeightScheme.Status.PUBLISHED
        ).exclude(pk=run.scheme_id)


class PeriodForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    quarter = forms.TypedChoiceField(label=_("Quarter"), choices=Quarter.choices, coerce=int)
    prefill = forms.BooleanField(
        label=_("Start from the last period"),
        required=False,
        initial=True,
        help_text=_("Copy the values of the latest earlier assessment, to edit."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("year"), Column("quarter")), "prefill")


CHECKLIST_LABELS = {
    "green_packaging_pct": _(
        "Shipments in reduced, recyclable or reusable packaging (%) — 0.30 points per %"
    ),
    "low_carbon_shipping_pct": _(
        "Shipments by lower-carbon modes: sea, rail, consolidated via overseas warehouses (%) "
        "— 0.25 points per %"
    ),
    "emissions_reported": _("Emissions are measured and reported — 15 points"),
    "reduction_target": _("An emission-reduction target is set — 10 points"),
    "renewable_electricity_pct": _("Renewable share of own electricity (%) — 0.10 points per %"),
    "returns_programme": _("A returns-reduction or reuse programme runs — 10 points"),
}


class AssessmentForm(forms.Form):
    """One number per indicator, grouped by dimension; empty is allowed in a draft.

    Fields check what a person can get wrong (not a number, not finite, out of range) with
    messages that name the field; completeness is the submission's business.
    """

    env_mode = forms.ChoiceField(
        label=_("Environmental impact score"),
        choices=Assessment.EnvMode.choices,
        widget=forms.RadioSelect,
        initial=Assessment.EnvMode.TYPED,
    )

    def __init__(
        self,
        *args,
        indicators: Iterable[Indicator],
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        groups: dict[str, list[str]] = {}
        titles: dict[str, str] = {}
        for indicator in self.indicators:
            self.fields[indicator.code] = indicator_field(indicator)
            self.fields[f"na_{indicator.code}"] = forms.BooleanField(
                label=_("Not available: we do not measure this yet"),
                required=False,
                help_text=_(
                    "It then scores as its worst bound, and the result is marked incomplete."
                ),
            )
            groups.setdefault(indicator.dimension.code, []).append(indicator.code)
            groups[indicator.dimension.code].append(f"na_{indicator.code}")
            titles[indicator.dimension.code] = indicator.dimension.localized("name")
        for key, kind, _factor in CHECKLIST_ITEMS:
            name = f"checklist_{key}"
            if kind == "yes":
                self.fields[name] = forms.BooleanField(label=CHECKLIST_LABELS[key], required=False)
            else:
                self.fields[name] = forms.FloatField(
                    label=CHECKLIST_LABELS[key],
                    required=False,
                    min_value=0,
                    max_value=100,
                    widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
                )
        fieldsets = []
        for code, codes in groups.items():
            members = list(codes)
            if ENV_CODE in members:
                members = ["env_mode", *members]
            fieldsets.append(Fieldset(titles[code], *members))
        checklist = [f"checklist_{key}" for key, _kind, _factor in CHECKLIST_ITEMS]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            *fieldsets,
            Div(
                HTML(format_lazy('<h2 class="h6">{}</h2>', _("Environmental checklist"))),
                *checklist,
                css_id="env-checklist",
                css_class="border rounded p-3 mb-3 bg-body-tertiary",
            ),
        )

    def lock_except(self, opened: set[str]) -> None:
        """An analyst asked about ``opened`` only: every other indicator is disabled, so what
        is posted for it is ignored and its submitted value kept (the service checks again)."""
        for indicator in self.indicators:
            if indicator.code not in opened:
                self.fields[indicator.code].disabled = True
                self.fields[f"na_{indicator.code}"].disabled = True
        if ENV_CODE not in opened:
            self.fields["env_mode"].disabled = True
            for key, _kind, _factor in CHECKLIST_ITEMS:
                self.fields[f"checklist_{key}"].disabled = True

    def describe(self, scheme_rows: dict[str, SchemeIndicator]) -> None:
        """Set each indicator's help (unit, bounds, paper): only needed when the form is shown."""
        for indicator in self.indicators:
            self.fields[indicator.code].help_text = indicator_help(
                indicator, scheme_rows.get(indicator.code)
            )

    confirm_warnings = forms.BooleanField(
        label=_("I have checked these values: submit them as they are."), required=False
    )
    warnings: list[tuple[str, str]] = []  # plausibility warnings waiting for confirmation

    def clean(self):
        data = super().clean()
        for indicator in self.indicators:
            if data.get(f"na_{indicator.code}") and data.get(indicator.code) is not None:
                self.add_error(
                    indicator.code,
                    _("Give a value, or mark it not available: not both."),
                )
        return data

    @classmethod
    def initial_for(cls, assessment: Assessment) -> dict:
        initial = {code: value for code, value in assessment.values.items() if value is not None}
        initial.update(
            {f"na_{code}": True for code, value in assessment.values.items() if value is None}
        )
        initial["env_mode"] = assessment.env_mode
        for key, value in assessment.env_checklist.items():
            initial[f"checklist_{key}"] = value
        return initial

    def values(self) -> dict[str, float | None]:
        """What was typed: a number, None for "not available", nothing for a field left empty."""
        values: dict[str, float | None] = {}
        for indicator in self.indicators:
            if self.cleaned_data.get(f"na_{indicator.code}"):
                values[indicator.code] = None
            elif self.cleaned_data.get(indicator.code) is not None:
                values[indicator.code] = self.cleaned_data[indicator.code]
        return values

    def checklist(self) -> dict[str, object]:
        answers = {}
        for key, kind, _factor in CHECKLIST_ITEMS:
            value = self.cleaned_data.get(f"checklist_{key}")
            if kind == "yes":
                answers[key] = bool(value)
            elif value is not None:
                answers[key] = value
        return answers


class EvidenceForm(forms.Form):
    indicator_code = forms.ChoiceField(label=_("Indicator"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PNG, JPEG, XLSX or CSV, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.xlsx,.csv"}),
    )

    def __init__(self, *args, indicators: Iterable[Indicator], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator_code"].choices = [
            (indicator.code, indicator.localized("name")) for indicator in indicators
        ]


class VerificationForm(forms.Form):
    """One step of a review: the button pressed names the action; each action checks what it
    needs (the service checks again)."""

    START, REQUEST, VERIFY, REJECT = "start", "request", "verify", "reject"

    action = forms.ChoiceField(
        choices=[(START, START), (REQUEST, REQUEST), (VERIFY, VERIFY), (REJECT, REJECT)],
        widget=forms.HiddenInput,
    )
    indicators = forms.MultipleChoiceField(
        label=_("Indicators to reopen for the enterprise"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment for the enterprise"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, indicators: Iterable[Indicator], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicators"].choices = [(i.code, i.localized("name")) for i in indicators]

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == self.REQUEST:
            if not data.get("indicators"):
                self.add_error(
                    "indicators", _("Choose the indicators the enterprise should look at again.")
                )
            if not (data.get("comment") or "").strip():
                self.add_error("comment", _("Say why, for the enterprise."))
        if action == self.REJECT and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why, for the enterprise."))
        return data
