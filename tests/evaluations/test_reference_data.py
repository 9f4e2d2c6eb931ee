"""The data migration: the paper's Table 4 is there, published and the default."""

from decimal import Decimal

import pytest
from django.utils import translation

from evaluations import services
from evaluations.models import Dimension, Indicator, WeightScheme

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
