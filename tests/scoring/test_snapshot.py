import dataclasses
import json

from evaluations.scoring import scheme_from_dict, scheme_to_dict, score


def test_a_snapshot_survives_json_and_scores_the_same(table4):
    restored = scheme_from_dict(json.loads(json.dumps(scheme_to_dict(table4))))
    assert restored == table4
    values = {code: 10.0 for code in table4.codes}
    assert score(restored, values) == score(table4, values)


def test_spreads_and_plausible_maxima_travel_with_the_snapshot(table4):
    indicators = tuple(
        dataclasses.replace(ind, plausible_max=60.0) if ind.code == "logistics_cost" else ind
        for ind in table4.indicators
    )
    scheme = dataclasses.replace(
        table4, indicators=indicators, weight_spread=0.1, bound_spread=0.05
    )
    data = json.loads(json.dumps(scheme_to_dict(scheme)))
    assert (data["weight_spread"], data["bound_spread"]) == (0.1, 0.05)
    assert data["indicators"][0]["plausible_max"] == 60.0
    assert data["indicators"][1]["plausible_max"] is None
    assert scheme_from_dict(data) == scheme


def test_a_snapshot_from_before_robustness_and_plausibility_still_loads(table4):
    """Runs stored before migration 0006 have neither key: they load without a band."""
    data = scheme_to_dict(table4)
    del data["weight_spread"], data["bound_spread"]
    for row in data["indicators"]:
        del row["plausible_max"]
    restored = scheme_from_dict(data)
    assert (restored.weight_spread, restored.bound_spread) == (None, None)
    assert all(ind.plausible_max is None for ind in restored.indicators)
    values = {code: 10.0 for code in table4.codes}
    assert score(restored, values) == score(table4, values)
    # and it is written back as it was read: no band until re-scored
    assert scheme_from_dict(scheme_to_dict(restored)) == restored
