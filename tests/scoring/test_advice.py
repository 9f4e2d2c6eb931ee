"""Ranking advice (PRODUCT.md section 6), on plain items: the engine measures every change."""

import pytest

from evaluations.scoring import score
from evaluations.scoring.advice import (
    Change,
    Item,
    Profile,
    indicator_target,
    rank,
)

MIDDLING = {
    "logistics_cost": 18.0,
    "npd_cycle": 60.0,
    "tech_update_speed": 8.0,
    "market_response_time": 30.0,
    "environmental_impact_score": 55.0,
}
CHECKLIST = {
    "green_packaging_pct": 50.0,
    "low_carbon_shipping_pct": 20.0,
    "emissions_reported": True,
    "reduction_target": False,
    "renewable_electricity_pct": 100.0,
    "returns_programme": False,
}
# With these answers the checklist gives 0.30·50 + 0.25·20 + 15 + 0 + 0.10·100 + 0 = 45.
CHECKLIST_VALUES = {**MIDDLING, "environmental_impact_score": 45.0}


def value(code, indicator, importance=7, **extra):
    return Item(code, "value", indicator, importance=importance, **extra)


def test_a_value_beyond_the_worst_bound_gets_a_target_that_improves_it(table4):
    """An enterprise at 60 % logistics cost, a 400-day cycle and a 200-day response got nine
    items and none on the three indicators holding 60 of its 98.5 missing points."""
    worst = {**MIDDLING, "logistics_cost": 60.0, "npd_cycle": 400.0, "market_response_time": 200.0}
    items = [
        value("a", "logistics_cost"),
        value("b", "npd_cycle"),
        value("c", "market_response_time"),
    ]
    ranked = rank(table4, worst, items)
    assert {r.item.code for r in ranked} == {"a", "b", "c"}
    logistics = next(r for r in ranked if r.item.code == "a")
    assert logistics.change == Change("logistics_cost", 60.0, 17.5)  # halfway from 30 to 5
    assert logistics.points == pytest.approx(12.5)
    spec = table4.indicators[0]
    assert indicator_target(spec, 60.0) == 17.5 and indicator_target(spec, 4.0) is None


def test_items_of_one_indicator_share_its_what_if_unless_they_cite_their_own(table4):
    items = [
        value("route", "logistics_cost", importance=9),
        value("warehouse", "logistics_cost", importance=7),
        value("measured", "logistics_cost", effect_to=10.0),
    ]
    ranked = {r.item.code: r for r in rank(table4, MIDDLING, items)}
    assert (
        ranked["route"].change == ranked["warehouse"].change == Change("logistics_cost", 18.0, 11.5)
    )
    assert ranked["route"].points == ranked["warehouse"].points
    assert ranked["route"].shared and not ranked["measured"].shared
    assert ranked["measured"].change == Change("logistics_cost", 18.0, 10.0)
    expected = (
        score(table4, {**MIDDLING, "logistics_cost": 10.0}).overall
        - score(table4, MIDDLING).overall
    )
    assert ranked["measured"].points == pytest.approx(expected)


def test_the_cohorts_upper_quartile_is_the_target_only_when_it_is_better(table4):
    item = [value("a", "logistics_cost")]
    better = rank(table4, MIDDLING, item, upper_quartiles={"logistics_cost": 14.0})
    assert better[0].change.after == 14.0
    worse = rank(table4, MIDDLING, item, upper_quartiles={"logistics_cost": 20.0})
    assert worse[0].change.after == 11.5


def test_a_checklist_item_has_its_own_effect(table4):
    item = Item(
        "target", "checklist", "environmental_impact_score", checklist_answer="reduction_target"
    )
    (ranked,) = rank(table4, CHECKLIST_VALUES, [item], checklist=CHECKLIST)
    assert ranked.change == Change("reduction_target", False, True)
    # +10 checklist points on the environmental score (weight 0.30): +3 overall points
    assert ranked.points == pytest.approx(3.0)


def test_what_the_enterprise_already_does_is_never_advised(table4):
    """With "emissions are measured and reported" ticked, "Measure and report emissions" ranked
    first; a share already at 100 % is done too."""
    items = [
        Item(
            "emissions",
            "checklist",
            "environmental_impact_score",
            checklist_answer="emissions_reported",
        ),
        Item(
            "renewable",
            "checklist",
            "environmental_impact_score",
            checklist_answer="renewable_electricity_pct",
        ),
        Item(
            "packaging",
            "checklist",
            "environmental_impact_score",
            checklist_answer="green_packaging_pct",
        ),
    ]
    ranked = rank(table4, CHECKLIST_VALUES, items, checklist=CHECKLIST)
    assert [r.item.code for r in ranked] == ["packaging"]
    assert ranked[0].change == Change("green_packaging_pct", 50.0, 100.0)


def test_a_checklist_item_claims_no_points_when_the_score_was_typed(table4):
    item = Item(
        "target", "checklist", "environmental_impact_score", checklist_answer="reduction_target"
    )
    (ranked,) = rank(table4, MIDDLING, [item], checklist=None)
    assert ranked.change is None and ranked.points is None


def test_advice_that_moves_no_scored_input_claims_no_points_and_comes_last(table4):
    """The payment item's "+4.8 points" came from moving logistics cost, which Table 4 does not
    tie to payments."""
    items = [
        Item("payments", "advice", None, importance=10),
        value("route", "logistics_cost", importance=6),
        Item("other", "advice", None, importance=6),
    ]
    ranked = rank(table4, MIDDLING, items)
    assert [r.item.code for r in ranked] == ["route", "payments", "other"]
    assert ranked[1].points is None and ranked[1].change is None


def test_a_not_available_indicator_gets_the_advice_to_measure_it(table4):
    values = {**MIDDLING, "tech_update_speed": None}
    items = [
        Item("measure-tech", "measure", "tech_update_speed"),
        value("ci", "tech_update_speed"),
        Item("measure-npd", "measure", "npd_cycle"),
    ]
    ranked = rank(table4, values, items)
    assert [(r.item.code, r.points) for r in ranked] == [("measure-tech", None)]


def test_ranking_by_points_then_lower_normalized_then_importance(table4):
    values = {**MIDDLING, "tech_update_speed": 24.0}  # at its best: no advice
    items = [
        value("npd", "npd_cycle", importance=9),
        value("market", "market_response_time", importance=6),
        value("logistics", "logistics_cost", importance=7),
        value("tech", "tech_update_speed", importance=10),
    ]
    ranked = rank(table4, values, items)
    assert "tech" not in [r.item.code for r in ranked]
    points = [r.points for r in ranked]
    assert points == sorted(points, reverse=True)
    # equal points: the lower normalized score first, then the higher importance
    tied = rank(
        table4,
        MIDDLING,
        [value("x", "logistics_cost", importance=6), value("y", "logistics_cost", importance=9)],
    )
    assert [r.item.code for r in tied] == ["y", "x"]


def test_profile_items_apply_only_where_the_profile_is_known(table4):
    items = [
        Item("live", "advice", None, profile_condition="social_or_live"),
        Item("register", "advice", None, profile_condition="many_markets_no_compliance"),
    ]
    assert rank(table4, MIDDLING, items, profile=None) == []
    profile = Profile(frozenset({"b2c", "live"}), target_markets=4)
    assert {r.item.code for r in rank(table4, MIDDLING, items, profile=profile)} == {
        "live",
        "register",
    }
    compliant = Profile(frozenset({"b2b"}), 5, frozenset({"compliance"}))
    assert rank(table4, MIDDLING, items, profile=compliant) == []
