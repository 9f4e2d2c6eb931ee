"""Recommendations (ranking, what-if targets, profile conditions), peers and scheme comparison."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from enterprises.models import InnovationDirection, OperationMode
from evaluations import peers, recommend
from evaluations.models import EvaluationRun, Recommendation
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


# --- Advice for a run: what the engine measures, from the catalogue ---------------------------


def test_the_alternatives_for_an_indicator_share_one_what_if_line(run):
    advice = recommend.recommendations_for(run)
    logistics = [a for a in advice if a.change and a.change.input == "logistics_cost"]
    assert len(logistics) >= 2
    # 18 % -> 11.5 %: s rises by 6.5/25 on a weight of 0.25, i.e. +6.5 points
    assert [a.points for a in logistics] == [pytest.approx(6.5)] * len(logistics)
    line = logistics[0].what_if
    assert "Logistics costs from 18 to 11.5" in line and "+6.5 points" in line
    groups = recommend.grouped(advice)
    group = next(
        g for g in groups if g.items[0].change and g.items[0].change.input == "logistics_cost"
    )
    assert [a.item.code for a in group.items] == [a.item.code for a in logistics]


def test_every_item_cites_the_paper_and_the_practice_apart(run):
    for a in recommend.recommendations_for(run):
        assert a.basis.startswith("Ye (2025)") and a.practice


def test_items_rank_by_points_and_advice_without_points_comes_last(run):
    advice = recommend.recommendations_for(run)
    points = [a.points for a in advice if a.points is not None]
    assert points == sorted(points, reverse=True)
    first_without = next(i for i, a in enumerate(advice) if a.points is None)
    assert all(a.points is None for a in advice[first_without:])
    assert {a.item.code for a in advice[first_without:]} >= {
        "operations-diversified-payment-settlement"
    }


def test_a_checklist_answer_already_given_is_never_advised(enterprise, erin):
    from evaluations.models import Assessment

    answers = {
        "green_packaging_pct": 40.0,
        "low_carbon_shipping_pct": 20.0,
        "emissions_reported": True,
        "reduction_target": False,
        "renewable_electricity_pct": 100.0,
        "returns_programme": False,
    }
    assessment = AssessmentFactory(
        enterprise=enterprise,
        env_mode=Assessment.EnvMode.CHECKLIST,
        env_checklist=answers,
        values={**COMPLETE_VALUES, "environmental_impact_score": 42.0},
    )
    run = submitted_run(assessment, erin)
    advice = {
        a.item.checklist_answer: a
        for a in recommend.recommendations_for(run)
        if a.item.checklist_answer
    }
    assert "emissions_reported" not in advice and "renewable_electricity_pct" not in advice
    target = advice["reduction_target"]
    assert target.change.after is True and target.points == pytest.approx(3.0)
    assert "answered yes: +3.0 points" in target.what_if


def test_the_shortlist_covers_several_gaps(run):
    top = recommend.shortlist(recommend.recommendations_for(run), groups=5, per_group=2)
    assert len(top) == 5
    assert all(len(group.items) <= 2 for group in top)
    inputs = [g.items[0].change.input for g in top if g.items[0].change]
    assert len(inputs) == len(set(inputs))


def test_an_indicator_at_its_best_bound_gets_no_advice(enterprise, erin):
    values = {**COMPLETE_VALUES, "logistics_cost": 3.0}
    run = submitted_run(AssessmentFactory(enterprise=enterprise, values=values), erin)
    codes = {a.change.input for a in recommend.recommendations_for(run) if a.change}
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


def test_the_peer_section_says_exactly_what_it_counts(run, erin):
    """Issue 15: it said "5 other enterprises" while its quartiles counted this one too."""
    _cohort(5, erin)
    cache.clear()
    with translation.override("en"):
        position = peers.peer_position(run)
        assert position.includes_own and position.summary.size == 6
        assert position.counted == (
            "B2C (business to consumer) enterprises under the weight scheme Ye (2025) Table 4, "
            "version 1: the figures count 6 enterprises, yours and 5 others, each by its latest "
            "complete result."
        )
        assert "ye-2025-table-4" not in position.counted  # a human label, not the slug


def test_an_incomplete_result_is_not_counted_among_its_peers(run, erin):
    _cohort(6, erin)
    EvaluationRun.objects.filter(enterprise=run.enterprise).update(incomplete=True)
    cache.clear()
    run.refresh_from_db()
    with translation.override("en"):
        position = peers.peer_position(run)
        assert not position.includes_own and position.cohort_size == 6
        assert "count 6 other enterprises" in position.counted
        assert "yours is not among them" in position.counted


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
    assert "What to improve first" in html
    assert "Basis in the paper:" in html and "Practice:" in html
    assert "ties go to the indicator that scores lower" in html  # the rule, on the page
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

    def shown(response) -> set[int]:
        return {a.item.pk for group in response.context["advice"] for a in group.items}

    first = client.get(_url("run", run)).context["advice"][0].items[0].item
    assert first.pk in shown(client.get(_url("run", run)))  # kept
    first.is_active = False
    first.save()  # as admin does
    assert first.pk not in shown(client.get(_url("run", run)))
