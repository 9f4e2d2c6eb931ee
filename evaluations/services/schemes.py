"""Weight schemes: the one bridge between the models and the pure scoring engine.

``scheme_spec()`` is the only place that turns scheme rows into engine input, so the admin
preview, the ``score`` command and evaluation runs all score with the same numbers. The writes
(publish, clone, retire, make default) are keyword-only, validate with ``full_clean()`` and own
their transaction; the model layer refuses anything else that would rewrite a published version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import caching
from evaluations.models import Indicator, SchemeIndicator, WeightScheme
from evaluations.scoring import (
    IndicatorSpec,
    SchemeSpec,
    ScoreResult,
    score,
    validate_scheme,
)

Status = WeightScheme.Status

# --- Selectors --------------------------------------------------------------------------------


def default_scheme() -> WeightScheme | None:
    """The published scheme new evaluations use when none is named."""
    return WeightScheme.objects.filter(is_default=True, status=Status.PUBLISHED).first()


def scheme_by_slug(slug: str, version: int | None = None) -> WeightScheme | None:
    """A scheme people may score with: the latest published version, or the exact version asked
    for if it was ever published (a retired version still reproduces old results). Never a draft.
    """
    schemes = WeightScheme.objects.filter(slug=slug)
    if version is None:
        return schemes.filter(status=Status.PUBLISHED).order_by("-version").first()
    return schemes.exclude(status=Status.DRAFT).filter(version=version).first()


def _ordered_rows(rows: Iterable[SchemeIndicator]) -> list[SchemeIndicator]:
    def key(row: SchemeIndicator) -> tuple:
        indicator = row.indicator
        return (indicator.dimension.order, indicator.order, indicator.code)

    return sorted(rows, key=key)


def scheme_spec(scheme: WeightScheme, rows: Iterable[SchemeIndicator] | None = None) -> SchemeSpec:
    """A published or retired scheme never changes, so its engine view is kept with the
    reference data (an indicator's allowed range is part of it, and an edit of one makes both
    stale); a draft's is built each time."""
    if rows is None and scheme.pk and scheme.status != Status.DRAFT:
        parts = ("spec", scheme.pk, scheme.slug, scheme.version)
        return caching.get_or_build(
            "reference", parts, lambda: _scheme_spec(scheme, None), timeout=None
        )
    return _scheme_spec(scheme, rows)


def _scheme_spec(scheme: WeightScheme, rows: Iterable[SchemeIndicator] | None) -> SchemeSpec:
    """The engine's view of a scheme; ``rows`` are unsaved rows to check instead of the stored ones.

    Indicators come in display order (dimension order, then indicator order), which the engine
    keeps in its output. Weights, bounds, plausible maxima and the robustness spreads are floats
    of the stored Decimals; the range a value may take comes from the indicator itself.
    """
    if rows is None:
        rows = scheme.rows.select_related("indicator__dimension") if scheme.pk else []
    try:
        bands = scheme.grade_band_specs()
    except ValueError:
        bands = ()  # validate_scheme reports "at least one grade band is required"
    indicators = tuple(
        IndicatorSpec(
            code=row.indicator.code,
            dimension=row.indicator.dimension.code,
            weight=float(row.weight),
            worst=float(row.worst),
            best=float(row.best),
            min_value=float(row.indicator.min_value),
            max_value=None if row.indicator.max_value is None else float(row.indicator.max_value),
            plausible_max=None if row.plausible_max is None else float(row.plausible_max),
        )
        for row in _ordered_rows(rows)
    )
    return SchemeSpec(
        scheme.slug,
        scheme.version,
        indicators,
        bands,
        weight_spread=_spread(scheme.weight_spread),
        bound_spread=_spread(scheme.bound_spread),
    )


def _spread(value) -> float | None:
    """A spread as the engine takes it; an unsaved draft's blank stays None (no band)."""
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def scheme_problems(
    scheme: WeightScheme, rows: Iterable[SchemeIndicator] | None = None
) -> list[str]:
    """Everything that stops a scheme being published, one message per problem.

    The engine's ``validate_scheme`` holds the rules (each indicator once, weights >= 0 summing
    to 1, worst != best, finite numbers, sane grade bands). On top, the bounds must point the
    way the indicator's direction says, or swapping worst and best would silently invert it.
    """
    rows = list(rows) if rows is not None else None
    spec = scheme_spec(scheme, rows)
    indicators = {indicator.code: indicator for indicator in Indicator.objects.all()}
    errors = validate_scheme(spec, required_codes=indicators)
    try:
        scheme.grade_band_specs()
    except ValueError as error:
        errors["grade_bands"] = str(error)  # say what is malformed, not just "no bands"
    for row in spec.indicators:
        indicator = indicators.get(row.code)
        if indicator is None or row.worst == row.best or row.code in errors:
            continue
        if (row.best > row.worst) != (indicator.direction == "higher"):
            errors[row.code] = _("best must be %(side)s than worst, as %(direction)s") % {
                "side": _("greater") if indicator.direction == "higher" else _("smaller"),
                "direction": indicator.get_direction_display(),
            }
    return [_problem_message(key, message, indicators) for key, message in errors.items()]


