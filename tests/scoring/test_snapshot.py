import json

from evaluations.scoring import scheme_from_dict, scheme_to_dict, score


def test_a_snapshot_survives_json_and_scores_the_same(table4):
    restored = scheme_from_dict(json.loads(json.dumps(scheme_to_dict(table4))))
    assert restored == table4
    values = {code: 10.0 for code in table4.codes}
    assert score(restored, values) == score(table4, values)
