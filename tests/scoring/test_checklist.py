import pytest

from evaluations.scoring.checklist import (
    ChecklistError,
    checklist_from_json,
    environmental_checklist,
)

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


# --- the JSON form of the answers (the score command, the API) ----------------------------------

JSON_ANSWERS = {
    "green_packaging_pct": 60,
    "low_carbon_shipping_pct": 40.5,
    "renewable_electricity_pct": 0,
    "emissions_reported": True,
    "reduction_target": False,
    "returns_programme": True,
}


def test_json_answers_give_the_same_arithmetic():
    assert checklist_from_json(JSON_ANSWERS) == environmental_checklist(JSON_ANSWERS)


@pytest.mark.parametrize("bad", ["false", 0, 1, "no", "yes", None, [], "true"])
def test_a_yes_no_answer_must_be_a_json_boolean(bad):
    with pytest.raises(ChecklistError) as error:
        checklist_from_json({**JSON_ANSWERS, "reduction_target": bad})
    assert list(error.value.errors) == ["reduction_target"]
    assert "true or false" in error.value.errors["reduction_target"]


@pytest.mark.parametrize("bad", ["50", True, None, -0.1, 100.01, float("nan"), [50]])
def test_a_share_must_be_a_json_number_from_0_to_100(bad):
    with pytest.raises(ChecklistError) as error:
        checklist_from_json({**JSON_ANSWERS, "green_packaging_pct": bad})
    assert list(error.value.errors) == ["green_packaging_pct"]


def test_all_six_answers_and_nothing_else():
    partial = {k: v for k, v in JSON_ANSWERS.items() if k != "returns_programme"}
    with pytest.raises(ChecklistError) as error:
        checklist_from_json({**partial, "solar_panels": True})
    assert set(error.value.errors) == {"returns_programme", "solar_panels"}
    assert "required" in error.value.errors["returns_programme"]
    assert "unknown" in error.value.errors["solar_panels"]
