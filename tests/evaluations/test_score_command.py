"""``manage.py score``: PRODUCT.md section 3's text interface, run as a shell would run it."""

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from evaluations import services
from evaluations.models import WeightScheme
from evaluations.scoring import default_seed, plausibility_warnings, robustness_band, score
from evaluations.scoring.checklist import environmental_checklist
from tests.factories import WeightSchemeFactory

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]

HAND_CHECKED = {
    "logistics_cost": 12.5,
    "npd_cycle": 97,
    "tech_update_speed": 12,
    "market_response_time": 48.5,
    "environmental_impact_score": 60,
}


@pytest.fixture
def run(manage):
    """``run(*args, stdin=None) -> (exit status, stdout, stderr)`` through manage.py's own path."""
    return functools.partial(manage, "score")


@pytest.fixture
def input_file(tmp_path):
    def write(text: str) -> str:
        path = tmp_path / "input.json"
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


def test_hand_checked_example_from_a_file(run, input_file):
    path = input_file(json.dumps({"values": HAND_CHECKED, "scheme": "ye-2025-table-4"}))
    status, out, err = run(path)
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert (result["scheme"], result["scheme_version"], result["grade"]) == (
        "ye-2025-table-4",
        1,
        "C",
    )
    # s = (x - worst) / (best - worst): (12.5-30)/(5-30) = 0.7, (97-180)/(14-180) = 0.5,
    # 12/24 = 0.5, (48.5-90)/(7-90) = 0.5, 60/100 = 0.6
    indicators = {row["code"]: row for row in result["indicators"]}
    normalized = [indicators[code]["normalized"] for code in HAND_CHECKED]
    assert normalized == pytest.approx([0.7, 0.5, 0.5, 0.5, 0.6])
    contributions = [indicators[code]["contribution"] for code in HAND_CHECKED]
    assert contributions == pytest.approx([17.5, 7.5, 5.0, 10.0, 18.0])
    assert indicators["logistics_cost"]["potential_gain"] == pytest.approx(7.5)
    assert indicators["logistics_cost"]["value"] == 12.5
    assert result["overall"] == pytest.approx(58.0)  # 17.5 + 7.5 + 5 + 10 + 18
    assert [row["code"] for row in result["dimensions"]] == [
        "operational_efficiency",
        "innovation_capacity",
        "market_adaptability",
        "sustainability",
    ]
    assert [row["weight"] for row in result["dimensions"]] == pytest.approx([0.25, 0.25, 0.2, 0.3])
    assert [row["score"] for row in result["dimensions"]] == pytest.approx([70, 50, 50, 60])
    # Unrounded: exactly what the engine returns, key for key, and no warning for sane values.
    spec = services.scheme_spec(services.default_scheme())
    expected = score(spec, HAND_CHECKED).as_dict()
    assert result == {**expected, "warnings": []}
    assert list(result) == [
        "scheme",
        "scheme_version",
        "overall",
        "grade",
        "incomplete",
        "coverage",
        "warnings",
        "dimensions",
        "indicators",
    ]
    assert (result["incomplete"], result["coverage"]) == (False, "5/5")
    assert "robustness" not in result  # only with --robustness


def test_standard_input_and_the_default_scheme(run):
    status, out, err = run("-", stdin=json.dumps({"values": HAND_CHECKED}))
    assert (status, err) == (0, "")
    assert json.loads(out)["overall"] == pytest.approx(58.0)


def test_a_scheme_by_slug_is_its_latest_published_version(run):
    clone = services.scheme_clone(scheme=services.default_scheme())
    clone.rows.filter(indicator__code="logistics_cost").update(weight="0.35")
    clone.rows.filter(indicator__code="environmental_impact_score").update(weight="0.20")
    services.scheme_publish(scheme=clone, user=None)
    services.scheme_clone(scheme=clone)  # a draft v3 is never used
    text = json.dumps({"values": HAND_CHECKED, "scheme": "ye-2025-table-4"})
    latest = json.loads(run("-", stdin=text)[1])
    assert latest["scheme_version"] == 2
    assert latest["overall"] == pytest.approx(35 * 0.7 + 7.5 + 5 + 10 + 20 * 0.6)
    pinned = json.loads(run("-", stdin=text[:-1] + ', "scheme_version": 1}')[1])
    assert (pinned["scheme_version"], pinned["overall"]) == (1, pytest.approx(58.0))


