"""Plausibility warnings (PRODUCT.md section 8): accepted values that deserve a second look."""

from __future__ import annotations

import dataclasses
import math

import pytest

from evaluations.scoring import (
    PlausibilityWarning,
    ScoringError,
    plausibility_warnings,
    score,
    validate_scheme,
)

from .test_engine import MIDDLING

# PRODUCT.md section 8's defaults; the environmental score has only its own 0-100 limits.
PLAUSIBLE_MAX = {
    "logistics_cost": 60.0,
    "npd_cycle": 730.0,
    "tech_update_speed": 365.0,
    "market_response_time": 365.0,
}


@pytest.fixture
def scheme(table4):
    return dataclasses.replace(
        table4,
        indicators=tuple(
            dataclasses.replace(ind, plausible_max=PLAUSIBLE_MAX.get(ind.code))
            for ind in table4.indicators
        ),
    )


def test_plausible_values_draw_no_warning(scheme):
    assert plausibility_warnings(scheme, MIDDLING) == []
    at_the_limit = {**MIDDLING, **PLAUSIBLE_MAX}
    assert plausibility_warnings(scheme, at_the_limit) == []  # the maximum itself is plausible


def test_a_value_above_its_plausible_maximum_is_named_with_its_range(scheme):
    warnings = plausibility_warnings(scheme, {**MIDDLING, "logistics_cost": 75, "npd_cycle": 900})
    assert [w.field for w in warnings] == ["logistics_cost", "npd_cycle"]
    logistics = warnings[0]
    assert isinstance(logistics, PlausibilityWarning)
    assert "75" in logistics.message and "60" in logistics.message
    assert "0" in logistics.message  # the range starts at the indicator's minimum
    assert "900" in warnings[1].message and "730" in warnings[1].message
    assert logistics.as_dict() == {"field": "logistics_cost", "message": logistics.message}
    # accepted, not refused: the score is computed as usual
    assert score(scheme, {**MIDDLING, "logistics_cost": 75}).indicators[0].normalized == 0.0


def test_warnings_are_frozen_plain_data(scheme):
    warning = plausibility_warnings(scheme, {**MIDDLING, "logistics_cost": 61})[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        warning.field = "other"  # type: ignore[misc]


def test_without_a_plausible_maximum_nothing_is_too_large(table4):
    huge = {**MIDDLING, "npd_cycle": 1e9, "tech_update_speed": 1e6}
    assert plausibility_warnings(table4, huge) == []


def test_an_entry_of_zeros_is_warned_about_once(scheme):
    zeros = dict.fromkeys(scheme.codes, 0)
    warnings = plausibility_warnings(scheme, zeros)
    assert [w.field for w in warnings] == ["values"]
    assert "0" in warnings[0].message
    # not-available indicators are not values: the given ones are still all zero
    partly = {**zeros, "npd_cycle": None, "environmental_impact_score": None}
    assert [w.field for w in plausibility_warnings(scheme, partly)] == ["values"]
    # one non-zero value is enough
    assert plausibility_warnings(scheme, {**zeros, "tech_update_speed": 1}) == []
    # nothing given at all is "not available", not "all zero"
    assert plausibility_warnings(scheme, dict.fromkeys(scheme.codes)) == []


def test_values_that_are_not_numbers_are_left_to_validation(scheme):
    odd = {**MIDDLING, "logistics_cost": "abc", "npd_cycle": math.nan, "tech_update_speed": True}
    odd.pop("market_response_time")
    assert plausibility_warnings(scheme, odd) == []
    assert plausibility_warnings(scheme, {**MIDDLING, "logistics_cost": "75"})[0].field == (
        "logistics_cost"
    )  # a numeric string is a number here, as validate_values reads it
    with pytest.raises(ScoringError):
        score(scheme, odd)


@pytest.mark.parametrize(
    ("plausible_max", "fragment"),
    [(math.nan, "plausible maximum"), (math.inf, "plausible maximum"), (0.0, "plausible maximum")],
)
def test_a_bad_plausible_maximum_makes_the_scheme_invalid(scheme, plausible_max, fragment):
    indicators = tuple(
        dataclasses.replace(ind, plausible_max=plausible_max) if ind.code == "npd_cycle" else ind
        for ind in scheme.indicators
    )
    errors = validate_scheme(dataclasses.replace(scheme, indicators=indicators))
    assert list(errors) == ["npd_cycle"]
    assert fragment in errors["npd_cycle"]