def _problem_message(key: str, message: str, indicators: Mapping[str, Indicator]) -> str:
    if key in indicators:
        return f"{indicators[key].localized('name')} ({key}): {message}"
    labels = {"scheme": _("Scheme"), "grade_bands": _("Grade bands")}
    return f"{labels.get(key, key)}: {message}"


def scheme_score(*, scheme: WeightScheme, values: Mapping[str, object]) -> ScoreResult:
    """Score one set of values under ``scheme``; raises ScoringError naming each bad field."""
    return score(scheme_spec(scheme), values)


# --- Writes -----------------------------------------------------------------------------------


def _locked(scheme: WeightScheme) -> WeightScheme:
    return WeightScheme.objects.select_for_update().get(pk=scheme.pk)


def _save(scheme: WeightScheme) -> None:
    scheme.full_clean()
    scheme.save()


@transaction.atomic
def scheme_publish(*, scheme: WeightScheme, user) -> WeightScheme:
    """Freeze a valid draft; it becomes the default if there is none yet."""
    scheme = _locked(scheme)
    if scheme.status != Status.DRAFT:
        raise ValidationError(
            _("%(scheme)s is already %(status)s; only a draft can be published.")
            % {"scheme": str(scheme), "status": scheme.get_status_display()}
        )
    problems = scheme_problems(scheme)
    if problems:
        raise ValidationError(problems)
    scheme.status = Status.PUBLISHED
    scheme.published_at = timezone.now()
    scheme.published_by = user
    scheme.is_default = (
        not WeightScheme.objects.select_for_update().filter(is_default=True).exists()
    )
    _save(scheme)
    return scheme


@transaction.atomic
def scheme_clone(*, scheme: WeightScheme) -> WeightScheme:
    """A new draft version of the same slug with the same rows, to edit and publish."""
    latest = (
        WeightScheme.objects.select_for_update()
        .filter(slug=scheme.slug)
        .aggregate(latest=Max("version"))["latest"]
    )
    clone = WeightScheme(
        slug=scheme.slug,
        name=scheme.name,
        version=(latest or 0) + 1,
        description=scheme.description,
        grade_bands=scheme.grade_bands,
        weight_spread=scheme.weight_spread,
        bound_spread=scheme.bound_spread,
    )
    _save(clone)
    for row in scheme.rows.all():
        copy = SchemeIndicator(
            scheme=clone,
            indicator_id=row.indicator_id,
            weight=row.weight,
            worst=row.worst,
            best=row.best,
            plausible_max=row.plausible_max,
        )
        copy.full_clean()
        copy.save()
    return clone


@transaction.atomic
def scheme_retire(*, scheme: WeightScheme) -> WeightScheme:
    """Take a published version out of use; the default must be replaced first."""
    scheme = _locked(scheme)
    if scheme.status != Status.PUBLISHED:
        raise ValidationError(
            _("%(scheme)s is %(status)s; only a published scheme can be retired.")
            % {"scheme": str(scheme), "status": scheme.get_status_display()}
        )
    if scheme.is_default:
        raise ValidationError(
            _(
                "%(scheme)s is the default scheme and cannot be retired: make another published "
                "scheme the default first."
            )
            % {"scheme": str(scheme)}
        )
    scheme.status = Status.RETIRED
    _save(scheme)
    return scheme


@transaction.atomic
def scheme_make_default(*, scheme: WeightScheme) -> WeightScheme:
    """Move the default flag to ``scheme`` in one transaction, so there is always one default."""
    scheme = _locked(scheme)
    if scheme.status != Status.PUBLISHED:
        raise ValidationError(
            _("%(scheme)s is %(status)s; only a published scheme can be the default.")
            % {"scheme": str(scheme), "status": scheme.get_status_display()}
        )
    if scheme.is_default:
        return scheme
    for previous in WeightScheme.objects.select_for_update().filter(is_default=True):
        previous.is_default = False
        _save(previous)
    scheme.is_default = True
    _save(scheme)
    return scheme
