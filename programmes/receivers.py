"""Receivers of what other apps announce (connected in ``ProgrammesConfig.ready``)."""

from __future__ import annotations

from programmes.services.programmes import programme_runs_for_submission


def score_under_programmes(sender, *, assessment, run, user, **kwargs) -> None:
    """``evaluations.signals.assessment_submitted``: add the programmes' runs."""
    programme_runs_for_submission(assessment=assessment, run=run, user=user)
