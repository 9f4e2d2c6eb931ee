"""Publishing, cloning, retiring and the default: the rules of PRODUCT.md section 4."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from audit.models import LogEntry
from evaluations import services
from evaluations.models import WeightScheme
from tests.factories import IndicatorFactory, UserFactory, WeightSchemeFactory

pytestmark = pytest.mark.django_db

Status = WeightScheme.Status


def table_4():
    return WeightScheme.objects.get(slug="ye-2025-table-4", version=1)


def _rows(scheme):
    fields = ("indicator__code", "weight", "worst", "best", "plausible_max")
    return list(scheme.rows.values_list(*fields))


def test_publishing_a_valid_draft_freezes_it_and_records_who():
    user = UserFactory()
    draft = WeightSchemeFactory()
    scheme = services.scheme_publish(scheme=draft, user=user)
    scheme.refresh_from_db()
    assert scheme.status == Status.PUBLISHED
    assert scheme.published_by == user and scheme.published_at is not None
    assert not scheme.is_default  # Table 4 stays the default
    entry = LogEntry.objects.get_for_object(scheme).latest("timestamp")
    assert entry.changes["status"] == ["draft", "published"]
    assert entry.changes["published_by"] == ["None", str(user.pk)]


def test_the_first_published_scheme_becomes_the_default():
    WeightScheme.objects.filter(is_default=True).update(is_default=False)
    scheme = services.scheme_publish(scheme=WeightSchemeFactory(), user=None)
    assert scheme.is_default
    assert services.default_scheme() == scheme


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            {"npd_cycle": {"weight": "-0.15"}},
            ["New product development cycle (npd_cycle): weight must be >= 0"],
        ),
        (
            {"logistics_cost": {"weight": "0.3"}},
            ["Scheme: weights sum to 1.05", "logistics_cost 0.3"],
        ),
        (
            {"tech_update_speed": {"worst": "12", "best": "12"}},
            ["Technology update speed (tech_update_speed): worst and best bounds must differ"],
        ),
        (
            {"market_response_time": None, "environmental_impact_score": {"weight": "0.5"}},
            ["Market response time (market_response_time): is missing"],
        ),
        (
            {"logistics_cost": {"worst": "5", "best": "30"}},
            ["Logistics costs (logistics_cost): best must be smaller than worst"],
        ),
    ],
    ids=["negative-weight", "sum-not-1", "worst-equals-best", "missing", "wrong-direction"],
)
def test_publish_refuses_an_invalid_draft_naming_the_indicator(rows, expected):
    draft = WeightSchemeFactory(rows=rows)
    with pytest.raises(ValidationError) as error:
        services.scheme_publish(scheme=draft, user=None)
    text = "\n".join(error.value.messages)
    for fragment in expected:
        assert fragment in text
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_publish_reports_every_problem_at_once():
    draft = WeightSchemeFactory(
        rows={"npd_cycle": {"weight": "-0.15"}, "tech_update_speed": {"worst": "3", "best": "3"}}
    )
    with pytest.raises(ValidationError) as error:
        services.scheme_publish(scheme=draft, user=None)
    assert [message.split(":")[0] for message in error.value.messages] == [
        "New product development cycle (npd_cycle)",
        "Technology update speed (tech_update_speed)",
    ]


def test_a_new_catalogue_indicator_must_be_in_the_next_version():
    IndicatorFactory(code="carbon_intensity", name="Carbon intensity")
    problems = services.scheme_problems(WeightSchemeFactory())
    assert problems == [
        "Carbon intensity (carbon_intensity): is missing; every indicator must appear once"
    ]


def test_publishing_twice_is_refused():
    with pytest.raises(ValidationError, match="only a draft"):
        services.scheme_publish(scheme=table_4(), user=None)


def test_clone_gives_the_next_version_as_a_draft_with_identical_rows():
    WeightSchemeFactory(slug="ye-2025-table-4", version=5, rows=False)  # a later draft exists
    clone = services.scheme_clone(scheme=table_4())
    assert (clone.slug, clone.version, clone.status) == ("ye-2025-table-4", 6, Status.DRAFT)
    assert clone.name == "Ye (2025) Table 4" and not clone.is_default
    assert clone.grade_bands == table_4().grade_bands
    assert (clone.weight_spread, clone.bound_spread) == (Decimal("0.25"), Decimal("0.20"))
    assert _rows(clone) == _rows(table_4())  # plausible maxima included
    assert LogEntry.objects.get_for_object(clone).get().action == LogEntry.Action.CREATE
    assert all(
        LogEntry.objects.get_for_object(row).get().action == LogEntry.Action.CREATE
        for row in clone.rows.all()
    )


def test_a_clone_can_be_edited_and_published_without_touching_the_original():
    before = _rows(table_4())
    clone = services.scheme_clone(scheme=table_4())
    clone.rows.filter(indicator__code="logistics_cost").update(weight=Decimal("0.20"))
    clone.rows.filter(indicator__code="environmental_impact_score").update(weight=Decimal("0.35"))
    services.scheme_publish(scheme=clone, user=None)
    assert _rows(table_4()) == before
    assert services.scheme_by_slug("ye-2025-table-4").version == 2  # the latest published
    assert services.scheme_by_slug("ye-2025-table-4", 1).version == 1
    assert services.default_scheme().version == 1  # publishing does not move the default


def test_retire_refuses_the_default_and_says_so():
    with pytest.raises(ValidationError) as error:
        services.scheme_retire(scheme=table_4())
    assert "default" in error.value.messages[0]
    assert table_4().status == Status.PUBLISHED


def test_retire_a_published_scheme_that_is_not_the_default():
    scheme = WeightSchemeFactory(published=True)
    services.scheme_retire(scheme=scheme)
    scheme.refresh_from_db()
    assert scheme.status == Status.RETIRED
    assert services.scheme_by_slug(scheme.slug) is None  # no longer offered ...
    assert services.scheme_by_slug(scheme.slug, 1) == scheme  # ... but still reproducible


def test_a_draft_cannot_be_retired_or_made_default():
    draft = WeightSchemeFactory()
    with pytest.raises(ValidationError):
        services.scheme_retire(scheme=draft)
    with pytest.raises(ValidationError, match="only a published scheme"):
        services.scheme_make_default(scheme=draft)
    assert services.default_scheme() == table_4()


def test_make_default_moves_the_flag_and_there_is_always_exactly_one():
    other = WeightSchemeFactory(published=True)
    services.scheme_make_default(scheme=other)
    assert list(WeightScheme.objects.filter(is_default=True)) == [other]
    services.scheme_retire(scheme=table_4())
    services.scheme_make_default(scheme=other)  # already the default: nothing happens
    assert list(WeightScheme.objects.filter(is_default=True)) == [other]
    with pytest.raises(ValidationError):
        services.scheme_make_default(scheme=table_4())  # retired
    assert list(WeightScheme.objects.filter(is_default=True)) == [other]


def test_the_audit_trail_records_each_step():
    scheme = WeightSchemeFactory()
    services.scheme_publish(scheme=scheme, user=None)
    services.scheme_make_default(scheme=scheme)
    services.scheme_make_default(scheme=table_4())
    services.scheme_retire(scheme=scheme)
    entries = LogEntry.objects.get_for_object(scheme).order_by("timestamp", "id")
    steps = [(entry.changes.get("status"), entry.changes.get("is_default")) for entry in entries]
    assert steps == [
        (["None", "draft"], ["None", "False"]),  # created
        (["draft", "published"], None),
        (None, ["False", "True"]),
        (None, ["True", "False"]),
        (["published", "retired"], None),
    ]
    assert LogEntry.objects.get_for_object(table_4()).count() == 2  # lost the flag, got it back


def test_scheme_score_uses_the_stored_rows():
    result = services.scheme_score(
        scheme=table_4(),
        values={
            "logistics_cost": 12.5,
            "npd_cycle": 97,
            "tech_update_speed": 12,
            "market_response_time": 48.5,
            "environmental_impact_score": 60,
        },
    )
    assert result.overall == pytest.approx(58.0)
    assert result.grade == "C"


def test_malformed_grade_bands_are_named():
    draft = WeightSchemeFactory()
    WeightScheme.objects.filter(pk=draft.pk).update(grade_bands={"A": 85})
    draft.refresh_from_db()
    assert services.scheme_problems(draft) == [
        "Grade bands: Grade bands must be a list of objects."
    ]


def test_the_spec_carries_spreads_and_plausible_maxima():
    draft = WeightSchemeFactory(
        weight_spread=Decimal("0.1"),
        bound_spread=Decimal("0.05"),
        rows={"npd_cycle": {"plausible_max": "400"}},
    )
    spec = services.scheme_spec(draft)
    assert (spec.weight_spread, spec.bound_spread) == (0.1, 0.05)
    plausible = {ind.code: ind.plausible_max for ind in spec.indicators}
    assert plausible["npd_cycle"] == 400.0 and type(plausible["npd_cycle"]) is float
    assert plausible["logistics_cost"] is None  # the factory's other rows have none


def test_a_plausible_maximum_at_or_below_the_minimum_is_named():
    draft = WeightSchemeFactory(rows={"npd_cycle": {"plausible_max": "0"}})
    problems = services.scheme_problems(draft)
    assert problems == [
        "New product development cycle (npd_cycle): plausible maximum 0 must exceed minimum 0"
    ]
    with pytest.raises(ValidationError):
        services.scheme_publish(scheme=draft, user=None)
