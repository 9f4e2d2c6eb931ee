"""Each recommendation says what it changes (``kind``) and cites two sources: its basis in the
paper and the practice it comes from (PRODUCT.md section 6); the single ``source`` field, which
credited the paper with actions it never names, goes.

Loads ``evaluations/data/recommendations.json`` (items by code: added or updated; items no
longer in the file are removed), so a database migrated before this gets the current catalogue.
"""

import json
from pathlib import Path

from django.db import migrations, models

import core.validators

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "recommendations.json"
FIELDS = (
    "kind",
    "checklist_answer",
    "principle",
    "challenge",
    "element",
    "innovation_direction",
    "case",
    "profile_condition",
    "title",
    "title_zh",
    "advice",
    "advice_zh",
    "basis",
    "basis_zh",
    "practice",
    "practice_zh",
    "order",
)


def items() -> list[dict]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def load(apps, schema_editor):
    Indicator = apps.get_model("evaluations", "Indicator")
    Dimension = apps.get_model("evaluations", "Dimension")
    Recommendation = apps.get_model("evaluations", "Recommendation")
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    dimensions = {dimension.code: dimension for dimension in Dimension.objects.all()}
    catalogue = items()
    for item in catalogue:
        effect = item.get("effect") or {}
        defaults = {name: item[name] for name in FIELDS}
        defaults.update(
            indicator=indicators[item["indicator"]] if item["indicator"] else None,
            dimension=dimensions[item["dimension"]] if item["dimension"] else None,
            actions="\n".join(item["actions"]),
            actions_zh="\n".join(item["actions_zh"]),
            effect_to=effect.get("to"),
            effect_note=effect.get("note", ""),
            effect_note_zh=effect.get("note_zh", ""),
            is_active=True,
        )
        Recommendation.objects.update_or_create(code=item["code"], defaults=defaults)
    Recommendation.objects.exclude(code__in=[item["code"] for item in catalogue]).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0008_refuse_control_characters")]

    operations = [
        migrations.AddField(
            model_name="recommendation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("value", "a way to improve an indicator's value (one what-if per indicator)"),
                    ("checklist", "one answer of the environmental checklist (its own what-if)"),
                    ("measure", "how to start measuring an indicator marked not available"),
                    ("advice", "advice that moves no scored input (no points)"),
                ],
                default="value",
                max_length=10,
                verbose_name="kind",
            ),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="checklist_answer",
            field=models.CharField(
                blank=True,
                choices=[
                    ("green_packaging_pct", "Shipments in green packaging (%)"),
                    ("low_carbon_shipping_pct", "Shipments by lower-carbon modes (%)"),
                    ("emissions_reported", "Emissions measured and reported"),
                    ("reduction_target", "Emission-reduction target set"),
                    ("renewable_electricity_pct", "Renewable share of own electricity (%)"),
                    ("returns_programme", "Returns-reduction or reuse programme"),
                ],
                help_text="For a checklist item: the answer that becomes yes, or 100 %.",
                max_length=32,
                verbose_name="checklist answer it changes",
            ),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="effect_to",
            field=models.FloatField(
                blank=True,
                help_text=(
                    "Only when the practice source states the effect: then the item has a "
                    "what-if of its own instead of the indicator's shared one."
                ),
                null=True,
                verbose_name="value the action reaches",
            ),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="effect_note",
            field=models.TextField(
                blank=True,
                validators=[core.validators.validate_text],
                verbose_name="where the effect is stated",
            ),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="effect_note_zh",
            field=models.TextField(
                blank=True,
                validators=[core.validators.validate_text],
                verbose_name="where the effect is stated (Chinese)",
            ),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="basis",
            field=models.TextField(
                default="",
                help_text=(
                    "Only what Ye (2025) says, by section and table: a principle, a challenge, "
                    "an element, a case. Never an action the paper does not name."
                ),
                validators=[core.validators.validate_text],
                verbose_name="basis in the paper",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="recommendation",
            name="basis_zh",
            field=models.TextField(
                blank=True,
                validators=[core.validators.validate_text],
                verbose_name="basis in the paper (Chinese)",
            ),
        ),
        migrations.AddField(
            model_name="recommendation",
            name="practice",
            field=models.TextField(
                default="",
                help_text=(
                    "The named external source of the concrete action, with a reference a "
                    "reader can find (issuer, title, year, a URL or a standard number)."
                ),
                validators=[core.validators.validate_text],
                verbose_name="practice",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="recommendation",
            name="practice_zh",
            field=models.TextField(
                blank=True,
                validators=[core.validators.validate_text],
                verbose_name="practice (Chinese)",
            ),
        ),
        migrations.RemoveField(model_name="recommendation", name="source"),
        migrations.AddConstraint(
            model_name="recommendation",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "checklist"), _negated=True)
                | models.Q(("checklist_answer", ""), _negated=True),
                name="recommendation_checklist_names_its_answer",
                violation_error_message="A checklist item names the answer it changes.",
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
