"""Bad values and bad schemes: every problem is named, all at once, and nothing is clamped."""

from __future__ import annotations

import dataclasses
import math
import pickle
from decimal import Decimal

import numpy as np
import pytest

from evaluations.scoring import (
    GradeBand,
    IndicatorSpec,
    ScoringError,
    score,
    validate_scheme,
    validate_values,
)

GOOD = {
    "logistics_cost": 12.5,
    "npd_cycle": 97,
    "tech_update_speed": 6,
    "market_response_time": 48.5,
    "environmental_impact_score": 62,
}


def _errors(scheme, values):
    with pytest.raises(ScoringError) as info:
        validate_values(scheme, values)
    return info.value.errors


@pytest.mark.parametrize(
    ("code", "bad", "fragment"),
    [
        ("npd_cycle", "abc", "must be a number"),
        ("npd_cycle", "", "required"),
        ("npd_cycle", None, "required"),
        ("npd_cycle", True, "not a boolean"),
        ("npd_cycle", np.bool_(False), "not a boolean"),
        ("npd_cycle", [1], "must be a number"),
        ("npd_cycle", math.nan, "finite"),
        ("npd_cycle", "nan", "finite"),
        ("npd_cycle", math.inf, "finite"),
        ("npd_cycle", -math.inf, "finite"),
        ("npd_cycle", "1e400", "finite"),
        ("npd_cycle", 10**400, "finite"),
        ("npd_cycle", Decimal("NaN"), "finite"),
        ("npd_cycle", -1, "at least 0"),
        ("tech_update_speed", -0.001, "at least 0"),
        ("logistics_cost", 100.5, "at most 100"),
        ("environmental_impact_score", 101, "at most 100"),
        ("environmental_impact_score", -5, "at least 0"),
    ],
)
def test_each_bad_value_is_named(table4, code, bad, fragment):
    errors = _errors(table4, {**GOOD, code: bad})
    assert list(errors) == [code]
    assert fragment in errors[code]


def test_missing_and_unknown_fields(table4):
    values = {k: v for k, v in GOOD.items() if k != "npd_cycle"} | {"carbon": 3}
    errors = _errors(table4, values)
    assert set(errors) == {"npd_cycle", "carbon"}
    assert "required" in errors["npd_cycle"]
    assert "not an indicator" in errors["carbon"]


def test_all_bad_fields_are_reported_at_once(table4):
    values = {
        "logistics_cost": 120,
        "npd_cycle": -3,
        "tech_update_speed": "fast",
        "market_response_time": math.nan,
    }  # environmental_impact_score missing
    with pytest.raises(ScoringError) as info:
        score(table4, values)
    assert set(info.value.errors) == set(GOOD)
    text = str(info.value)
    for code in GOOD:
        assert code in text
    assert "logistics_cost: must be at most 100 (got 120)" in text.splitlines()


def test_accepted_values_are_cleaned_floats_never_clamped(table4):
    values = {
        "logistics_cost": "12.5",
        "npd_cycle": Decimal("400"),  # beyond the worst bound, but a valid number of days
        "tech_update_speed": np.int64(6),
        "market_response_time": np.float32(48.5),
        "environmental_impact_score": 100,  # the maximum itself is allowed
    }
    cleaned = validate_values(table4, values)
    assert cleaned == {
        "logistics_cost": 12.5,
        "npd_cycle": 400.0,
        "tech_update_speed": 6.0,
        "market_response_time": 48.5,
        "environmental_impact_score": 100.0,
    }
    assert all(type(v) is float for v in cleaned.values())
    result = score(table4, values)
    assert result.indicators[1].value == 400.0
    assert result.indicators[1].normalized == 0.0


def test_boundaries_of_the_valid_range_are_accepted(table4):
    for edge in ({"logistics_cost": 0, "environmental_impact_score": 0}, {"logistics_cost": 100}):
        validate_values(table4, {**GOOD, **edge})


def test_scoring_error_is_a_value_error_and_pickles():
    error = ScoringError({"npd_cycle": "must be at least 0 (got -1)", "values": "bad"})
    assert isinstance(error, ValueError)
    clone = pickle.loads(pickle.dumps(error))
    assert clone.errors == error.errors
    assert str(clone) == "npd_cycle: must be at least 0 (got -1)\nvalues: bad"


# --- schemes -------------------------------------------------------------------------------


def _with(scheme, code, **changes):
    indicators = tuple(
        dataclasses.replace(ind, **changes) if ind.code == code else ind
        for ind in scheme.indicators
    )
    return dataclasses.replace(scheme, indicators=indicators)


