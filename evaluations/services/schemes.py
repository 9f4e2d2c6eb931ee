"""Weight schemes: the one bridge between the models and the pure scoring engine.

``scheme_spec()`` is the only place that turns scheme rows into engine input, so the admin
preview, the ``score`` command and evaluation runs all score with the same numbers. The writes
(publish, clone, retire, make default) are keyword-only, validate with ``full_clean()`` and own
their transaction; the model layer refuses anything else that would rewrite a published version.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import caching
from evaluations.models import Indicator, SchemeIndicator, WeightScheme
from evaluations.scoring import (
    AhpResult,
    IndicatorSpec,
    SchemeSpec,
    ScoreResult,
    ScoringError,
    ahp,
    combine_levels,
    scheme_to_dict,
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


def scheme_snapshot(scheme: WeightScheme, spec: SchemeSpec | None = None) -> dict[str, Any]:
    """What a run stores of its scheme: the engine's snapshot, plus (key ``"ahp"``) the pairwise
    comparisons the weights were derived from, when they still give these weights.

    The provenance stays out of ``SchemeSpec`` (which the engine hashes and caches, and which
    needs no provenance to score); ``scheme_from_dict`` ignores the key.
    """
    spec = spec or scheme_spec(scheme)
    data = scheme_to_dict(spec)
    if ahp_describes_weights(scheme.ahp_comparisons, spec):
        data["ahp"] = scheme.ahp_comparisons
    data["labels"] = scheme_labels(spec.codes)
    return data


LABEL_FIELDS = {
    "dimensions": ("name", "name_zh"),
    "indicators": ("name", "name_zh", "unit", "unit_zh"),
}


def scheme_labels(codes: Iterable[str]) -> dict[str, dict[str, dict[str, str]]]:
    """The names and units, in English and Chinese as the rows hold them now, of the scheme's
    indicators and their dimensions: a run keeps the words it was scored with, so a label
    edited in admin later never relabels an old result or report (issue 14). One query."""
    indicators = Indicator.objects.filter(code__in=list(codes)).select_related("dimension")
    labels: dict[str, dict[str, dict[str, str]]] = {"dimensions": {}, "indicators": {}}
    for indicator in indicators:
        labels["indicators"][indicator.code] = {
            field: getattr(indicator, field) for field in LABEL_FIELDS["indicators"]
        }
        labels["dimensions"][indicator.dimension.code] = {
            field: getattr(indicator.dimension, field) for field in LABEL_FIELDS["dimensions"]
        }
    return labels


def ahp_describes_weights(comparisons: object, spec: SchemeSpec) -> bool:
    """True when ``comparisons`` wrote exactly the weights of ``spec`` (none edited since)."""
    if not isinstance(comparisons, dict) or not isinstance(comparisons.get("weights"), dict):
        return False
    written = comparisons["weights"]
    try:
        return written.keys() == set(spec.codes) and all(
            float(Decimal(str(written[ind.code]))) == ind.weight for ind in spec.indicators
        )
    except ArithmeticError:  # not a decimal string
        return False


# --- AHP: weights from pairwise comparisons (PRODUCT.md section 9) ----------------------------

DIMENSIONS = "dimensions"


@dataclass(frozen=True)
class AhpGroup:
    """One matrix of a scheme's hierarchy: its dimensions, or one dimension's indicators."""

    key: str  # "dimensions", or the code of the dimension whose indicators are compared
    title: str
    criteria: tuple[str, ...]  # codes, in display order
    labels: tuple[str, ...]  # the names people read


@dataclass(frozen=True)
class AhpLevel:
    """A group's comparisons with the engine's verdict on them (``result`` None: unusable)."""

    group: AhpGroup
    criteria: tuple[str, ...]
    matrix: tuple[tuple[float, ...], ...]
    result: AhpResult | None
    problems: tuple[str, ...] = ()

    def label(self, code: str) -> str:
        return dict(zip(self.group.criteria, self.group.labels, strict=True)).get(code, code)

    @property
    def refusal(self) -> str | None:
        """Why these comparisons may not fill the weights: CR > 0.10, naming the pair."""
        result = self.result
        if result is None or result.consistent:
            return None
        first, second = result.most_inconsistent or ("", "")
        return _(
            "%(level)s: the consistency ratio (CR) is %(cr).3f, above 0.10. Revisit the "
            "comparison of “%(first)s” with “%(second)s”: it departs most from the weights."
        ) % {
            "level": self.group.title,
            "cr": result.cr,
            "first": self.label(first),
            "second": self.label(second),
        }

    @property
    def weights(self) -> list[tuple[str, float]]:
        """(name, weight) in the order compared."""
        if self.result is None:
            return []
        return [(self.label(code), weight) for code, weight in self.result.weights.items()]


def ahp_groups(scheme: WeightScheme) -> list[AhpGroup]:
    """The hierarchy of a scheme's rows: its dimensions, then each dimension's indicators."""
    rows = _ordered_rows(scheme.rows.select_related("indicator__dimension"))
    dimensions: dict[str, tuple] = {}
    members: dict[str, list] = {}
    for row in rows:
        dimension = row.indicator.dimension
        dimensions.setdefault(dimension.code, dimension)
        members.setdefault(dimension.code, []).append(row.indicator)
    groups = [
        AhpGroup(
            DIMENSIONS,
            _("Dimensions"),
            tuple(dimensions),
            tuple(d.localized("name") for d in dimensions.values()),
        )
    ]
    for code, dimension in dimensions.items():
        groups.append(
            AhpGroup(
                code,
                dimension.localized("name"),
                tuple(i.code for i in members[code]),
                tuple(i.localized("name") for i in members[code]),
            )
        )
    return groups


def _group_comparisons(comparisons: Mapping, group: AhpGroup) -> object:
    if group.key == DIMENSIONS:
        return comparisons.get(DIMENSIONS)
    indicators = comparisons.get("indicators")
    return indicators.get(group.key) if isinstance(indicators, Mapping) else None


def scheme_ahp_levels(*, scheme: WeightScheme, comparisons: Mapping) -> list[AhpLevel]:
    """Each group of the scheme's hierarchy judged by the engine (``ahp()``).

    ``comparisons``: ``{"dimensions": {"criteria": [...], "matrix": [[...]]}, "indicators":
    {dimension code: {"criteria", "matrix"}}}``; each group must compare exactly its own
    criteria (in any order). Nothing is written; a scheme without rows has no levels.
    """
    groups = ahp_groups(scheme)
    if not groups[0].criteria:
        return []
    levels = []
    for group in groups:
        given = _group_comparisons(comparisons, group)
        criteria = given.get("criteria") if isinstance(given, Mapping) else None
        matrix = given.get("matrix") if isinstance(given, Mapping) else None
        if not isinstance(criteria, list | tuple) or sorted(map(str, criteria)) != sorted(
            group.criteria
        ):
            problem = _("%(level)s: compare exactly these: %(names)s.") % {
                "level": group.title,
                "names": ", ".join(group.labels),
            }
            levels.append(AhpLevel(group, group.criteria, (), None, (problem,)))
            continue
        try:
            result = ahp(list(criteria), matrix)
        except ScoringError as error:
            problems = tuple(f"{group.title}: {key}: {msg}" for key, msg in error.errors.items())
            levels.append(AhpLevel(group, tuple(criteria), (), None, problems))
            continue
        rows = tuple(tuple(float(x) for x in row) for row in matrix)
        levels.append(AhpLevel(group, tuple(criteria), rows, result))
    return levels


@dataclass(frozen=True)
class AhpWeight:
    """One row's weight from AHP: its dimension's weight x its weight inside the dimension."""

    code: str
    label: str
    dimension: str
    dimension_weight: float
    inside_weight: float
    weight: Decimal  # the product as stored (see ``storable_weights``)


def ahp_weights(levels: list[AhpLevel]) -> list[AhpWeight]:
    """The weights applying ``levels`` would store, in display order.

    Raises ValidationError with every problem: an unusable matrix, or one with CR > 0.10
    (naming its most inconsistent pair by the names people read).
    """
    problems = [problem for level in levels for problem in level.problems]
    problems += [level.refusal for level in levels if level.refusal]
    if problems or not levels:
        raise ValidationError(problems or [_("The scheme has no indicators to weigh.")])
    top = levels[0]
    inside = {level.group.key: level for level in levels[1:]}
    try:
        products = combine_levels(
            top.result.weights, {key: level.result.weights for key, level in inside.items()}
        )
    except ScoringError as error:  # the engine's own check; the levels above make it unreachable
        raise ValidationError([f"{key}: {msg}" for key, msg in error.errors.items()]) from None
    places = SchemeIndicator._meta.get_field("weight").decimal_places
    stored = storable_weights(products, places)
    return [
        AhpWeight(
            code=code,
            label=level.label(code),
            dimension=level.group.title,
            dimension_weight=top.result.weights[key],
            inside_weight=level.result.weights[code],
            weight=stored[code],
        )
        for key, level in inside.items()
        for code in level.group.criteria
    ]


def storable_weights(weights: Mapping[str, float], places: int) -> dict[str, Decimal]:
    """Weights with ``places`` decimals that sum to exactly 1 (largest remainder method).

    Each weight is rounded down to ``places`` decimals; the units of 10^-places still missing
    go, one each, to the weights that lost the most in rounding. So the stored weights sum to
    1 exactly and each is within one unit of its exact product.
    """
    unit = 10**places
    scaled = {code: Decimal(weight) * unit for code, weight in weights.items()}
    units = {code: int(value.to_integral_value(ROUND_FLOOR)) for code, value in scaled.items()}
    missing = unit - sum(units.values())
    order = sorted(scaled, key=lambda code: scaled[code] - units[code], reverse=True)
    if missing < 0:
        order.reverse()
    for i in range(abs(missing)):
        units[order[i % len(order)]] += 1 if missing > 0 else -1
    quantum = Decimal(1).scaleb(-places)
    return {code: (Decimal(n) / unit).quantize(quantum) for code, n in units.items()}


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
        name_zh=scheme.name_zh,
        version=(latest or 0) + 1,
        description=scheme.description,
        description_zh=scheme.description_zh,
        grade_bands=scheme.grade_bands,
        weight_spread=scheme.weight_spread,
        bound_spread=scheme.bound_spread,
        ahp_comparisons=scheme.ahp_comparisons,
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


@transaction.atomic
def scheme_apply_ahp(*, scheme: WeightScheme, comparisons: Mapping, user) -> WeightScheme:
    """Fill a draft's weights from pairwise comparisons and keep them as the weights' provenance.

    Every matrix is judged by the engine; any unusable one, or one with CR > 0.10 (the message
    names its most inconsistent pair), refuses the whole set and nothing is written. Each row's
    weight is its dimension's weight times its weight inside the dimension, stored with the
    field's decimal places by ``storable_weights`` (sum exactly 1).
    """
    scheme = _locked(scheme)
    if scheme.status != Status.DRAFT:
        raise ValidationError(
            _("%(scheme)s is %(status)s; only a draft's weights can be derived.")
            % {"scheme": str(scheme), "status": scheme.get_status_display()}
        )
    levels = scheme_ahp_levels(scheme=scheme, comparisons=comparisons)
    weights = {line.code: line.weight for line in ahp_weights(levels)}
    for row in scheme.rows.select_related("indicator"):
        row.weight = weights[row.indicator.code]
        row.full_clean()
        row.save()
    scheme.ahp_comparisons = {
        DIMENSIONS: {"criteria": list(levels[0].criteria), "matrix": _lists(levels[0].matrix)},
        "indicators": {
            level.group.key: {"criteria": list(level.criteria), "matrix": _lists(level.matrix)}
            for level in levels[1:]
        },
        "weights": {code: str(weight) for code, weight in weights.items()},
    }
    _save(scheme)
    return scheme


def _lists(matrix: tuple[tuple[float, ...], ...]) -> list[list[float]]:
    return [list(row) for row in matrix]
