"""Forms of the evaluations app."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from evaluations.models import Indicator

# A middling enterprise: every indicator somewhere between its bounds under Table 4.
SAMPLE_VALUES = {
    "logistics_cost": "18",
    "npd_cycle": "60",
    "tech_update_speed": "8",
    "market_response_time": "30",
    "environmental_impact_score": "55",
}


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
