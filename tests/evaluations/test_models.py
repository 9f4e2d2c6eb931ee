"""A published or retired scheme is frozen in the model layer, whoever tries to change it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from evaluations import services
from evaluations.models import Indicator, SchemeIndicator, WeightScheme
from tests.factories import WeightSchemeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published():
    return WeightSchemeFactory(slug="frozen", published=True)


@pytest.fixture
def retired(published):
    services.scheme_make_default(scheme=services.scheme_by_slug("ye-2025-table-4"))
    services.scheme_retire(scheme=published)
    published.refresh_from_db()
    return published


def _snapshot(scheme):
    scheme = WeightScheme.objects.get(pk=scheme.pk)
    columns = ("indicator__code", "weight", "worst", "best", "plausible_max")
    rows = list(scheme.rows.values_list(*columns))
    fields = (scheme.slug, scheme.name, scheme.version, scheme.description, scheme.grade_bands)
    return (*fields, scheme.weight_spread, scheme.bound_spread, rows)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Renamed"),
        ("slug", "another-slug"),
        ("version", 7),
        ("description", "Rewritten."),
        (
            "grade_bands",
            [{"grade": "A", "min_score": 50, "label": "x"}, {"grade": "B", "min_score": 0}],
        ),
        ("status", WeightScheme.Status.DRAFT),
        ("weight_spread", Decimal("0.3")),
        ("bound_spread", Decimal("0.1")),
    ],
)
@pytest.mark.parametrize("scheme_fixture", ["published", "retired"])
def test_a_frozen_scheme_cannot_change(request, scheme_fixture, field, value):
    scheme = request.getfixturevalue(scheme_fixture)
    before = _snapshot(scheme)
    setattr(scheme, field, value)
    with pytest.raises(ValidationError):
        scheme.full_clean()
    with pytest.raises(ValidationError):
        scheme.save()
    assert _snapshot(scheme) == before


def test_a_retired_scheme_cannot_be_published_again(retired):
    retired.status = WeightScheme.Status.PUBLISHED
    with pytest.raises(ValidationError, match="cannot become"):
        retired.save()


def test_a_frozen_scheme_and_its_rows_cannot_be_deleted(published):
    before = _snapshot(published)
    with pytest.raises(ValidationError):
        published.delete()
    with pytest.raises(ValidationError):
        published.rows.first().delete()
    with pytest.raises(ValidationError):
        WeightScheme.objects.filter(pk=published.pk).delete()
    with pytest.raises(ValidationError):
        SchemeIndicator.objects.filter(scheme=published).delete()
    assert _snapshot(published) == before


def test_bulk_updates_cannot_go_around_the_freeze(published):
    before = _snapshot(published)
    with pytest.raises(ValidationError):
        WeightScheme.objects.filter(pk=published.pk).update(name="Sneaky")
    with pytest.raises(ValidationError):
        SchemeIndicator.objects.filter(scheme=published).update(weight="0.2")
    row = published.rows.first()
    row.weight = "0.5"
    with pytest.raises(ValidationError):
        SchemeIndicator.objects.bulk_update([row], ["weight"])
    assert _snapshot(published) == before


def test_a_row_of_a_frozen_scheme_cannot_change_move_or_be_added(published):
    before = _snapshot(published)
    row = published.rows.get(indicator__code="npd_cycle")
    row.weight = "0.2"
    with pytest.raises(ValidationError):
        row.full_clean()
    with pytest.raises(ValidationError):
        row.save()

    draft = WeightSchemeFactory(rows=False)
    row.refresh_from_db()
    row.scheme = draft  # moving a row out of a frozen scheme changes that scheme too
    with pytest.raises(ValidationError):
        row.save()

    extra = Indicator.objects.create(
        code="extra",
        dimension=row.indicator.dimension,
        name="Extra",
        unit="days",
        direction="lower",
    )
    new_row = SchemeIndicator(scheme=published, indicator=extra, weight=0, worst=1, best=0)
    with pytest.raises(ValidationError):
        new_row.full_clean()
    with pytest.raises(ValidationError):
        new_row.save()
    with pytest.raises(ValidationError):
        SchemeIndicator.objects.bulk_create([new_row])
    assert _snapshot(published) == before


def test_a_frozen_rows_plausible_maximum_cannot_change(published):
    before = _snapshot(published)
    row = published.rows.get(indicator__code="logistics_cost")
    row.plausible_max = Decimal("80")
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        SchemeIndicator.objects.filter(pk=row.pk).update(plausible_max=Decimal("80"))
    assert _snapshot(published) == before


def test_saving_a_frozen_row_unchanged_is_harmless(published):
    row = published.rows.first()
    row.save()
    row.full_clean()


def test_only_the_allowed_changes_pass(published):
    """Status published → retired and the default flag may change (the services use them)."""
    services.scheme_make_default(scheme=published)
    published.refresh_from_db()
    assert published.is_default


def test_a_draft_can_be_edited_and_deleted():
    draft = WeightSchemeFactory()
    draft.name = "Better name"
    draft.weight_spread = Decimal("0.1")
    draft.full_clean()
    draft.save()
    row = draft.rows.first()
    row.weight = "0.3"
    row.save()
    row.delete()
    draft.delete()
    assert not WeightScheme.objects.filter(pk=draft.pk).exists()


def test_a_new_scheme_starts_as_a_draft():
    with pytest.raises(ValidationError):
        WeightScheme(slug="x", name="X", status=WeightScheme.Status.PUBLISHED).save()


def test_only_a_published_scheme_can_be_the_default():
    draft = WeightSchemeFactory(rows=False)
    draft.is_default = True
    with pytest.raises(ValidationError, match="published"):
        draft.full_clean()


@pytest.mark.parametrize(
    "bands",
    [
        "A",
        [{"grade": "A"}],
        [{"grade": "A", "min_score": "85"}],
        [
            {"grade": "A", "min_score": 40},
            {"grade": "B", "min_score": 70},
            {"grade": "E", "min_score": 0},
        ],
        [{"grade": "A", "min_score": 85}, {"grade": "E", "min_score": 10}],
    ],
)
def test_grade_bands_must_be_well_formed(bands):
    draft = WeightSchemeFactory.build(grade_bands=bands)
    with pytest.raises(ValidationError) as error:
        draft.full_clean()
    assert "grade_bands" in error.value.message_dict


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("weight_spread", Decimal("-0.01")),
        ("weight_spread", Decimal("0.91")),
        ("bound_spread", Decimal("0.46")),
        ("bound_spread", Decimal("-1")),
    ],
)
def test_spreads_stay_within_what_the_band_accepts(field, value):
    draft = WeightSchemeFactory.build(**{field: value})
    with pytest.raises(ValidationError) as error:
        draft.full_clean()
    assert field in error.value.message_dict


def test_a_new_scheme_gets_the_default_spreads():
    draft = WeightSchemeFactory(rows=False)
    assert (draft.weight_spread, draft.bound_spread) == (Decimal("0.25"), Decimal("0.20"))
