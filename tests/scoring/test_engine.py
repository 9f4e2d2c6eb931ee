"""Hand-computed scores under the paper's Table 4 scheme, and the bulk path on the same cases.

Table 4 ("ye-2025-table-4" v1), s = clamp((x - worst) / (best - worst), 0, 1):
    logistics_cost              operational_efficiency  worst 30  best 5    w 0.25
    npd_cycle                   innovation_capacity     worst 180 best 14   w 0.15
    tech_update_speed           innovation_capacity     worst 0   best 24   w 0.10
    market_response_time        market_adaptability     worst 90  best 7    w 0.20
    environmental_impact_score  sustainability          worst 0   best 100  w 0.30
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from evaluations.scoring import (
    DEFAULT_GRADE_BANDS,
    IndicatorSpec,
    SchemeSpec,
    ScoringError,
    grade_for,
    score,
    score_bulk,
)

approx = pytest.approx

# A middling enterprise:
#   logistics 12.5 -> s = (12.5-30)/(5-30) = -17.5/-25 = 0.7   -> score 70, contrib 17.5, gain 7.5
#                     (contribution 100*.25*.7 = 17.5, potential gain 100*.25*(1-.7) = 7.5)
#   npd 97         -> s = (97-180)/(14-180) = -83/-166 = 0.5   -> score 50, contrib 7.5, gain 7.5
#   tech 6         -> s = (6-0)/(24-0) = 0.25                 -> score 25, contrib 2.5, gain 7.5
#   market 48.5    -> s = (48.5-90)/(7-90) = -41.5/-83 = 0.5  -> score 50, contrib 10,  gain 10
#   env 62         -> s = 62/100 = 0.62                       -> score 62, contrib 18.6, gain 11.4
#   overall = 17.5 + 7.5 + 2.5 + 10 + 18.6 = 56.1 -> C (55 <= 56.1 < 70)
#   innovation_capacity = 100 * (.15*.5 + .10*.25) / (.15 + .10) = 100 * .1 / .25 = 40
MIDDLING = {
    "logistics_cost": 12.5,
    "npd_cycle": 97,
    "tech_update_speed": 6,
    "market_response_time": 48.5,
    "environmental_impact_score": 62,
}
ALL_BEST = {
    "logistics_cost": 5,
    "npd_cycle": 14,
    "tech_update_speed": 24,
    "market_response_time": 7,
    "environmental_impact_score": 100,
}
ALL_WORST = {
    "logistics_cost": 30,
    "npd_cycle": 180,
    "tech_update_speed": 0,
    "market_response_time": 90,
    "environmental_impact_score": 0,
}


def _by_code(result):
    return {i.code: i for i in result.indicators}, {d.code: d for d in result.dimensions}


def test_middling_enterprise(table4):
    result = score(table4, MIDDLING)
    inds, dims = _by_code(result)

    assert result.scheme == "ye-2025-table-4"
    assert result.scheme_version == 1
    assert result.overall == approx(56.1)
    assert result.grade == "C"

    expected = {  # code: (normalized, score, contribution, potential_gain)
        "logistics_cost": (0.7, 70, 17.5, 7.5),
        "npd_cycle": (0.5, 50, 7.5, 7.5),
        "tech_update_speed": (0.25, 25, 2.5, 7.5),
        "market_response_time": (0.5, 50, 10, 10),
        "environmental_impact_score": (0.62, 62, 18.6, 11.4),
    }
    for code, (s, sc, c, g) in expected.items():
        ind = inds[code]
        assert (ind.normalized, ind.score, ind.contribution, ind.potential_gain) == approx(
            (s, sc, c, g)
        ), code
        assert ind.value == MIDDLING[code]

    assert [d.code for d in result.dimensions] == [
        "operational_efficiency",
        "innovation_capacity",
        "market_adaptability",
        "sustainability",
    ]
    assert dims["operational_efficiency"].score == approx(70)
    assert dims["innovation_capacity"].score == approx(40)
    assert dims["innovation_capacity"].weight == approx(0.25)
    assert dims["market_adaptability"].score == approx(50)
    assert dims["sustainability"].score == approx(62)
    assert sum(i.contribution for i in result.indicators) == approx(result.overall, abs=1e-9)


def test_as_dict_is_the_documented_json_shape(table4):
    data = score(table4, MIDDLING).as_dict()
    assert list(data) == [
        "scheme",
        "scheme_version",
        "overall",
        "grade",
        "incomplete",
        "coverage",
        "dimensions",
        "indicators",
    ]
    assert (data["incomplete"], data["coverage"]) == (False, "5/5")
    assert list(data["dimensions"][0]) == ["code", "weight", "score"]
    assert list(data["indicators"][0]) == [
        "code",
        "value",
        "normalized",
        "score",
        "weight",
        "contribution",
        "potential_gain",
    ]
    assert data["indicators"][0]["contribution"] == approx(17.5)
    # floats, not numpy scalars, so json.dumps needs no help
    assert type(data["overall"]) is float
    assert type(data["indicators"][0]["value"]) is float


def test_all_best_scores_100_grade_a(table4):
    result = score(table4, ALL_BEST)
    assert result.overall == 100.0
    assert result.grade == "A"
    assert all(i.normalized == 1.0 and i.potential_gain == 0.0 for i in result.indicators)
    assert all(d.score == 100.0 for d in result.dimensions)


def test_all_worst_scores_0_grade_e(table4):
    result = score(table4, ALL_WORST)
    assert result.overall == 0.0
    assert result.grade == "E"
    # every point is still to win: the potential gains are the weights in points
    assert [i.potential_gain for i in result.indicators] == approx([25, 15, 10, 20, 30])


def test_values_beyond_the_bounds_clamp_s_but_are_reported_unchanged(table4):
    # logistics 2 < best 5  -> s = (2-30)/(5-30) = 1.12 -> clamped 1    (contrib 25)
    # npd 200 > worst 180   -> s = (200-180)/(14-180) < 0 -> clamped 0  (contrib 0)
    # tech 40 > best 24     -> s = 40/24 -> clamped 1                   (contrib 10)
    # market 3 < best 7     -> s = (3-90)/(7-90) = 1.048 -> clamped 1   (contrib 20)
    # env 100 = best        -> s = 1                                    (contrib 30)
    # overall = 25 + 0 + 10 + 20 + 30 = 85 -> A
    values = {
        "logistics_cost": 2,
        "npd_cycle": 200,
        "tech_update_speed": 40,
        "market_response_time": 3,
        "environmental_impact_score": 100,
    }
    result = score(table4, values)
    inds, _ = _by_code(result)
    assert [inds[c].value for c in values] == [2, 200, 40, 3, 100]
    assert [inds[c].normalized for c in values] == [1, 0, 1, 1, 1]
    assert [inds[c].score for c in values] == [100, 0, 100, 100, 100]
    assert result.overall == approx(85)
    assert result.grade == "A"


@pytest.mark.parametrize(
    ("changes", "overall", "grade"),
    [
        # all best but env 50: 25 + 15 + 10 + 20 + .3*50 = 85 -> A (boundary)
        ({"environmental_impact_score": 50}, 85, "A"),
        # env 49.99: 85 - .3*.01 = 84.997 -> B
        ({"environmental_impact_score": 49.99}, 84.997, "B"),
        # all best but env at worst: 100 - 30 = 70 -> B (boundary)
        ({"environmental_impact_score": 0}, 70, "B"),
        # logistics and env best, rest worst: 25 + 30 = 55 -> C (boundary)
        ({"npd_cycle": 180, "tech_update_speed": 0, "market_response_time": 90}, 55, "C"),
        # logistics and npd best, rest worst: 25 + 15 = 40 -> D (boundary)
        (
            {"tech_update_speed": 0, "market_response_time": 90, "environmental_impact_score": 0},
            40,
            "D",
        ),
        # as above with npd one day slower: s = (15-180)/(14-180) = 165/166,
        #   25 + 15 * 165/166 = 39.91 -> E
        (
            {
                "npd_cycle": 15,
                "tech_update_speed": 0,
                "market_response_time": 90,
                "environmental_impact_score": 0,
            },
            25 + 15 * (15 - 180) / (14 - 180),
            "E",
        ),
    ],
)
def test_grade_boundaries_are_inclusive(table4, changes, overall, grade):
    result = score(table4, {**ALL_BEST, **changes})
    assert result.overall == approx(overall)
    assert result.grade == grade


def test_grade_for_bands():
    assert [b.grade for b in DEFAULT_GRADE_BANDS] == ["A", "B", "C", "D", "E"]
    assert [b.min_score for b in DEFAULT_GRADE_BANDS] == [85, 70, 55, 40, 0]
    cases = {100: "A", 85: "A", 84.99: "B", 70: "B", 69.9: "C", 55: "C", 54.9: "D", 40: "D"}
    cases |= {39.999: "E", 0: "E"}
    for overall, grade in cases.items():
        assert grade_for(overall) == grade, overall
    # a score that is 85 up to float noise (e.g. 84.99999999999999) grades as 85 would by hand
    assert grade_for(85 - 1e-12) == "A"
    with pytest.raises(ValueError):
        grade_for(math.nan)


def test_zero_weight_dimension_has_no_score(table4):
    # market_adaptability weighted 0, its 0.20 moved to sustainability (0.50):
    #   17.5 + 7.5 + 2.5 + 0 + 100*.5*.62 (= 31) = 58.5 -> C
    indicators = tuple(
        dataclasses.replace(
            ind,
            weight={"market_response_time": 0.0, "environmental_impact_score": 0.5}.get(
                ind.code, ind.weight
            ),
        )
        for ind in table4.indicators
    )
    scheme = dataclasses.replace(table4, slug="no-market", indicators=indicators)
    result = score(scheme, MIDDLING)
    inds, dims = _by_code(result)
    assert result.overall == approx(58.5)
    assert result.grade == "C"
    assert dims["market_adaptability"].score is None
    assert dims["market_adaptability"].weight == 0.0
    assert inds["market_response_time"].normalized == 0.5  # still shown, worth nothing
    assert inds["market_response_time"].contribution == 0.0
    assert inds["market_response_time"].potential_gain == 0.0
    assert dims["sustainability"].score == approx(62)
    assert result.as_dict()["dimensions"][2] == {
        "code": "market_adaptability",
        "weight": 0.0,
        "score": None,
    }

    bulk = score_bulk(scheme, np.array([list(MIDDLING.values())], dtype=float))
    assert math.isnan(bulk.dimension_scores[0, 2])
    assert bulk.row(0) == result


def test_both_directions_use_one_formula():
    # lower-is-better and higher-is-better on the same 0..10 range are mirror images
    up = IndicatorSpec("up", "d", 0.5, 0, 10)
    down = IndicatorSpec("down", "d", 0.5, 10, 0)
    result = score(SchemeSpec("mirror", 1, (up, down)), {"up": 3, "down": 3})
    assert [i.normalized for i in result.indicators] == approx([0.3, 0.7])
    assert result.overall == approx(50)


# --- bulk path -----------------------------------------------------------------------------

CASES = [MIDDLING, ALL_BEST, ALL_WORST, {**ALL_BEST, "environmental_impact_score": 50}]


def test_bulk_matches_single_bit_for_bit(table4):
    matrix = np.array([[case[c] for c in table4.codes] for case in CASES], dtype=float)
    bulk = score_bulk(table4, matrix)
    assert len(bulk) == 4
    assert bulk.overall.shape == (4,)
    assert bulk.normalized.shape == bulk.score.shape == bulk.contribution.shape == (4, 5)
    assert bulk.potential_gain.shape == (4, 5)
    assert bulk.dimension_scores.shape == (4, 4)
    assert bulk.indicator_codes == table4.codes
    assert bulk.dimension_codes == table4.dimensions
    assert bulk.grade.tolist() == ["C", "A", "E", "A"]
    for i, case in enumerate(CASES):
        single = score(table4, case)
        assert bulk.row(i) == single
        assert bulk.row(i).as_dict() == single.as_dict()
        assert bulk.overall[i] == single.overall


def test_bulk_accepts_integers_and_fortran_order_without_touching_input(table4):
    ints = np.array([[c for c in ALL_WORST.values()]] * 3, dtype=np.int64)
    assert score_bulk(table4, ints).overall.tolist() == [0, 0, 0]
    fortran = np.asfortranarray(np.array([list(MIDDLING.values())] * 3, dtype=float))
    before = fortran.copy()
    bulk = score_bulk(table4, fortran)
    assert np.array_equal(fortran, before)
    assert bulk.overall == approx([56.1] * 3)
    with pytest.raises(ValueError):  # results are read-only
        bulk.overall[0] = 1.0


def test_bulk_empty(table4):
    bulk = score_bulk(table4, np.empty((0, 5)))
    assert len(bulk) == 0
    assert bulk.contribution.shape == (0, 5)
    assert bulk.dimension_scores.shape == (0, 4)


def test_bulk_reports_bad_columns_with_row_counts(table4):
    matrix = np.array([list(MIDDLING.values())] * 6, dtype=float)
    matrix[1, 0] = 101  # logistics above 100
    matrix[2, 0] = np.nan
    matrix[3, 1] = -1  # npd negative
    matrix[4, 1] = -2
    matrix[5, 4] = np.inf
    with pytest.raises(ScoringError) as info:
        score_bulk(table4, matrix)
    errors = info.value.errors
    assert set(errors) == {"logistics_cost", "npd_cycle", "environmental_impact_score"}
    assert "1 row not finite" in errors["logistics_cost"]
    assert "1 row above 100" in errors["logistics_cost"]
    assert "first bad row index: 1" in errors["logistics_cost"]
    assert "2 rows below 0" in errors["npd_cycle"]
    assert "1 row not finite" in errors["environmental_impact_score"]


def test_bulk_positive_infinity_fails_even_without_a_maximum(table4):
    matrix = np.array([list(MIDDLING.values())], dtype=float)
    matrix[0, 1] = np.inf  # npd_cycle has no max_value
    with pytest.raises(ScoringError, match="npd_cycle: 1 row not finite"):
        score_bulk(table4, matrix)


@pytest.mark.parametrize(
    "values",
    [
        np.zeros((3, 4)),
        np.zeros(5),
        np.zeros((2, 5), dtype=bool),
        np.array([["1", "2", "3", "4", "5"]]),
        np.array([[1, 2, 3, 4, None]], dtype=object),
    ],
    ids=["wrong-width", "1d", "bool", "str", "object"],
)
def test_bulk_rejects_wrong_shapes_and_dtypes(table4, values):
    with pytest.raises(ScoringError) as info:
        score_bulk(table4, values)
    assert set(info.value.errors) == {"values"}
