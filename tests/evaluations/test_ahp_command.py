"""``manage.py ahp``: PRODUCT.md section 9's text interface, run as a shell would run it."""

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from evaluations.scoring import ahp

REPO = Path(__file__).resolve().parents[2]
# PRODUCT.md section 9's own example (1/3 written as 0.3333).
EXAMPLE = {
    "criteria": ["a", "b", "c"],
    "matrix": [[1, 3, 5], [0.3333, 1, 3], [0.2, 0.3333, 1]],
}


@pytest.fixture
def run(manage):
    """``run(*args, stdin=None) -> (exit status, stdout, stderr)``; needs no database."""
    return functools.partial(manage, "ahp")


def test_the_specifications_example_from_a_file(run, tmp_path):
    path = tmp_path / "comparisons.json"
    path.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    status, out, err = run(str(path))
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert list(result) == [
        "weights",
        "lambda_max",
        "ci",
        "ri",
        "cr",
        "consistent",
        "most_inconsistent",
    ]
    # unrounded: exactly the engine's numbers
    assert result == ahp(EXAMPLE["criteria"], EXAMPLE["matrix"]).as_dict()
    assert list(result["weights"]) == ["a", "b", "c"]
    assert result["weights"]["a"] == pytest.approx(0.637, abs=0.001)
    assert result["consistent"] is True
    assert result["most_inconsistent"] in (["a", "b"], ["a", "c"], ["b", "c"])


def test_standard_input_and_small_matrices(run):
    status, out, err = run(
        "-", stdin=json.dumps({"criteria": ["x", "y"], "matrix": [[1, 4], [0.25, 1]]})
    )
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert result["weights"] == pytest.approx({"x": 0.8, "y": 0.2})
    assert (result["cr"], result["most_inconsistent"]) == (0.0, None)


def test_an_inconsistent_matrix_is_reported_not_refused(run):
    text = json.dumps(
        {"criteria": ["a", "b", "c"], "matrix": [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]]}
    )
    status, out, err = run("-", stdin=text)
    assert (status, err) == (0, "")
    result = json.loads(out)
    assert result["consistent"] is False and result["cr"] > 0.1
    assert result["most_inconsistent"] is not None


def _doc(**changes):
    return json.dumps({**EXAMPLE, **changes})


def _entry(i, j, value):
    matrix = [list(row) for row in EXAMPLE["matrix"]]
    matrix[i][j] = value
    return _doc(matrix=matrix)


BAD_INPUTS = {
    "not-square": (_doc(matrix=[[1, 3, 5], [0.3333, 1, 3]]), ["matrix"]),
    "ragged-row": (_doc(matrix=[[1, 3], [0.3333, 1, 3], [0.2, 0.3333, 1]]), ["matrix[0]"]),
    "names-not-matching": (_doc(criteria=["a", "b"]), ["criteria"]),
    "duplicate-name": (_doc(criteria=["a", "b", "a"]), ["criteria[2]"]),
    "outside-the-scale": (_entry(0, 2, 10), ["matrix[0][2]"]),
    "not-positive": (_entry(2, 0, 0), ["matrix[2][0]"]),
    "text-entry": (_entry(0, 1, "3"), ["matrix[0][1]"]),
    "diagonal": (_entry(1, 1, 3), ["matrix[1][1]"]),
    "not-reciprocal": (_entry(0, 2, 4), ["matrix[0][2]"]),
    "nan": (_entry(0, 1, float("nan")), ["matrix[0][1]"]),
    "too-many": (
        json.dumps({"criteria": [f"c{i}" for i in range(11)], "matrix": [[1] * 11] * 11}),
        ["criteria"],
    ),
    "criteria-missing": (json.dumps({"matrix": EXAMPLE["matrix"]}), ["criteria"]),
    "matrix-missing": (json.dumps({"criteria": ["a"]}), ["matrix"]),
    "unknown-key": (_doc(weights=[1, 2, 3]), ["weights"]),
    "not-an-object": ("[1]", ["must be a JSON object"]),
    "invalid-json": ('{"criteria": [', ["not valid JSON"]),
    "empty": ("", ["not valid JSON"]),
}


@pytest.mark.parametrize(("text", "named"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_exits_2_naming_each_entry(run, tmp_path, text, named):
    path = tmp_path / "input.json"
    path.write_text(text, encoding="utf-8")
    for args, stdin in (([str(path)], None), (["-"], text)):
        status, out, err = run(*args, stdin=stdin)
        assert (status, out) == (2, "")
        for field in named:
            assert field in err
        assert "Traceback" not in err


def test_an_unreadable_file_is_named(run, tmp_path):
    missing = tmp_path / "missing.json"
    status, out, err = run(str(missing))
    assert (status, out) == (2, "")
    assert str(missing) in err and "cannot be read" in err


def test_a_real_process_exits_2_without_a_traceback(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(_entry(1, 1, 2), encoding="utf-8")
    process = subprocess.run(
        [sys.executable, "manage.py", "ahp", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "cbec_site.settings_test", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert process.returncode == 2
    assert process.stdout == ""
    assert "matrix[1][1]" in process.stderr and "Traceback" not in process.stderr