def _with(**changes):
    values = {**HAND_CHECKED, **changes}
    return json.dumps({"values": {k: v for k, v in values.items() if v is not ...}})


BAD_INPUTS = {
    "negative": (_with(logistics_cost=-1), ["logistics_cost"]),
    "non-numeric": (_with(npd_cycle="fast"), ["npd_cycle"]),
    "numeric-string": (_with(npd_cycle="97"), ["npd_cycle"]),
    "boolean": (_with(tech_update_speed=True), ["tech_update_speed"]),
    "list": (_with(tech_update_speed=[1]), ["tech_update_speed"]),
    "nan": (_with(tech_update_speed=float("nan")), ["tech_update_speed"]),
    "infinity": (_with(market_response_time=float("inf")), ["market_response_time"]),
    "minus-infinity": (_with(market_response_time=float("-inf")), ["market_response_time"]),
    "overflow": (_with(npd_cycle=1).replace('"npd_cycle": 1', '"npd_cycle": 1e400'), ["npd_cycle"]),
    "percentage-above-100": (_with(logistics_cost=100.5), ["logistics_cost"]),
    "score-above-100": (_with(environmental_impact_score=101), ["environmental_impact_score"]),
    "missing-indicator": (_with(environmental_impact_score=...), ["environmental_impact_score"]),
    "unknown-indicator": (_with(carbon_intensity=3), ["carbon_intensity"]),
    "several": (
        _with(logistics_cost=-3, npd_cycle="x", environmental_impact_score=...),
        ["logistics_cost", "npd_cycle", "environmental_impact_score"],
    ),
    "unknown-scheme": (json.dumps({"values": HAND_CHECKED, "scheme": "nope"}), ["scheme"]),
    "unknown-version": (
        json.dumps({"values": HAND_CHECKED, "scheme": "ye-2025-table-4", "scheme_version": 9}),
        ["scheme"],
    ),
    "bad-version": (
        json.dumps({"values": HAND_CHECKED, "scheme": "ye-2025-table-4", "scheme_version": "1"}),
        ["scheme_version"],
    ),
    "version-without-scheme": (
        json.dumps({"values": HAND_CHECKED, "scheme_version": 1}),
        ["scheme_version"],
    ),
    "scheme-not-text": (json.dumps({"values": HAND_CHECKED, "scheme": 4}), ["scheme"]),
    "values-not-an-object": (json.dumps({"values": [12.5, 97]}), ["values"]),
    "values-missing": (json.dumps({"scheme": "ye-2025-table-4"}), ["values"]),
    "unknown-key": (json.dumps({"values": HAND_CHECKED, "schema": "x"}), ["schema"]),
    "not-an-object": ("[1, 2]", ["must be a JSON object"]),
    "invalid-json": ('{"values": {"logistics_cost": 12.5,', ["not valid JSON"]),
    "empty": ("", ["not valid JSON"]),
}


