"""Weights from pairwise comparisons (PRODUCT.md section 9): Saaty's eigenvector method."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluations.scoring import ScoringError, ahp, combine_levels
from evaluations.scoring.ahp import RANDOM_INDEX

# Saaty's random indices for n = 1..10, as PRODUCT.md section 9 lists them.
SAATY_RI = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)


def reciprocal(upper: dict[tuple[int, int], float], n: int) -> list[list[float]]:
    matrix = [[1.0] * n for _ in range(n)]
    for (i, j), value in upper.items():
        matrix[i][j], matrix[j][i] = value, 1 / value
    return matrix


def test_saaty_2008_drinks_example():
    """Saaty, T.L. (2008) 'Decision making with the analytic hierarchy process', International
    Journal of Services Sciences 1(1), 83-98, the table "Which drink is consumed more in the
    U.S.?": the judgments below give the derived scale coffee .177, wine .019, tea .042, beer
    .116, sodas .190, milk .129, water .327, with a consistency ratio of .022 (three decimals,
    as published)."""
    names = ["coffee", "wine", "tea", "beer", "sodas", "milk", "water"]
    upper = {
        (0, 1): 9, (0, 2): 5, (0, 3): 2, (0, 4): 1, (0, 5): 1, (0, 6): 1 / 2,
        (1, 2): 1 / 3, (1, 3): 1 / 9, (1, 4): 1 / 9, (1, 5): 1 / 9, (1, 6): 1 / 9,
        (2, 3): 1 / 3, (2, 4): 1 / 4, (2, 5): 1 / 3, (2, 6): 1 / 9,
        (3, 4): 1 / 2, (3, 5): 1, (3, 6): 1 / 3,
        (4, 5): 2, (4, 6): 1 / 2,
        (5, 6): 1 / 3,
    }  # fmt: skip
    result = ahp(names, reciprocal(upper, 7))
    published = [0.177, 0.019, 0.042, 0.116, 0.190, 0.129, 0.327]
    assert list(result.weights) == names
    assert list(result.weights.values()) == pytest.approx(published, abs=0.0005)
    assert result.cr == pytest.approx(0.022, abs=0.0005)
    assert result.ri == 1.32
    assert result.consistent is True


def test_the_classic_three_by_three_example():
    """The textbook matrix [[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]] (a criterion moderately more
    important than the second and strongly more than the third), widely reproduced after Saaty
    (1980), The Analytic Hierarchy Process: weights about (0.637, 0.258, 0.105), lambda_max about
    3.039, CR about 0.033 (three decimals)."""
    result = ahp(["a", "b", "c"], [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    assert list(result.weights.values()) == pytest.approx([0.637, 0.258, 0.105], abs=0.0005)
    assert result.lambda_max == pytest.approx(3.039, abs=0.0005)
    assert result.cr == pytest.approx(0.033, abs=0.0005)
    assert result.consistent


def test_the_specifications_rounded_input_is_accepted():
    """PRODUCT.md section 9's example writes 1/3 as 0.3333: reciprocal within 1e-3."""
    result = ahp(["a", "b", "c"], [[1, 3, 5], [0.3333, 1, 3], [0.2, 0.3333, 1]])
    assert list(result.weights.values()) == pytest.approx([0.637, 0.258, 0.105], abs=0.001)


def test_the_formulas_hold_for_any_input():
    matrix = [[1, 2, 7, 4], [1 / 2, 1, 3, 1 / 2], [1 / 7, 1 / 3, 1, 1 / 5], [1 / 4, 2, 5, 1]]
    result = ahp(["a", "b", "c", "d"], matrix)
    a = np.array(matrix)
    w = np.array(list(result.weights.values()))
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    assert (w > 0).all()
    # w is the principal right eigenvector: A w = lambda_max w
    assert a @ w == pytest.approx(result.lambda_max * w, rel=1e-9)
    assert result.lambda_max == pytest.approx(max(np.linalg.eigvals(a).real), rel=1e-12)
    assert result.ci == (result.lambda_max - 4) / 3
    assert result.ri == 0.90
    assert result.cr == result.ci / 0.90
    assert result.consistent == (result.cr <= 0.10)


def test_random_indices_are_saatys():
    assert tuple(RANDOM_INDEX[n] for n in range(1, 11)) == SAATY_RI


def test_a_consistent_matrix_gives_back_its_weights():
    truth = np.array([0.4, 0.3, 0.15, 0.1, 0.05])
    matrix = (truth[:, None] / truth[None, :]).tolist()
    result = ahp(list("abcde"), matrix)
    assert list(result.weights.values()) == pytest.approx(truth.tolist(), rel=1e-12)
    assert result.lambda_max == pytest.approx(5.0, rel=1e-12)
    assert result.cr == pytest.approx(0.0, abs=1e-12)
    assert result.consistent


