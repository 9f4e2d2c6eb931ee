"""The recommendation catalogue drawn from the paper (Ye, 2025; PRODUCT.md section 6).

Loads ``evaluations/data/recommendations.json``: each item names its indicator or dimension by code
and its action lists, one action a line, become the ``actions`` / ``actions_zh`` text fields. The
reverse removes exactly the codes the file lists.
"""

import json
from pathlib import Path

from django.db import migrations

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "recommendations.json"


def _items() -> list[dict]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def load(apps, schema_editor):
    Indicator = apps.get_model("evaluations", "Indicator")
    Dimension = apps.get_model("evaluations", "Dimension")
    Recommendation = apps.get_model("evaluations", "Recommendation")
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    dimensions = {dimension.code: dimension for dimension in Dimension.objects.all()}
    for item in _items():
        item = dict(item)
        code = item.pop("code")
        indicator, dimension = item.pop("indicator"), item.pop("dimension")
        item["indicator"] = indicators[indicator] if indicator else None
        item["dimension"] = dimensions[dimension] if dimension else None
        item["actions"] = "\n".join(item["actions"])
        item["actions_zh"] = "\n".join(item["actions_zh"])
        Recommendation.objects.update_or_create(code=code, defaults=item)


def unload(apps, schema_editor):
    Recommendation = apps.get_model("evaluations", "Recommendation")
    Recommendation.objects.filter(code__in=[item["code"] for item in _items()]).delete()


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0003_assessments_runs_recommendations")]
    operations = [migrations.RunPython(load, unload)]
