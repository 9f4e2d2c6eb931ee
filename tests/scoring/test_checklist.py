import pytest

from evaluations.scoring.checklist import ChecklistError, environmental_checklist

ANSWERS = {
    "green_packaging_pct": 60,
    "low_carbon_shipping_pct": 40,
    "emissions_reported": True,
    "reduction_target": False,
    "renewable_electricity_pct": 20,
    "returns_programme": True,
}


def test_the_arithmetic_by_hand():
    # 0.30 x 60 = 18; 0.25 x 40 = 10; reported +15; no target 0; 0.10 x 20 = 2; returns +10
    result = environmental_checklist(ANSWERS)
    assert [line.points for line in result.lines] == [18.0, 10.0, 15.0, 0.0, 2.0, 10.0]
    assert result.total == pytest.approx(55.0)


def test_everything_done_is_100_and_nothing_done_is_0():
    best = {k: (100 if k.endswith("_pct") else True) for k in ANSWERS}
    worst = {k: (0 if k.endswith("_pct") else False) for k in ANSWERS}
    assert environmental_checklist(best).total == pytest.approx(100.0)
    assert environmental_checklist(worst).total == 0.0


@pytest.mark.parametrize("bad", [-1, 100.5, float("nan"), float("inf"), "abc", "", None, True])
def test_a_bad_share_is_named(bad):
    with pytest.raises(ChecklistError) as error:
        environmental_checklist({**ANSWERS, "green_packaging_pct": bad})
    assert set(error.value.errors) == {"green_packaging_pct"}