@pytest.mark.parametrize(("text", "named"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_exits_2_naming_each_field(run, input_file, text, named):
    for args, stdin in (([input_file(text)], None), (["-"], text)):
        status, out, err = run(*args, stdin=stdin)
        assert status == 2
        assert out == ""
        for field in named:
            assert field in err
        assert "Traceback" not in err


def test_null_is_not_available_and_scores_at_the_worst_bound(run):
    """PRODUCT.md section 8: JSON null is "not available", s = 0; the result says so."""
    status, out, err = run("-", stdin=_with(tech_update_speed=None))
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert (result["incomplete"], result["coverage"]) == (True, "4/5")
    tech = next(row for row in result["indicators"] if row["code"] == "tech_update_speed")
    assert tech["value"] is None and tech["contribution"] == 0.0
    assert tech["potential_gain"] == pytest.approx(10.0)  # 100 x 0.10, all still to win
    assert result["overall"] == pytest.approx(58.0 - 5.0)  # the hand-checked 58 without its 5


def test_nan_is_refused_even_though_python_json_accepts_it(run):
    status, out, err = run("-", stdin=_with(tech_update_speed=float("nan")))
    assert "NaN" in _with(tech_update_speed=float("nan"))  # the literal json.dumps writes
    assert (status, out) == (2, "")
    assert "tech_update_speed: must be a finite number (got nan)" in err


def test_a_draft_is_never_used(run):
    WeightSchemeFactory(slug="work-in-progress")
    status, out, err = run(
        "-", stdin=json.dumps({"values": HAND_CHECKED, "scheme": "work-in-progress"})
    )
    assert (status, out) == (2, "")
    assert "scheme: unknown scheme" in err


def test_an_unreadable_file_is_named(run, tmp_path):
    missing = tmp_path / "missing.json"
    status, out, err = run(str(missing))
    assert (status, out) == (2, "")
    assert str(missing) in err and "cannot be read" in err
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00")
    assert run(str(binary))[0] == 2


def test_a_real_process_exits_2_without_a_traceback(tmp_path):
    """The shell's view: exit status and standard error, nothing on standard output."""
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    process = subprocess.run(
        [sys.executable, "manage.py", "score", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "cbec_site.settings_test", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert process.returncode == 2
    assert process.stdout == ""
    assert "not valid JSON" in process.stderr and "Traceback" not in process.stderr


# --- plausibility warnings (PRODUCT.md section 8) -----------------------------------------------


def test_implausible_values_are_scored_and_warned_about(run):
    values = {**HAND_CHECKED, "logistics_cost": 75, "npd_cycle": 900}
    status, out, err = run("-", stdin=json.dumps({"values": values}))
    assert (status, err) == (0, "")
    result = json.loads(out)
    spec = services.scheme_spec(services.default_scheme())
    assert result["warnings"] == [w.as_dict() for w in plausibility_warnings(spec, values)]
    assert [w["field"] for w in result["warnings"]] == ["logistics_cost", "npd_cycle"]
    assert "75" in result["warnings"][0]["message"] and "60" in result["warnings"][0]["message"]
    assert result["overall"] == score(spec, values).overall


def test_an_entry_of_zeros_is_warned_about(run):
    zeros = dict.fromkeys(HAND_CHECKED, 0)
    result = json.loads(run("-", stdin=json.dumps({"values": zeros}))[1])
    assert [w["field"] for w in result["warnings"]] == ["values"]


# --- the environmental checklist ----------------------------------------------------------------

CHECKLIST = {
    "green_packaging_pct": 60,
    "low_carbon_shipping_pct": 40,
    "renewable_electricity_pct": 20,
    "emissions_reported": True,
    "reduction_target": False,
    "returns_programme": True,
}
WITHOUT_ENV = {k: v for k, v in HAND_CHECKED.items() if k != "environmental_impact_score"}


def test_the_checklist_computes_the_environmental_score(run):
    text = json.dumps({"values": WITHOUT_ENV, "checklist": CHECKLIST})
    status, out, err = run("-", stdin=text)
    assert (status, err) == (0, "")
    result = json.loads(out)
    total = environmental_checklist(CHECKLIST).total
    env = next(row for row in result["indicators"] if row["code"] == "environmental_impact_score")
    assert env["value"] == total
    spec = services.scheme_spec(services.default_scheme())
    expected = score(spec, {**WITHOUT_ENV, "environmental_impact_score": total})
    assert result["overall"] == expected.overall


def _checklist(**changes):
    answers = {**CHECKLIST, **changes}
    answers = {k: v for k, v in answers.items() if v is not ...}
    return json.dumps({"values": WITHOUT_ENV, "checklist": answers})


BAD_CHECKLISTS = {
    "false-as-text": (_checklist(reduction_target="false"), ["checklist.reduction_target"]),
    "zero-as-no": (_checklist(emissions_reported=0), ["checklist.emissions_reported"]),
    "no-as-text": (_checklist(returns_programme="no"), ["checklist.returns_programme"]),
    "share-as-text": (_checklist(green_packaging_pct="60"), ["checklist.green_packaging_pct"]),
    "share-above-100": (_checklist(low_carbon_shipping_pct=101), ["low_carbon_shipping_pct"]),
    "share-as-boolean": (_checklist(renewable_electricity_pct=True), ["renewable_electricity"]),
    "missing-answer": (_checklist(returns_programme=...), ["checklist.returns_programme"]),
    "unknown-answer": (_checklist(solar=True), ["checklist.solar"]),
    "not-an-object": (
        json.dumps({"values": WITHOUT_ENV, "checklist": [1, 2]}),
        ["checklist"],
    ),
    "env-given-twice": (
        json.dumps({"values": HAND_CHECKED, "checklist": CHECKLIST}),
        ["environmental_impact_score"],
    ),
    "env-null-and-checklist": (
        json.dumps(
            {"values": {**WITHOUT_ENV, "environmental_impact_score": None}, "checklist": CHECKLIST}
        ),
        ["environmental_impact_score"],
    ),
    "checklist-and-bad-value": (
        json.dumps({"values": {**WITHOUT_ENV, "npd_cycle": -1}, "checklist": {}}),
        ["npd_cycle", "checklist.green_packaging_pct"],
    ),
}


@pytest.mark.parametrize(("text", "named"), BAD_CHECKLISTS.values(), ids=BAD_CHECKLISTS.keys())
def test_a_bad_checklist_exits_2_naming_each_answer(run, text, named):
    status, out, err = run("-", stdin=text)
    assert (status, out) == (2, "")
    for field in named:
        assert field in err
    assert "Traceback" not in err


def test_the_checklist_needs_a_scheme_that_scores_it(run):
    """Every published scheme scores the catalogue's indicators today; a scheme of another
    catalogue (published here behind the services' back) may not score the environment."""
    scheme = WeightSchemeFactory(
        slug="no-environment",
        rows={"environmental_impact_score": None, "logistics_cost": {"weight": "0.55"}},
    )
    WeightScheme.objects.filter(pk=scheme.pk).update(status=WeightScheme.Status.PUBLISHED)
    assert scheme.rows.count() == 4
    text = json.dumps({"values": WITHOUT_ENV, "checklist": CHECKLIST, "scheme": scheme.slug})
    status, out, err = run("-", stdin=text)
    assert (status, out) == (2, "")
    assert "checklist: " in err and "environmental_impact_score" in err


# --- the robustness band ------------------------------------------------------------------------


def test_robustness_with_the_schemes_own_settings(run):
    status, out, err = run("--robustness", "-", stdin=json.dumps({"values": HAND_CHECKED}))
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert list(result)[-1] == "robustness"
    spec = services.scheme_spec(services.default_scheme())
    expected = robustness_band(spec, HAND_CHECKED).as_dict()
    assert result["robustness"] == expected
    band = result["robustness"]
    assert (band["draws"], band["weight_spread"], band["bound_spread"]) == (2000, 0.25, 0.2)
    assert band["seed"] == default_seed("ye-2025-table-4", 1)
    assert band["low"] <= result["overall"] <= band["high"]
    assert band["same_grade"] == band["grade_share"][result["grade"]]


def test_robustness_overrides(run):
    overrides = {"draws": 500, "seed": 7, "weight_spread": 0.5, "bound_spread": 0.1}
    text = json.dumps({"values": HAND_CHECKED, "robustness": overrides})
    status, out, err = run("--robustness", "-", stdin=text)
    assert (status, err) == (0, "")
    band = json.loads(out)["robustness"]
    assert {key: band[key] for key in overrides} == overrides
    spec = services.scheme_spec(services.default_scheme())
    assert band == robustness_band(spec, HAND_CHECKED, **overrides).as_dict()


def test_with_both_spreads_zero_the_band_is_the_point_score(run):
    values = {**HAND_CHECKED, "npd_cycle": None}
    text = json.dumps({"values": values, "robustness": {"weight_spread": 0, "bound_spread": 0}})
    result = json.loads(run("--robustness", "-", stdin=text)[1])
    band = result["robustness"]
    assert band["low"] == band["median"] == band["high"] == result["overall"]
    assert band["same_grade"] == 1.0


def _robust(overrides):
    return json.dumps({"values": HAND_CHECKED, "robustness": overrides})


BAD_ROBUSTNESS = {
    "weight-spread-too-wide": (_robust({"weight_spread": 0.95}), ["robustness.weight_spread"]),
    "bound-spread-too-wide": (_robust({"bound_spread": 0.5}), ["robustness.bound_spread"]),
    "negative-spread": (_robust({"bound_spread": -0.1}), ["robustness.bound_spread"]),
    "no-draws": (_robust({"draws": 0}), ["robustness.draws"]),
    "too-many-draws": (_robust({"draws": 100_001}), ["robustness.draws"]),
    "fractional-draws": (_robust({"draws": 10.5}), ["robustness.draws"]),
    "negative-seed": (_robust({"seed": -1}), ["robustness.seed"]),
    "fractional-seed": (_robust({"seed": 1.5}), ["robustness.seed"]),
    "text-seed": (_robust({"seed": "1"}), ["robustness.seed"]),
    "unknown-setting": (_robust({"iterations": 5}), ["robustness.iterations"]),
    "not-an-object": (_robust([1]), ["robustness"]),
    "bad-value-too": (
        json.dumps({"values": {**HAND_CHECKED, "npd_cycle": -1}, "robustness": {"draws": 0}}),
        ["npd_cycle", "robustness.draws"],
    ),
}


@pytest.mark.parametrize(("text", "named"), BAD_ROBUSTNESS.values(), ids=BAD_ROBUSTNESS.keys())
def test_bad_robustness_settings_exit_2_naming_each(run, text, named):
    status, out, err = run("--robustness", "-", stdin=text)
    assert (status, out) == (2, "")
    for field in named:
        assert field in err
    assert "Traceback" not in err


def test_robustness_settings_need_the_flag(run):
    status, out, err = run("-", stdin=_robust({"draws": 100}))
    assert (status, out) == (2, "")
    assert "robustness: " in err and "--robustness" in err


# --- the profile (validated now, used by --advice later) ------------------------------------------


def test_a_valid_profile_is_accepted_and_changes_no_score(run):
    plain = json.loads(run("-", stdin=json.dumps({"values": HAND_CHECKED}))[1])
    for profile in (
        {"operation_modes": ["b2c", "live"], "target_markets": 3},
        {"operation_modes": [], "target_markets": 0},
        {"target_markets": 12},
        {"operation_modes": ["b2b"]},
        {},
    ):
        text = json.dumps({"values": HAND_CHECKED, "profile": profile})
        status, out, err = run("-", stdin=text)
        assert (status, err) == (0, ""), profile
        assert json.loads(out) == plain


def _profile(profile):
    return json.dumps({"values": HAND_CHECKED, "profile": profile})


BAD_PROFILES = {
    "unknown-mode": (_profile({"operation_modes": ["b2c", "b2x"]}), ["profile.operation_modes[1]"]),
    "mode-not-text": (_profile({"operation_modes": [1]}), ["profile.operation_modes[0]"]),
    "mode-twice": (_profile({"operation_modes": ["b2c", "b2c"]}), ["profile.operation_modes[1]"]),
    "modes-not-a-list": (_profile({"operation_modes": "b2c"}), ["profile.operation_modes"]),
    "negative-markets": (_profile({"target_markets": -1}), ["profile.target_markets"]),
    "fractional-markets": (_profile({"target_markets": 2.5}), ["profile.target_markets"]),
    "boolean-markets": (_profile({"target_markets": True}), ["profile.target_markets"]),
    "text-markets": (_profile({"target_markets": "3"}), ["profile.target_markets"]),
    "unknown-key": (_profile({"employees": 30}), ["profile.employees"]),
    "not-an-object": (_profile(["b2c"]), ["profile"]),
}


@pytest.mark.parametrize(("text", "named"), BAD_PROFILES.values(), ids=BAD_PROFILES.keys())
def test_a_bad_profile_exits_2_naming_the_field(run, text, named):
    status, out, err = run("-", stdin=text)
    assert (status, out) == (2, "")
    for field in named:
        assert field in err
    assert "Traceback" not in err


# --- --advice: the ranked advice without a cohort (PRODUCT.md section 6) -------------------------

WORST = {
    "logistics_cost": 60,
    "npd_cycle": 400,
    "tech_update_speed": 8,
    "market_response_time": 200,
    "environmental_impact_score": 55,
}


def _advice(run, **data) -> list[dict]:
    status, out, err = run("--advice", "-", stdin=json.dumps(data))
    assert (status, err) == (0, "")
    return json.loads(out)["advice"]


def test_advice_reaches_the_worst_performers_weakest_indicators(run):
    """60 % logistics cost, a 400-day cycle and a 200-day response: those three hold most of
    the missing points, and each gets a target that improves it."""
    advice = _advice(run, values=WORST)
    changed = {a["change"]["input"]: a for a in advice if a["change"]}
    assert {"logistics_cost", "npd_cycle", "market_response_time"} <= set(changed)
    assert changed["logistics_cost"]["change"] == {
        "input": "logistics_cost",
        "from": 60,
        "to": 17.5,
    }
    assert changed["logistics_cost"]["points"] == pytest.approx(12.5)
    points = [a["points"] for a in advice if a["points"] is not None]
    assert points == sorted(points, reverse=True)
    assert advice[0]["change"]["input"] == "logistics_cost"  # the largest gap first


def test_advice_never_repeats_what_the_checklist_says_is_done(run):
    advice = _advice(run, values=WITHOUT_ENV, checklist={**CHECKLIST, "emissions_reported": True})
    answers = {a["change"]["input"] for a in advice if a["change"]}
    assert "emissions_reported" not in answers
    codes = {a["code"] for a in advice}
    assert "env-measure-report-emissions" not in codes


def test_advice_items_of_one_indicator_share_the_same_change(run):
    advice = _advice(run, values=HAND_CHECKED)
    logistics = [a for a in advice if a["change"] and a["change"]["input"] == "logistics_cost"]
    assert len(logistics) >= 2
    assert len({json.dumps(a["change"]) for a in logistics}) == 1
    assert len({a["points"] for a in logistics}) == 1


def test_advice_without_points_is_listed_last_with_both_sources(run):
    advice = _advice(run, values=HAND_CHECKED)
    first_without = next(i for i, a in enumerate(advice) if a["points"] is None)
    assert all(a["points"] is None and a["change"] is None for a in advice[first_without:])
    for a in advice:
        assert a["basis"].startswith("Ye (2025)") and a["practice"] and a["title"]


def test_profile_dependent_advice_needs_the_profile(run):
    without = {a["code"] for a in _advice(run, values=HAND_CHECKED)}
    profile = {"operation_modes": ["b2c", "live"], "target_markets": 4}
    with_profile = {a["code"] for a in _advice(run, values=HAND_CHECKED, profile=profile)}
    assert without < with_profile
