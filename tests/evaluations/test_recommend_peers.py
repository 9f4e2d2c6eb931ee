"""Recommendations (ranking, what-if targets, profile conditions), peers and scheme comparison."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from enterprises.models import InnovationDirection, OperationMode
from evaluations import peers, recommend
from evaluations.models import EvaluationRun, Recommendation
from evaluations.scoring import IndicatorSpec
from evaluations.services import scheme_publish
from tests.factories import (
    COMPLETE_VALUES,
    AssessmentFactory,
    EnterpriseFactory,
    WeightSchemeFactory,
    submitted_run,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def run(enterprise, erin):
    return submitted_run(AssessmentFactory(enterprise=enterprise), erin)


# --- Targets and ranking ------------------------------------------------------------------------

LOGISTICS = IndicatorSpec("logistics_cost", "operational_efficiency", 0.25, 30, 5, 0, 100)
TECH = IndicatorSpec("tech_update_speed", "innovation_capacity", 0.10, 0, 24, 0, None)


def test_without_a_cohort_the_target_is_halfway_to_the_best_bound():
    assert recommend.realistic_target(LOGISTICS, 18, None) == 11.5
    assert recommend.realistic_target(TECH, 8, None) == 16


def test_with_a_cohort_the_target_is_its_upper_quartile_in_the_better_direction():
    cohort = sorted([8.0, 10.0, 12.0, 14.0, 16.0, 20.0, 24.0])
    # lower is better: the 25th percentile of the costs (11.0) is the better quartile
    assert recommend.realistic_target(LOGISTICS, 18, cohort) == pytest.approx(11.0)
    # a value already better than the quartile falls back to halfway to the best
    assert recommend.realistic_target(LOGISTICS, 9, cohort) == 7


def test_each_advice_quantifies_its_what_if_with_the_engine(run):
    advice = recommend.recommendations_for(run)
    logistics = next(a for a in advice if a.item.indicator.code == "logistics_cost")
    # 18 % -> 11.5 %: s rises by 6.5/25 on a weight of 0.25, i.e. +6.5 points
    assert logistics.gain == pytest.approx(6.5)
    assert "from 18 to 11.5" in logistics.what_if and "+6.5 points" in logistics.what_if
    assert logistics.source.startswith("Ye (2025)")


def test_ranking_is_by_gain_weighted_by_table_3_importance(run):
    advice = recommend.recommendations_for(run)
    priorities = [a.priority for a in advice]
    assert priorities == sorted(priorities, reverse=True)
    for a in advice:
        expected = a.gain * (a.importance if a.importance is not None else 10) / 10
        assert a.priority == pytest.approx(expected)
    assert {a.item.indicator.code for a in advice if a.item.indicator} >= set(COMPLETE_VALUES)


def test_the_shortlist_covers_several_gaps(run):
    top = recommend.shortlist(recommend.recommendations_for(run), per_target=2, limit=8)
    assert len(top) == 8
    per_indicator = {}
    for a in top:
        key = ("indicator", a.item.indicator_id) if a.item.indicator_id else a.item.dimension_id
        per_indicator[key] = per_indicator.get(key, 0) + 1
    assert max(per_indicator.values()) <= 2


def test_an_indicator_at_its_best_bound_gets_no_advice(enterprise, erin):
    values = {**COMPLETE_VALUES, "logistics_cost": 3.0}
    run = submitted_run(AssessmentFactory(enterprise=enterprise, values=values), erin)
    codes = {
        a.item.indicator.code
        for a in recommend.recommendations_for(run)
        if a.item.indicator and not a.item.profile_condition
    }
    assert "logistics_cost" not in codes


def test_profile_items_depend_on_the_profile(enterprise, erin):
    run = submitted_run(AssessmentFactory(enterprise=enterprise), erin)

    def conditions():
        return {a.item.profile_condition for a in recommend.recommendations_for(run)}

    assert not conditions() & {"many_markets_no_compliance", "social_or_live"}
    enterprise.target_markets = ["US", "DE", "JP"]
    enterprise.save()
    enterprise.operation_modes.add(OperationMode.objects.get(code="live"))
    run = EvaluationRun.objects.select_related("enterprise").get(pk=run.pk)
    assert {"many_markets_no_compliance", "social_or_live"} <= conditions()
    enterprise.innovation_directions.add(InnovationDirection.objects.get(code="compliance"))
    assert "many_markets_no_compliance" not in conditions()


def test_the_catalogue_is_data_an_inactive_item_disappears(run):
    first = recommend.recommendations_for(run)[0].item
    Recommendation.objects.filter(pk=first.pk).update(is_active=False)
    assert first.pk not in {a.item.pk for a in recommend.recommendations_for(run)}


# --- Peers ------------------------------------------------------------------------------------


def _cohort(size, user, mode="b2c"):
    runs = []
    for index in range(size):
        enterprise = EnterpriseFactory(modes=[mode])
        values = {**COMPLETE_VALUES, "logistics_cost": 10.0 + index}
        runs.append(submitted_run(AssessmentFactory(enterprise=enterprise, values=values), user))
    return runs


def test_peers_are_hidden_below_five_other_enterprises(run, erin):
    _cohort(4, erin)
    position = peers.peer_position(run)
    assert not position.shown and position.cohort_size == 4
    assert "at least 5 other enterprises" in position.reason
    assert position.overall is None and position.dimensions == []


def test_peers_are_shown_from_five_other_enterprises(run, erin):
    others = _cohort(5, erin)
    _cohort(3, erin, mode="b2b")  # another mode's enterprises are not in this cohort
    cache.clear()
    position = peers.peer_position(run)
    assert position.shown and position.cohort_size == 5
    overall = sorted([run.overall, *(r.overall for r in others)])
    assert position.overall.median == pytest.approx(peers.quantile(overall, 0.5))
    assert 0 <= position.overall.percentile <= 100
    assert len(position.dimensions) == 4


def test_only_the_latest_run_of_each_enterprise_counts(run, erin):
    others = _cohort(5, erin)
    for other in others:  # a later period for each: only it counts
        later = AssessmentFactory(enterprise=other.enterprise, year=2027, quarter=1)
        submitted_run(later, erin)
    ids = peers.cohort_run_ids(run.scheme_id, "b2c")
    assert len(ids) == 6
    assert not set(ids) & {other.pk for other in others}


def test_the_cohort_summary_takes_the_same_queries_whatever_its_size(run, erin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        cache.clear()
        fresh = EvaluationRun.objects.get(pk=run.pk)
        with CaptureQueriesContext(connection) as queries:
            assert peers.peer_position(fresh).shown
        return len(queries)

    _cohort(6, erin)
    small = count()
    _cohort(30, erin)
    assert count() == small <= 10


def test_percentiles_and_quantiles():
    values = [1.0, 2.0, 3.0, 4.0]
    assert peers.quantile(values, 0.5) == 2.5
    assert peers.percentile_of(values, 4.0) == 87.5
    assert peers.percentile_of(values, 0.0) == 0


# --- The result page: what-if, comparison ---------------------------------------------------


def _url(name, run, **extra):
    return reverse(f"evaluations:{name}", kwargs={"pk": run.enterprise_id, "run_pk": run.pk})


def test_the_result_page_shows_advice_peers_and_what_if(run, erin, client_for):
    _cohort(5, erin)
    cache.clear()
    html = client_for(erin).get(_url("run", run)).content.decode()
    assert "What to improve first" in html and "Source:" in html
    assert "points won × (Table 3 importance" in html
    assert "Among your peers" in html and "Lower quartile" in html
    assert 'id="what-if-form"' in html


def test_what_if_rescores_without_saving(run, erin, client_for):
    data = {**{k: str(v) for k, v in COMPLETE_VALUES.items()}, "logistics_cost": "11.5"}
    response = client_for(erin).post(_url("run-what-if", run), data, headers={"HX-Request": "1"})
    assert response.status_code == 200
    assert response.context["comparison"].after.overall == pytest.approx(run.overall + 6.5)
    assert "+6.5 points against the result" in response.content.decode()
    run.refresh_from_db()
    assert run.overall == pytest.approx(57.13453815261044)
    assert EvaluationRun.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "This field is required."), ("-1", "greater than or equal to 0"), ("x", "number")],
)
def test_what_if_rejects_bad_values_like_the_form(run, erin, client_for, value, message):
    data = {**{k: str(v) for k, v in COMPLETE_VALUES.items()}, "logistics_cost": value}
    response = client_for(erin).post(_url("run-what-if", run), data, headers={"HX-Request": "1"})
    assert response.status_code == 200
    assert response.context["comparison"] is None
    assert message in response.content.decode()


def test_comparison_scores_under_another_scheme_without_storing(run, erin, staff, client_for):
    other = WeightSchemeFactory(
        rows={
            "logistics_cost": {"weight": "0.35"},
            "environmental_impact_score": {"weight": "0.20"},
        }
    )
    scheme_publish(scheme=other, user=staff)
    response = client_for(erin).get(_url("run-compare", run), {"scheme": other.pk})
    assert response.status_code == 200
    compared = response.context["comparison"].after
    assert compared.scheme == other.slug
    assert compared.overall != pytest.approx(run.overall)
    assert EvaluationRun.objects.count() == 1
    run.refresh_from_db()
    assert run.overall == pytest.approx(57.13453815261044)


def test_comparison_with_a_draft_is_refused(run, erin, client_for):
    draft = WeightSchemeFactory()
    response = client_for(erin).get(_url("run-compare", run), {"scheme": draft.pk})
    assert response.status_code == 302


def test_the_kept_advice_follows_a_catalogue_edit(run, erin, client_for):
    client = client_for(erin)
    first = client.get(_url("run", run)).context["advice"][0].item
    assert client.get(_url("run", run)).context["advice"][0].item == first  # kept
    first.is_active = False
    first.save()  # as admin does
    assert first.pk not in {a.item.pk for a in client.get(_url("run", run)).context["advice"]}
