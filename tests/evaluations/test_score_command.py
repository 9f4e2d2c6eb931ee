"""``manage.py score``: PRODUCT.md section 3's text interface, run as a shell would run it."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import execute_from_command_line
from django.db import connections

from evaluations import services
from evaluations.scoring import score
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
def run(capsys, monkeypatch):
    """``run(*args, stdin=None) -> (exit status, stdout, stderr)`` through manage.py's own path."""
    # run_from_argv closes every connection when it ends: that would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args, stdin=None):
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            execute_from_command_line(["manage.py", "score", *args])
            status = 0
        except SystemExit as exit:
            status = exit.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


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
    # Unrounded: exactly what the engine returns, key for key.
    spec = services.scheme_spec(services.default_scheme())
    assert result == score(spec, HAND_CHECKED).as_dict()


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
