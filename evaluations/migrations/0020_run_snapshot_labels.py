"""Each run's scheme snapshot keeps the names and units it was scored with (issue 14): runs
stored before fill theirs from the rows as they are now, the closest record there is."""

from django.db import migrations

BATCH = 1000


def fill_labels(apps, schema_editor):
    Indicator = apps.get_model("evaluations", "Indicator")
    EvaluationRun = apps.get_model("evaluations", "EvaluationRun")
    indicators, dimensions = {}, {}
    for indicator in Indicator.objects.select_related("dimension"):
        indicators[indicator.code] = {
            "name": indicator.name,
            "name_zh": indicator.name_zh,
            "unit": indicator.unit,
            "unit_zh": indicator.unit_zh,
        }
        dimensions[indicator.code] = (
            indicator.dimension.code,
            {"name": indicator.dimension.name, "name_zh": indicator.dimension.name_zh},
        )
    pending = []
    for run in EvaluationRun.objects.only("id", "scheme_snapshot").iterator(chunk_size=BATCH):
        snapshot = run.scheme_snapshot
        if not isinstance(snapshot, dict) or "labels" in snapshot:
            continue
        codes = [row.get("code") for row in snapshot.get("indicators", [])]
        labels = {"dimensions": {}, "indicators": {}}
        for code in codes:
            if code in indicators:
                labels["indicators"][code] = indicators[code]
                dimension, words = dimensions[code]
                labels["dimensions"][dimension] = words
        snapshot["labels"] = labels
        pending.append(run)
        if len(pending) >= BATCH:
            EvaluationRun.objects.bulk_update(pending, ["scheme_snapshot"])
            pending = []
    if pending:
        EvaluationRun.objects.bulk_update(pending, ["scheme_snapshot"])


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0019_report_file_grant_check_code")]

    operations = [migrations.RunPython(fill_labels, migrations.RunPython.noop)]
