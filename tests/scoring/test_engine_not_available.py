"""Not-available values (PRODUCT.md section 8): JSON null scores at the worst bound.

An indicator given as ``None`` has s = 0, contributes 0 points and keeps its whole weight as
potential gain; the result says it is incomplete and how many indicators had a value. A key that
is absent, or any other bad value, is still an error naming the field. The bulk path takes the
same information as an explicit (n, k) ``available`` mask, and gives bit-identical results.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.scoring import ScoringError, score, score_bulk, validate_values

from .test_engine import ALL_BEST, ALL_WORST, MIDDLING
from .test_engine_properties import schemes, value_for

approx = pytest.approx


def test_a_null_value_scores_at_the_worst_bound(table4):
    # MIDDLING without its environmental score: 17.5 + 7.5 + 2.5 + 10 + 0 = 37.5 -> E (< 40)
    result = score(table4, {**MIDDLING, "environmental_impact_score": None})
    env = result.indicators[-1]
    assert env.code == "environmental_impact_score"
    assert env.value is None
    assert (env.normalized, env.score, env.contribution) == (0.0, 0.0, 0.0)
    assert env.potential_gain == approx(30.0)  # 100 * 0.30: every point still to win
    assert result.overall == approx(37.5)
    assert result.grade == "E"
    assert result.incomplete is True
    assert result.coverage == "4/5"
    dims = {d.code: d for d in result.dimensions}
    assert dims["sustainability"].score == 0.0
    assert dims["sustainability"].weight == approx(0.30)  # still weighted: not "not weighted"


def test_not_available_is_exactly_the_worst_bound(table4):
    for code in table4.codes:
        missing = score(table4, {**MIDDLING, code: None})
        at_worst = score(table4, {**MIDDLING, code: ALL_WORST[code]})
        assert missing.overall == at_worst.overall, code
        assert missing.dimensions == at_worst.dimensions, code
        assert [i.contribution for i in missing.indicators] == [
            i.contribution for i in at_worst.indicators
        ]


def test_a_complete_input_says_so(table4):
    result = score(table4, MIDDLING)
    assert result.incomplete is False
    assert result.coverage == "5/5"


def test_nothing_available(table4):
    result = score(table4, dict.fromkeys(table4.codes))
    assert (result.overall, result.grade, result.coverage) == (0.0, "E", "0/5")
    assert result.incomplete is True
    assert all(i.value is None for i in result.indicators)
    assert [i.potential_gain for i in result.indicators] == approx([25, 15, 10, 20, 30])


def test_as_dict_keeps_the_section_3_order_with_null(table4):
    data = score(table4, {**ALL_BEST, "npd_cycle": None}).as_dict()
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
    assert (data["incomplete"], data["coverage"]) == (True, "4/5")
    npd = data["indicators"][1]
    assert npd["code"] == "npd_cycle" and npd["value"] is None
    assert npd["contribution"] == 0.0
    assert data["overall"] == approx(85.0)  # 100 - 15


def test_an_absent_key_and_other_bad_values_are_still_errors(table4):
    absent = {k: v for k, v in MIDDLING.items() if k != "npd_cycle"}
    with pytest.raises(ScoringError) as info:
        score(table4, absent)
    assert list(info.value.errors) == ["npd_cycle"]
    for bad in ("", "  ", math.nan, "x", [None], True):
        with pytest.raises(ScoringError) as info:
            score(table4, {**MIDDLING, "npd_cycle": bad})
        assert list(info.value.errors) == ["npd_cycle"], bad


def test_validate_values_accepts_none_only_when_asked(table4):
    values = {**MIDDLING, "npd_cycle": None}
    with pytest.raises(ScoringError, match="required"):
        validate_values(table4, values)  # a draft's blank stays "required" on the web form
    cleaned = validate_values(table4, values, allow_not_available=True)
    assert cleaned["npd_cycle"] is None
    assert cleaned["logistics_cost"] == 12.5


# --- the bulk path ------------------------------------------------------------------------


def _matrix(table4, cases):
    rows = [[np.nan if case[c] is None else case[c] for c in table4.codes] for case in cases]
    return np.array(rows, dtype=float)


CASES = [
    {**MIDDLING, "environmental_impact_score": None},
    MIDDLING,
    {**ALL_BEST, "logistics_cost": None, "market_response_time": None},
    dict.fromkeys(MIDDLING),
]


def test_bulk_with_a_mask_matches_single_bit_for_bit(table4):
    matrix = _matrix(table4, CASES)
    available = ~np.isnan(matrix)
    bulk = score_bulk(table4, matrix, available=available)
    assert bulk.incomplete.tolist() == [True, False, True, True]
    for i, case in enumerate(CASES):
        single = score(table4, case)
        assert bulk.row(i) == single
        assert bulk.row(i).as_dict() == single.as_dict()
        assert bulk.overall[i] == single.overall
    assert bulk.row(2).coverage == "3/5"


def test_bulk_without_a_mask_still_refuses_nan(table4):
    with pytest.raises(ScoringError, match="not finite"):
        score_bulk(table4, _matrix(table4, CASES[:1]))


def test_a_nan_where_the_mask_says_available_is_refused(table4):
    matrix = _matrix(table4, CASES[:1])
    with pytest.raises(ScoringError) as info:
        score_bulk(table4, matrix, available=np.ones(matrix.shape, dtype=bool))
    assert list(info.value.errors) == ["environmental_impact_score"]


def test_values_the_mask_marks_not_available_are_ignored(table4):
    matrix = _matrix(table4, [MIDDLING])
    available = np.ones(matrix.shape, dtype=bool)
    available[0, 1] = False
    reference = score_bulk(table4, matrix, available=available)
    for ignored in (-5.0, np.inf, np.nan, 1e300):
        changed = matrix.copy()
        changed[0, 1] = ignored
        result = score_bulk(table4, changed, available=available)
        assert result.overall.tolist() == reference.overall.tolist()
        assert result.row(0).indicators[1].value is None


def test_an_all_true_mask_changes_nothing(table4):
    matrix = _matrix(table4, [MIDDLING, ALL_BEST, ALL_WORST])
    plain = score_bulk(table4, matrix)
    masked = score_bulk(table4, matrix, available=np.ones(matrix.shape, dtype=bool))
    assert masked.overall.tobytes() == plain.overall.tobytes()
    assert masked.contribution.tobytes() == plain.contribution.tobytes()
    assert [masked.row(i) for i in range(3)] == [plain.row(i) for i in range(3)]
    assert plain.available is None and not plain.incomplete.any()


@pytest.mark.parametrize(
    "available",
    [
        np.ones((2, 5), dtype=bool),
        np.ones((1, 4), dtype=bool),
        np.ones((1, 5), dtype=np.int64),
        np.ones(5, dtype=bool),
        [[True] * 5],
    ],
    ids=["wrong-rows", "wrong-columns", "not-bool", "1d", "list"],
)
def test_a_malformed_mask_is_named(table4, available):
    with pytest.raises(ScoringError) as info:
        score_bulk(table4, _matrix(table4, [MIDDLING]), available=available)
    assert list(info.value.errors) == ["available"]


def test_the_mask_is_not_modified_and_results_stay_read_only(table4):
    matrix = _matrix(table4, CASES)
    available = ~np.isnan(matrix)
    before = available.copy()
    bulk = score_bulk(table4, matrix, available=available)
    assert np.array_equal(available, before)
    with pytest.raises(ValueError):
        bulk.available[0, 0] = True


@st.composite
def masked_rows(draw):
    scheme = draw(schemes())
    n = draw(st.integers(1, 5))
    rows, masks = [], []
    for _ in range(n):
        mask = [draw(st.booleans()) for _ in scheme.indicators]
        rows.append(
            [
                draw(value_for(ind)) if m else np.nan
                for ind, m in zip(scheme.indicators, mask, strict=True)
            ]
        )
        masks.append(mask)
    return scheme, np.array(rows, dtype=float), np.array(masks, dtype=bool)


@settings(max_examples=150, deadline=None)
@given(masked_rows())
def test_bulk_and_single_agree_with_missing_values(case):
    scheme, rows, masks = case
    bulk = score_bulk(scheme, rows, available=masks)
    for i in range(len(rows)):
        values = {
            code: (float(x) if ok else None)
            for code, x, ok in zip(scheme.codes, rows[i], masks[i], strict=True)
        }
        single = score(scheme, values)
        assert bulk.row(i) == single
        assert single.coverage == f"{int(masks[i].sum())}/{len(scheme.codes)}"
        assert single.incomplete == (not masks[i].all())
        assert 0.0 <= single.overall <= 100.0
