"""Robustness spreads on every scheme and plausible maxima on every scheme row (PRODUCT.md 8).

The new fields' defaults give every existing scheme, the published default "ye-2025-table-4" v1
included, weight_spread 0.25 and bound_spread 0.20. Then every row of every scheme gets the
plausible maximum of PRODUCT.md section 8: logistics cost 60 (% of revenue), product cycle 730
days, 365 releases a year, market response 365 days; the environmental score keeps only its own
0-100 limits. Published schemes are frozen by their model and queryset; the historical models a
migration gets have neither, so the queryset ``update()`` here reaches them too, as it must: a
migration is the one place where the product itself, not an administrator, amends them.

The data is written out literally: a migration is frozen history.
"""

from decimal import Decimal

import django.core.validators
from django.db import migrations, models

PLAUSIBLE_MAX = {
    "logistics_cost": Decimal("60"),
    "npd_cycle": Decimal("730"),
    "tech_update_speed": Decimal("365"),
    "market_response_time": Decimal("365"),
}


def set_plausible_maxima(apps, schema_editor):
    SchemeIndicator = apps.get_model("evaluations", "SchemeIndicator")
    for code, plausible_max in PLAUSIBLE_MAX.items():
        SchemeIndicator.objects.filter(indicator__code=code, plausible_max__isnull=True).update(
            plausible_max=plausible_max
        )


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0006_report_files_and_run_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalschemeindicator",
            name="plausible_max",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="A larger value is accepted but the person is asked to check it. Empty: only the indicator's own limits.",
                max_digits=14,
                null=True,
                verbose_name="plausible maximum",
            ),
        ),
        migrations.AddField(
            model_name="historicalweightscheme",
            name="bound_spread",
            field=models.DecimalField(
                decimal_places=3,
                default=Decimal("0.2"),
                help_text="Robustness band: each worst and best bound moves by up to this share of the distance between them (0.20 = 20 %).",
                max_digits=4,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(Decimal("0.45")),
                ],
                verbose_name="bound spread",
            ),
        ),
        migrations.AddField(
            model_name="historicalweightscheme",
            name="weight_spread",
            field=models.DecimalField(
                decimal_places=3,
                default=Decimal("0.25"),
                help_text="Robustness band: each weight is multiplied by a random factor within ±this share (0.25 = ±25 %), then the weights are renormalized.",
                max_digits=4,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(Decimal("0.9")),
                ],
                verbose_name="weight spread",
            ),
        ),
        migrations.AddField(
            model_name="schemeindicator",
            name="plausible_max",
            field=models.DecimalField(
                blank=True,
                decimal_places=4,
                help_text="A larger value is accepted but the person is asked to check it. Empty: only the indicator's own limits.",
                max_digits=14,
                null=True,
                verbose_name="plausible maximum",
            ),
        ),
        migrations.AddField(
            model_name="weightscheme",
            name="bound_spread",
            field=models.DecimalField(
                decimal_places=3,
                default=Decimal("0.2"),
                help_text="Robustness band: each worst and best bound moves by up to this share of the distance between them (0.20 = 20 %).",
                max_digits=4,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(Decimal("0.45")),
                ],
                verbose_name="bound spread",
            ),
        ),
        migrations.AddField(
            model_name="weightscheme",
            name="weight_spread",
            field=models.DecimalField(
                decimal_places=3,
                default=Decimal("0.25"),
                help_text="Robustness band: each weight is multiplied by a random factor within ±this share (0.25 = ±25 %), then the weights are renormalized.",
                max_digits=4,
                validators=[
                    django.core.validators.MinValueValidator(0),
                    django.core.validators.MaxValueValidator(Decimal("0.9")),
                ],
                verbose_name="weight spread",
            ),
        ),
        migrations.RunPython(set_plausible_maxima, migrations.RunPython.noop),
    ]
