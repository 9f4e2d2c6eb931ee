"""Every write in the evaluations app goes through these functions (views and tasks stay thin).

- ``schemes``: the bridge from scheme rows to the engine, publish / clone / retire / default,
  weights from AHP comparisons;
- ``assessments``: create, save a draft, submit (creates the run), reopen, evidence;
- ``runs``: execute a run on a worker, failures and retries, the sweep.
"""

from .schemes import (
    ahp_describes_weights,
    ahp_groups,
    ahp_weights,
    default_scheme,
    scheme_ahp_levels,
    scheme_apply_ahp,
    scheme_by_slug,
    scheme_clone,
    scheme_make_default,
    scheme_problems,
    scheme_publish,
    scheme_retire,
    scheme_score,
    scheme_snapshot,
    scheme_spec,
)

__all__ = [
    "ahp_describes_weights",
    "ahp_groups",
    "ahp_weights",
    "default_scheme",
    "scheme_ahp_levels",
    "scheme_apply_ahp",
    "scheme_by_slug",
    "scheme_clone",
    "scheme_make_default",
    "scheme_problems",
    "scheme_publish",
    "scheme_retire",
    "scheme_score",
    "scheme_snapshot",
    "scheme_spec",
]