def test_one_and_two_criteria():
    one = ahp(["only"], [[1]])
    assert one.weights == {"only": 1.0}
    assert (one.ci, one.ri, one.cr, one.consistent, one.most_inconsistent) == (
        0.0,
        0.0,
        0.0,
        True,
        None,
    )
    two = ahp(["a", "b"], [[1, 3], [1 / 3, 1]])
    assert list(two.weights.values()) == pytest.approx([0.75, 0.25], rel=1e-12)
    assert (two.ri, two.cr, two.consistent, two.most_inconsistent) == (0.0, 0.0, True, None)


def test_a_cyclic_matrix_is_inconsistent():
    # a beats b, b beats c, c beats a, each extremely: nothing is consistent about that
    result = ahp(["a", "b", "c"], [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    assert result.cr > 0.10
    assert result.consistent is False
    assert result.most_inconsistent is not None


@settings(max_examples=50, deadline=None)
@given(
    weights=st.lists(st.floats(0.6, 1.6), min_size=4, max_size=8),
    data=st.data(),
)
def test_the_most_inconsistent_pair_is_the_one_that_was_disturbed(weights, data):
    """A consistent matrix with one judgment exaggerated: that pair has the largest residual."""
    n = len(weights)
    w = np.array(weights)
    matrix = w[:, None] / w[None, :]
    i, j = sorted(data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True)))
    factor = data.draw(st.sampled_from([3.0, 1 / 3]))
    matrix[i, j] *= factor
    matrix[j, i] /= factor
    names = [f"c{k}" for k in range(n)]
    if not (matrix.min() >= 1 / 9 - 1e-6 and matrix.max() <= 9 + 1e-6):
        return  # outside Saaty's scale: not a valid input (covered by the validation tests)
    result = ahp(names, matrix.tolist())
    assert result.most_inconsistent == (names[i], names[j])
    weights_out = np.array(list(result.weights.values()))
    residuals = {
        (p, q): abs(math.log(matrix[p, q] * weights_out[q] / weights_out[p]))
        for p, q in itertools.combinations(range(n), 2)
    }
    assert max(residuals, key=residuals.get) == (i, j)


def test_as_dict_is_the_documented_shape():
    data = ahp(["a", "b", "c"], [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]).as_dict()
    assert list(data) == [
        "weights",
        "lambda_max",
        "ci",
        "ri",
        "cr",
        "consistent",
        "most_inconsistent",
    ]
    assert list(data["weights"]) == ["a", "b", "c"]
    assert all(type(v) is float for v in data["weights"].values())
    assert type(data["lambda_max"]) is float and type(data["consistent"]) is bool
    assert data["most_inconsistent"] is None or isinstance(data["most_inconsistent"], list)


# --- validation -----------------------------------------------------------------------------

GOOD = [[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]]


def _errors(criteria, matrix):
    with pytest.raises(ScoringError) as info:
        ahp(criteria, matrix)
    return info.value.errors


def _with(i, j, value, base=GOOD):
    matrix = [list(row) for row in base]
    matrix[i][j] = value
    return matrix


@pytest.mark.parametrize(
    ("criteria", "matrix", "keys"),
    [
        (["a", "b", "c"], [[1, 3, 5], [1 / 3, 1, 3]], {"matrix"}),
        (["a", "b", "c"], [[1, 3], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]], {"matrix[0]"}),
        (["a", "b"], GOOD, {"criteria"}),
        (["a", "b", "a"], GOOD, {"criteria[2]"}),
        (["a", "", "c"], GOOD, {"criteria[1]"}),
        (["a", 2, "c"], GOOD, {"criteria[1]"}),
        ("abc", GOOD, {"criteria"}),
        ([], [], {"criteria"}),
        (["a", "b", "c"], "matrix", {"matrix"}),
        (["a", "b", "c"], [[1, 3, 5], "row", [1 / 5, 1 / 3, 1]], {"matrix[1]"}),
        (["a", "b", "c"], _with(1, 0, 0), {"matrix[1][0]"}),
        (["a", "b", "c"], _with(1, 0, -1 / 3), {"matrix[1][0]"}),
        (["a", "b", "c"], _with(0, 2, 9.01), {"matrix[0][2]"}),
        (["a", "b", "c"], _with(2, 0, 1 / 9.5), {"matrix[2][0]"}),
        (["a", "b", "c"], _with(0, 2, math.nan), {"matrix[0][2]"}),
        (["a", "b", "c"], _with(0, 2, math.inf), {"matrix[0][2]"}),
        (["a", "b", "c"], _with(0, 2, "5"), {"matrix[0][2]"}),
        (["a", "b", "c"], _with(0, 2, True), {"matrix[0][2]"}),
        (["a", "b", "c"], _with(0, 2, None), {"matrix[0][2]"}),
        (["a", "b", "c"], _with(1, 1, 2), {"matrix[1][1]"}),
        (["a", "b", "c"], _with(0, 2, 4), {"matrix[0][2]"}),  # 4 x 1/5 is not 1
    ],
    ids=[
        "not-square-rows",
        "not-square-row",
        "names-fewer",
        "duplicate-name",
        "empty-name",
        "name-not-text",
        "criteria-not-a-list",
        "nothing",
        "matrix-not-a-list",
        "row-not-a-list",
        "zero",
        "negative",
        "above-9",
        "below-1/9",
        "nan",
        "infinity",
        "string",
        "boolean",
        "null",
        "diagonal",
        "not-reciprocal",
    ],
)
def test_bad_input_is_named(criteria, matrix, keys):
    errors = _errors(criteria, matrix)
    assert set(errors) == keys, errors
    assert all(message for message in errors.values())


