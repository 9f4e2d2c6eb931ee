"""The history of weight schemes, their rows and indicators moves into the audit trail.

Until now django-simple-history kept a table of versions per model; the audit trail
(``audit.LogEntry``, django-auditlog) now records these changes with every other one. Before the
three historical tables are dropped, each recorded version becomes a trail entry, best effort:

- a creation ("+") lists the values it was created with, a deletion ("-") the values it had;
- a change ("~") lists the fields that differ from the previous version of the same object (a
  save that changed nothing writes no entry; a first version that is a change lists its values);
- who (``history_user``, whose e-mail is kept too) is the actor, ``history_date`` the time.

Values are written as django-auditlog writes them (text; JSON for JSON fields, the id for a
foreign key, naive UTC for a time), so the trail reads them like any entry written since.
Reversing recreates the historical tables empty: the history stays in the trail.
"""

import json
from datetime import UTC

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

CREATE, UPDATE, DELETE = 0, 1, 2
ACTIONS = {"+": CREATE, "~": UPDATE, "-": DELETE}
BATCH = 1000

# model name -> fields left out (as in audit/registration.py: a scheme's created_at is not tracked)
MODELS = {
    "weightscheme": {"created_at"},
    "schemeindicator": set(),
    "indicator": set(),
}


def _text(field, value) -> str:
    """A value as django-auditlog stores it in ``changes``."""
    if value is None:
        return "None"
    if isinstance(field, models.JSONField):
        return json.dumps(value, sort_keys=True)
    if isinstance(field, models.DateTimeField) and timezone.is_aware(value):
        value = timezone.make_naive(value, UTC)
    return str(value)


def _fields(historical, left_out: set[str]) -> list:
    return [
        field
        for field in historical._meta.concrete_fields
        if field.name != "id"
        and not field.name.startswith("history_")
        and field.name not in left_out
    ]


def _changes(action: int, fields, previous, current) -> dict:
    now = {field.name: _text(field, getattr(current, field.attname)) for field in fields}
    if action == DELETE:
        return {name: [value, "None"] for name, value in now.items() if value != "None"}
    if action == CREATE or previous is None:
        return {name: ["None", value] for name, value in now.items() if value != "None"}
    before = {field.name: _text(field, getattr(previous, field.attname)) for field in fields}
    return {name: [before[name], value] for name, value in now.items() if before[name] != value}


def _described(model: str, row, names) -> tuple[str, dict]:
    """The entry's object_repr and additional data, as the live models give them."""
    if model == "weightscheme":
        return f"{row.name} ({row.slug} v{row.version})", {}
    if model == "indicator":
        return row.name, {"indicator": row.code}
    scheme = names["schemes"].get(row.scheme_id)
    data = {"indicator": names["indicators"].get(row.indicator_id, ""), "scheme": row.scheme_id}
    if scheme:
        data["label"] = scheme
    return f"{row.indicator_id}: {row.weight}", data


def copy_history(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("audit", "LogEntry")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    schemes = {}  # every scheme's latest slug and version, deleted ones included
    for source in (
        apps.get_model("evaluations", "HistoricalWeightScheme").objects.order_by(
            "history_date", "history_id"
        ),
        apps.get_model("evaluations", "WeightScheme").objects.all(),
    ):
        for pk, slug, version in source.values_list("id", "slug", "version"):
            schemes[pk] = f"{slug} v{version}"
    indicators = apps.get_model("evaluations", "Indicator").objects.values_list("id", "code")
    names = {"schemes": schemes, "indicators": dict(indicators)}
    emails = dict(User.objects.values_list("id", "email"))
    for model, left_out in MODELS.items():
        historical = apps.get_model("evaluations", f"Historical{model}")
        content_type, _created = ContentType.objects.get_or_create(
            app_label="evaluations", model=model
        )
        fields = _fields(historical, left_out)
        entries, previous = [], None
        rows = historical.objects.order_by("id", "history_date", "history_id").iterator(2000)
        for row in rows:
            if previous is not None and previous.id != row.id:
                previous = None  # the first version of the next object
            action = ACTIONS.get(row.history_type, UPDATE)
            changes = _changes(action, fields, previous, row)
            previous = row
            if not changes:
                continue
            object_repr, data = _described(model, row, names)
            entries.append(
                LogEntry(
                    content_type=content_type,
                    object_pk=str(row.id),
                    object_id=row.id,
                    object_repr=object_repr,
                    action=action,
                    changes=changes,
                    actor_id=row.history_user_id,
                    actor_email=emails.get(row.history_user_id),
                    timestamp=row.history_date,
                    additional_data={**data, "simple_history_id": row.history_id},
                )
            )
            if len(entries) >= BATCH:
                LogEntry.objects.bulk_create(entries)
                entries = []
        LogEntry.objects.bulk_create(entries)


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0014_scheme_ahp_comparisons"),
        ("audit", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(copy_history, migrations.RunPython.noop),
        migrations.DeleteModel(name="HistoricalIndicator"),
        migrations.DeleteModel(name="HistoricalSchemeIndicator"),
        migrations.DeleteModel(name="HistoricalWeightScheme"),
    ]