def test_table_4_is_a_valid_scheme(table4):
    assert validate_scheme(table4) == {}
    assert validate_scheme(table4, required_codes=table4.codes) == {}


@pytest.mark.parametrize(
    ("code", "changes", "fragment"),
    [
        ("npd_cycle", {"weight": -0.15}, ">= 0"),
        ("npd_cycle", {"weight": math.nan}, "finite"),
        ("npd_cycle", {"weight": math.inf}, "finite"),
        ("npd_cycle", {"weight": "0.15"}, "finite number"),
        ("npd_cycle", {"weight": True}, "finite number"),
        ("logistics_cost", {"worst": 5}, "must differ"),
        ("logistics_cost", {"best": math.nan}, "best bound"),
        ("logistics_cost", {"worst": math.inf}, "worst bound"),
        ("logistics_cost", {"worst": -1e308, "best": 1e308}, "too far apart"),
        ("logistics_cost", {"max_value": -1}, "maximum"),
        ("logistics_cost", {"min_value": math.nan}, "minimum"),
        ("logistics_cost", {"dimension": ""}, "no dimension"),
    ],
)
def test_invalid_indicator_rows_are_named(table4, code, changes, fragment):
    errors = validate_scheme(_with(table4, code, **changes))
    assert code in errors
    assert fragment in errors[code]
    with pytest.raises(ScoringError):  # and the engine refuses to score with it
        score(_with(table4, code, **changes), GOOD)


def test_weights_must_sum_to_one(table4):
    errors = validate_scheme(_with(table4, "npd_cycle", weight=0.10))
    assert list(errors) == ["scheme"]
    assert "sum to 0.95" in errors["scheme"]
    assert "npd_cycle 0.1" in errors["scheme"]  # the admin sees which weights add up
    # within 1e-9 is fine
    assert validate_scheme(_with(table4, "npd_cycle", weight=0.15 + 5e-10)) == {}


def test_missing_duplicate_and_unknown_indicators(table4):
    codes = table4.codes
    dropped = dataclasses.replace(table4, indicators=table4.indicators[1:])
    assert "missing" in validate_scheme(dropped, required_codes=codes)["logistics_cost"]

    extra = IndicatorSpec("carbon_intensity", "sustainability", 0.0, 10, 0)
    unknown = dataclasses.replace(table4, indicators=(*table4.indicators, extra))
    assert "not a known" in validate_scheme(unknown, required_codes=codes)["carbon_intensity"]
    assert validate_scheme(unknown) == {}  # without a catalogue any code is acceptable

    dup = IndicatorSpec("npd_cycle", "innovation_capacity", 0.0, 180, 14)
    duplicated = dataclasses.replace(table4, indicators=(*table4.indicators, dup))
    errors = validate_scheme(duplicated)
    assert "appears 2 times" in errors["npd_cycle"]
    assert "appears 2 times" in validate_scheme(duplicated, required_codes=codes)["npd_cycle"]


def test_several_problems_are_all_reported(table4):
    scheme = _with(_with(table4, "npd_cycle", weight=-1), "logistics_cost", worst=5)
    scheme = _with(scheme, "tech_update_speed", weight=math.nan)
    errors = validate_scheme(scheme)
    assert {"npd_cycle", "logistics_cost", "tech_update_speed"} <= set(errors)


def test_empty_scheme(table4):
    assert "no indicators" in validate_scheme(dataclasses.replace(table4, indicators=()))["scheme"]


@pytest.mark.parametrize(
    "bands",
    [
        (),
        (GradeBand("A", 50, "x"), GradeBand("A", 0, "y")),
        (GradeBand("A", 50, "x"), GradeBand("B", 60, "y"), GradeBand("C", 0, "z")),
        (GradeBand("A", 50, "x"), GradeBand("B", 10, "y")),
        (GradeBand("A", 150, "x"), GradeBand("B", 0, "y")),
        (GradeBand("A", math.nan, "x"), GradeBand("B", 0, "y")),
    ],
    ids=["empty", "duplicate", "unordered", "no-floor", "above-100", "nan"],
)
def test_insane_grade_bands(table4, bands):
    assert "grade_bands" in validate_scheme(dataclasses.replace(table4, grade_bands=bands))


def test_custom_grade_bands_are_used(table4):
    bands = (GradeBand("PASS", 50, "pass"), GradeBand("FAIL", 0, "fail"))
    scheme = dataclasses.replace(table4, grade_bands=bands)
    assert score(scheme, GOOD).grade == "PASS"  # 56.1
