"""The recommendation catalogue was loaded here from ``evaluations/data/recommendations.json``.

That file has since changed its shape with the model (each item's kind and its two sources), so
the catalogue is loaded by ``0009_recommendation_sources``, which also brings a database migrated
before it up to date. Nothing is done here any more.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0003_assessments_runs_recommendations")]
    operations = []
