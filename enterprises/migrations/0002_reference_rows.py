"""The paper's operation modes (section 2.1) and innovation directions (Table 1)."""

from django.db import migrations

MODES = ["b2b", "b2c", "c2c", "social", "live"]
DIRECTIONS = ["personalized", "multichannel", "supply_chain", "compliance", "brand"]


def create_rows(apps, schema_editor):
    OperationMode = apps.get_model("enterprises", "OperationMode")
    InnovationDirection = apps.get_model("enterprises", "InnovationDirection")
    for code in MODES:
        OperationMode.objects.get_or_create(code=code)
    for code in DIRECTIONS:
        InnovationDirection.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(create_rows, migrations.RunPython.noop)]