def test_the_reciprocal_message_names_both_entries():
    message = _errors(["a", "b", "c"], _with(0, 2, 4))["matrix[0][2]"]
    assert "matrix[2][0]" in message


def test_more_than_ten_criteria():
    names = [f"c{k}" for k in range(11)]
    matrix = [[1.0] * 11 for _ in range(11)]
    assert set(_errors(names, matrix)) == {"criteria"}
    assert ahp(names[:10], [row[:10] for row in matrix[:10]]).ri == 1.49


def test_tolerances_at_the_edges_of_the_scale():
    assert ahp(["a", "b"], [[1, 9 + 5e-7], [1 / (9 + 5e-7), 1]]).weights
    assert ahp(["a", "b"], [[1, 1 / 9 - 5e-7], [9, 1]]).weights
    assert ahp(["a", "b"], [[1, 3], [0.3335, 1]]).weights  # 3 x 0.3335 = 1.0005: within 1e-3
    assert set(_errors(["a", "b"], [[1, 3], [0.334, 1]])) == {"matrix[0][1]"}  # 1.002


def test_every_problem_is_reported_at_once():
    matrix = _with(1, 1, 2, _with(0, 2, 10))
    errors = _errors(["a", "b", "c"], matrix)
    assert {"matrix[1][1]", "matrix[0][2]"} <= set(errors)


# --- two levels -------------------------------------------------------------------------------


def test_an_indicators_weight_is_its_dimensions_times_its_own():
    weights = combine_levels(
        {"ops": 0.6, "green": 0.4},
        {"ops": {"cost": 0.75, "speed": 0.25}, "green": {"env": 1.0}},
    )
    assert weights == pytest.approx({"cost": 0.45, "speed": 0.15, "env": 0.4})
    assert list(weights) == ["cost", "speed", "env"]
    assert math.fsum(weights.values()) == pytest.approx(1.0, abs=1e-12)


def test_levels_from_ahp_results_sum_to_one():
    top = ahp(["a", "b", "c"], GOOD)
    inner = {
        "a": ahp(["x", "y"], [[1, 2], [1 / 2, 1]]).weights,
        "b": ahp(["z"], [[1]]).weights,
        "c": ahp(["u", "v", "w"], GOOD).weights,
    }
    weights = combine_levels(top.weights, inner)
    assert math.fsum(weights.values()) == pytest.approx(1.0, abs=1e-12)
    assert weights["z"] == top.weights["b"]


@pytest.mark.parametrize(
    ("dimensions", "indicators", "key"),
    [
        ({"a": 0.5, "b": 0.5}, {"a": {"x": 1.0}}, "b"),
        ({"a": 1.0}, {"a": {"x": 1.0}, "b": {"y": 1.0}}, "b"),
        ({"a": 0.5, "b": 0.5}, {"a": {"x": 1.0}, "b": {"x": 1.0}}, "x"),
        ({"a": 0.7, "b": 0.5}, {"a": {"x": 1.0}, "b": {"y": 1.0}}, "dimensions"),
        ({"a": 1.0}, {"a": {"x": 0.5, "y": 0.4}}, "a"),
        ({"a": -1.0, "b": 2.0}, {"a": {"x": 1.0}, "b": {"y": 1.0}}, "a"),
    ],
    ids=[
        "dimension-without-weights",
        "weights-without-dimension",
        "indicator-twice",
        "top-sum",
        "inner-sum",
        "negative",
    ],
)
def test_combining_mismatched_levels_is_refused(dimensions, indicators, key):
    with pytest.raises(ScoringError) as info:
        combine_levels(dimensions, indicators)
    assert key in info.value.errors
