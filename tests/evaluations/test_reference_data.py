"""The data migration: the paper's Table 4 is there, published and the default."""

import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from evaluations import services
from evaluations.models import Dimension, Indicator, SchemeIndicator, WeightScheme
from tests.factories import WeightSchemeFactory

pytestmark = pytest.mark.django_db

TABLE_4 = [
    # code, dimension, direction, weight, worst, best, max_value
    ("logistics_cost", "operational_efficiency", "lower", "0.25", "30", "5", "100"),
    ("npd_cycle", "innovation_capacity", "lower", "0.15", "180", "14", None),
    ("tech_update_speed", "innovation_capacity", "higher", "0.10", "0", "24", None),
    ("market_response_time", "market_adaptability", "lower", "0.20", "90", "7", None),
    ("environmental_impact_score", "sustainability", "higher", "0.30", "0", "100", "100"),
]


def test_the_default_scheme_is_table_4_published():
    scheme = services.default_scheme()
    assert (scheme.slug, scheme.version, scheme.name) == ("ye-2025-table-4", 1, "Ye (2025) Table 4")
    assert scheme.status == WeightScheme.Status.PUBLISHED
    assert scheme.is_default and scheme.published_at is not None
    assert WeightScheme.objects.filter(is_default=True).count() == 1
    assert [band["grade"] for band in scheme.grade_bands] == ["A", "B", "C", "D", "E"]
    assert [band["min_score"] for band in scheme.grade_bands] == [85, 70, 55, 40, 0]


def test_its_rows_are_table_4_exactly():
    scheme = services.scheme_by_slug("ye-2025-table-4")
    rows = [
        (
            row.indicator.code,
            row.indicator.dimension.code,
            row.indicator.direction,
            row.weight,
            row.worst,
            row.best,
            row.indicator.max_value,
        )
        for row in scheme.rows.select_related("indicator__dimension")
    ]
    expected = [
        (code, dim, direction, Decimal(w), Decimal(worst), Decimal(best), mx and Decimal(mx))
        for code, dim, direction, w, worst, best, mx in TABLE_4
    ]
    assert rows == expected
    assert sum(row.weight for row in scheme.rows.all()) == Decimal(1)
    assert services.scheme_problems(scheme) == []


def test_the_spec_is_what_the_engine_gets():
    spec = services.scheme_spec(services.default_scheme())
    assert spec.slug == "ye-2025-table-4" and spec.version == 1
    assert spec.codes == tuple(row[0] for row in TABLE_4)
    assert spec.dimensions == (
        "operational_efficiency",
        "innovation_capacity",
        "market_adaptability",
        "sustainability",
    )
    first = spec.indicators[0]
    assert (first.weight, first.worst, first.best, first.min_value, first.max_value) == (
        0.25,
        30.0,
        5.0,
        0.0,
        100.0,
    )
    assert spec.indicators[1].max_value is None
    assert all(type(ind.weight) is float for ind in spec.indicators)


def test_reference_data_in_both_languages():
    assert list(Dimension.objects.values_list("name_zh", flat=True)) == [
        "运营效率",
        "创新能力",
        "市场适应性",
        "可持续发展",
    ]
    logistics = Indicator.objects.get(code="logistics_cost")
    assert logistics.guidance and logistics.guidance_zh
    assert "Table 2" in logistics.paper_note and "Table 3" in logistics.paper_note
    assert "表2" in logistics.paper_note_zh
    for indicator in Indicator.objects.all():
        assert indicator.name_zh and indicator.unit_zh and indicator.guidance_zh
        assert indicator.paper_note and indicator.paper_note_zh
    with translation.override("zh-hans"):
        assert str(logistics) == "物流成本"
        assert logistics.localized("unit") == "占销售收入的百分比（%）"
        assert str(logistics.dimension) == "运营效率"
    with translation.override("en"):
        assert str(logistics) == "Logistics costs"
        assert logistics.localized("unit") == "% of sales revenue"


# --- migration 0006: robustness spreads and plausible maxima (PRODUCT.md section 8) ----------

# PRODUCT.md section 8's plausible ranges; the environmental score has only its own 0-100 limits.
PLAUSIBLE_MAX = {
    "logistics_cost": Decimal("60"),
    "npd_cycle": Decimal("730"),
    "tech_update_speed": Decimal("365"),
    "market_response_time": Decimal("365"),
    "environmental_impact_score": None,
}
migration_0006 = importlib.import_module(
    "evaluations.migrations.0007_scheme_robustness_plausibility"
)


def test_the_default_scheme_has_the_default_spreads_and_plausible_ranges():
    scheme = services.default_scheme()
    assert (scheme.weight_spread, scheme.bound_spread) == (Decimal("0.25"), Decimal("0.20"))
    plausible = dict(scheme.rows.values_list("indicator__code", "plausible_max"))
    assert plausible == PLAUSIBLE_MAX
    spec = services.scheme_spec(scheme)
    assert (spec.weight_spread, spec.bound_spread) == (0.25, 0.2)
    assert [ind.plausible_max for ind in spec.indicators] == [
        None if value is None else float(value) for value in PLAUSIBLE_MAX.values()
    ]


def _historical_apps():
    """The models as migration 0006 sees them: without the freeze of the real managers."""
    loader = MigrationExecutor(connection).loader
    return loader.project_state(("evaluations", "0007_scheme_robustness_plausibility")).apps


def test_the_data_migration_reaches_published_schemes_through_the_freeze():
    published = WeightSchemeFactory(slug="published-before-0006", published=True)
    draft = WeightSchemeFactory(slug="draft-before-0006")
    rows = SchemeIndicator.objects.filter(scheme__in=[published, draft])
    assert set(rows.values_list("plausible_max", flat=True)) == {None}
    with pytest.raises(ValidationError):  # the real queryset refuses a frozen scheme's rows
        rows.filter(scheme=published).update(plausible_max=Decimal("1"))

    migration_0006.set_plausible_maxima(_historical_apps(), None)

    for scheme in (published, draft):
        plausible = dict(scheme.rows.values_list("indicator__code", "plausible_max"))
        assert plausible == PLAUSIBLE_MAX, scheme.slug
    # run again, it changes nothing (a value set since is kept)
    migration_0006.set_plausible_maxima(_historical_apps(), None)
    assert dict(published.rows.values_list("indicator__code", "plausible_max")) == PLAUSIBLE_MAX
