"""Migration evaluations 0008: the versions django-simple-history kept become trail entries
before its tables are dropped, so no recorded history is lost.

The test migrates back to 0007 (the historical tables return, empty), writes versions into them
as simple-history did, and migrates forward again. It commits for real (schema changes), so it
is a transactional test that restores the reference data afterwards.
"""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit import trail
from audit.models import LogEntry
from evaluations.models import Indicator, SchemeIndicator, WeightScheme
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE = ("evaluations", "0014_scheme_ahp_comparisons")
AFTER = ("evaluations", "0015_history_to_audit_trail")
HISTORICAL_TABLES = {
    "evaluations_historicalweightscheme",
    "evaluations_historicalschemeindicator",
    "evaluations_historicalindicator",
}


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state(target).apps


def _latest() -> None:
    """Every migration after AFTER too (later apps' tables point at users and runs)."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def _scheme_version(model, scheme, **changes):
    fields = {
        "id": scheme.pk,
        "slug": scheme.slug,
        "name": scheme.name,
        "version": scheme.version,
        "status": "draft",
        "description": scheme.description,
        "grade_bands": scheme.grade_bands,
        "weight_spread": scheme.weight_spread,
        "bound_spread": scheme.bound_spread,
        "is_default": False,
        "created_at": scheme.created_at,
        "published_at": None,
        "published_by_id": None,
        **changes,
    }
    return model.objects.create(**fields)


def _latest() -> None:
    """Every app at its latest migration: migrating evaluations back also unapplied the other
    apps' migrations that depend on it."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def back_at_the_latest_schema():
    """Whatever happens in the test, the schema ends at the latest migration again."""
    yield
    _latest()


@pytest.mark.usefixtures("back_at_the_latest_schema")
def test_every_recorded_version_becomes_an_entry():
    editor = UserFactory(email="editor@example.com")
    table_4 = WeightScheme.objects.get(slug="ye-2025-table-4", version=1)
    logistics = Indicator.objects.get(code="logistics_cost")
    row = SchemeIndicator.objects.get(scheme=table_4, indicator=logistics)

    old = _migrate(BEFORE)
    assert set(connection.introspection.table_names()) >= HISTORICAL_TABLES
    schemes = old.get_model("evaluations", "HistoricalWeightScheme")
    rows = old.get_model("evaluations", "HistoricalSchemeIndicator")
    indicators = old.get_model("evaluations", "HistoricalIndicator")
    common = {"history_change_reason": None}
    _scheme_version(
        schemes, table_4, history_type="+", history_date=_at(1), history_user_id=editor.pk, **common
    )
    _scheme_version(  # saved again, nothing changed: no entry
        schemes, table_4, history_type="~", history_date=_at(2), history_user_id=editor.pk, **common
    )
    _scheme_version(
        schemes,
        table_4,
        history_type="~",
        history_date=_at(3),
        history_user_id=editor.pk,
        status="published",
        is_default=True,
        published_at=_at(3),
        published_by_id=editor.pk,
        **common,
    )
    rows.objects.create(
        id=row.pk,
        scheme_id=table_4.pk,
        indicator_id=logistics.pk,
        weight="0.300000000",
        worst="30.0000",
        best="5.0000",
        plausible_max=None,
        history_type="+",
        history_date=_at(1, 10),
        history_user_id=None,
        **common,
    )
    rows.objects.create(
        id=row.pk,
        scheme_id=table_4.pk,
        indicator_id=logistics.pk,
        weight="0.250000000",
        worst="30.0000",
        best="5.0000",
        plausible_max="60.0000",
        history_type="~",
        history_date=_at(1, 11),
        history_user_id=editor.pk,
        **common,
    )
    indicators.objects.create(
        id=999,  # an indicator deleted since
        code="gone",
        dimension_id=logistics.dimension_id,
        name="Gone",
        name_zh="",
        unit="%",
        unit_zh="",
        direction="lower",
        min_value=0,
        max_value=None,
        guidance="",
        guidance_zh="",
        paper_note="",
        paper_note_zh="",
        order=1,
        history_type="-",
        history_date=_at(4),
        history_user_id=editor.pk,
        **common,
    )
    _migrate(AFTER)
    _latest()
    editor_pk = editor.pk
    editor.delete()  # an account deleted since: its e-mail stays on the entries
    assert not HISTORICAL_TABLES & set(connection.introspection.table_names())

    # Only the entries made from history (dated March 2026): a transactional test that ran
    # before in this process may have left entries of its own on the reference rows.
    from_history = {"timestamp__lt": _at(31)}
    created, published = (
        LogEntry.objects.get_for_object(table_4).filter(**from_history).order_by("timestamp")
    )
    assert (created.action, created.timestamp, created.actor_id) == (0, _at(1), editor_pk)
    assert created.actor_email == "editor@example.com"
    assert created.changes["name"] == ["None", "Ye (2025) Table 4"]
    assert created.changes["status"] == ["None", "draft"]
    assert "created_at" not in created.changes  # not tracked for schemes
    assert (published.action, published.timestamp) == (1, _at(3))
    assert published.changes == {
        "status": ["draft", "published"],
        "is_default": ["False", "True"],
        "published_at": ["None", "2026-03-03 09:00:00"],
        "published_by": ["None", str(editor_pk)],
    }
    assert published.object_repr == "Ye (2025) Table 4 (ye-2025-table-4 v1)"

    added, reweighted = (
        LogEntry.objects.get_for_object(row).filter(**from_history).order_by("timestamp")
    )
    assert (added.action, added.actor_id) == (0, None)
    assert reweighted.changes == {
        "weight": ["0.300000000", "0.250000000"],
        "plausible_max": ["None", "60.0000"],
    }
    assert reweighted.additional_data["scheme"] == table_4.pk
    shown = trail.describe([reweighted])[0]
    assert shown.lines == ["Weight: 0.3 → 0.25", "Plausible maximum: — → 60"]
    assert shown.subject == "Logistics costs · ye-2025-table-4 v1"
    assert shown.who == "editor@example.com"

    gone = LogEntry.objects.get(content_type__model="indicator", object_id=999)
    assert (gone.action, gone.object_repr) == (2, "Gone")
    assert gone.changes["code"] == ["gone", "None"]
