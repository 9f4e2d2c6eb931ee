"""``python manage.py score [--robustness] [--advice] FILE.json`` (or ``-``): PRODUCT.md 3, 6, 8.

Input: ``{"values": {"logistics_cost": 12.5, ...}, "scheme": "ye-2025-table-4"}``; ``scheme``
is optional (the published default) and names the latest published version unless
``"scheme_version": n`` asks for another one. A value may be ``null``: not available, scored at
its worst bound. Optional keys:

- ``checklist``: the six answers of the environmental checklist (shares as JSON numbers 0-100,
  yes/no answers as JSON booleans only), which then computes ``environmental_impact_score``
  (``values`` must not carry it as well);
- ``robustness``: ``draws``, ``seed``, ``weight_spread``, ``bound_spread`` overriding the scheme
  version's own, only together with ``--robustness``;
- ``profile``: ``{"operation_modes": ["b2c", ...], "target_markets": n}``, which lets the
  profile-dependent advice apply (without it, that advice is left out).

Output: the engine result's ``as_dict()`` with ``"warnings"`` (plausibility, PRODUCT.md section
8) after ``"coverage"``, plus ``"robustness"`` with ``--robustness`` and ``"advice"`` with
``--advice`` (ranked without a cohort, best first: PRODUCT.md section 6), as JSON on standard
output, floats unrounded. Bad input, any other key included, exits with status 2 and a message
on standard error naming every bad field, never a traceback, so scripts can rely on the exit
status alone.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils import translation

from enterprises.models import Mode
from evaluations import recommend, services
from evaluations.management.jsoninput import bad_fields, load_object
from evaluations.models import WeightScheme
from evaluations.scoring import (
    SchemeSpec,
    ScoringError,
    plausibility_warnings,
    robustness_band,
    score,
)
from evaluations.scoring.advice import Profile
from evaluations.scoring.checklist import ITEMS, ChecklistError, checklist_from_json, json_repr
from evaluations.services.assessments import ENV_CODE

KEYS = ("values", "scheme", "scheme_version", "checklist", "robustness", "profile")
ROBUSTNESS_KEYS = ("draws", "seed", "weight_spread", "bound_spread")
PROFILE_KEYS = ("operation_modes", "target_markets")
EXAMPLE = '{"values": {...}}'


class Command(BaseCommand):
    help = "Score one set of indicator values under a weight scheme; prints the result as JSON."
    requires_system_checks: list[str] = []  # a scripting interface: nothing but the answer

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help='a JSON file, or "-" to read standard input')
        parser.add_argument(
            "--robustness",
            action="store_true",
            help="add the robustness band: the score over plausible schemes (PRODUCT.md 8)",
        )
        parser.add_argument(
            "--advice",
            action="store_true",
            help="add the ranked advice, without a cohort (PRODUCT.md 6)",
        )

    def handle(
        self, *args, file: str, robustness: bool = False, advice: bool = False, **options
    ) -> None:
        data = load_object(file, KEYS, EXAMPLE)
        errors: dict[str, str] = {}
        values = _values(data, errors)
        scheme = _scheme(data, errors)
        checklist = _checklist(data, errors)
        settings = _robustness(data, robustness, errors)
        profile = _profile(data, errors)
        result = band = None
        warnings = []
        if scheme is not None and values is not None:
            spec = services.scheme_spec(scheme)
            if "checklist" in data:
                values = _with_checklist(spec, values, checklist, errors)
            try:
                result = score(spec, values)
            except ScoringError as error:
                errors.update(error.errors)
            # JSON strings are not numbers here, even when the engine could parse them.
            for code, value in data["values"].items():
                if isinstance(value, str):
                    errors[code] = f"must be a JSON number, not a string (got {value!r})"
            if settings is not None:  # also when the values are bad: name every bad field
                try:
                    band = robustness_band(spec, values, **settings)
                except ScoringError as error:
                    errors.update(error.errors)
            warnings = plausibility_warnings(spec, values)
        if errors or result is None:
            raise bad_fields(errors)
        output = {}
        for key, value in result.as_dict().items():
            output[key] = value
            if key == "coverage":
                output["warnings"] = [warning.as_dict() for warning in warnings]
        if band is not None:
            output["robustness"] = band.as_dict()
        if advice:
            output["advice"] = _advice(spec, values, data.get("checklist"), profile)
        self.stdout.write(json.dumps(output, indent=2, allow_nan=False))


def _advice(spec: SchemeSpec, values: dict, checklist: dict | None, profile: dict | None) -> list:
    """The ranked advice in English, each item with the one change it claims points for."""
    known = None
    if profile is not None:
        known = Profile(
            operation_modes=frozenset(profile.get("operation_modes", [])),
            target_markets=profile.get("target_markets", 0),
        )
    with translation.override("en"):
        ranked = recommend.advise(
            spec, values, recommend.active_catalogue(), checklist=checklist, profile=known
        )
        return [
            {
                "code": a.item.code,
                "title": a.title,
                "indicator": a.item.indicator.code if a.item.indicator_id else None,
                "change": a.change.as_dict() if a.change else None,
                "points": a.points,
                "basis": a.basis,
                "practice": a.practice,
            }
            for a in ranked
        ]


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _values(data: dict, errors: dict[str, str]) -> dict | None:
    if "values" not in data:
        errors["values"] = "is required: an object mapping indicator codes to numbers"
        return None
    values = data["values"]
    if not isinstance(values, dict):
        kind = _kind(values)
        errors["values"] = f"must be an object mapping indicator codes to numbers (got {kind})"
        return None
    return values


def _scheme(data: dict, errors: dict[str, str]) -> WeightScheme | None:
    slug = data.get("scheme")
    version = data.get("scheme_version")
    # A NUL can be in no slug, and PostgreSQL refuses it even in a query.
    if slug is not None and (not isinstance(slug, str) or not slug or "\x00" in slug):
        errors["scheme"] = f"must be a scheme slug such as 'ye-2025-table-4' (got {slug!r})"
        return None
    if version is not None:
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            errors["scheme_version"] = f"must be a whole number from 1 (got {version!r})"
            return None
        if slug is None:
            errors["scheme_version"] = 'needs "scheme", the slug it is a version of'
            return None
    if slug is None:
        scheme = services.default_scheme()
        if scheme is None:
            errors["scheme"] = "there is no published default scheme; name one"
        return scheme
    scheme = services.scheme_by_slug(slug, version)
    if scheme is None:
        which = f"version {version} of {slug!r}" if version else repr(slug)
        errors["scheme"] = f"unknown scheme: no published {which}"
    return scheme


def _checklist(data: dict, errors: dict[str, str]) -> float | None:
    """The checklist's environmental score, or None (absent, or bad: then errors say why)."""
    if "checklist" not in data:
        return None
    answers = data["checklist"]
    if not isinstance(answers, dict):
        names = ", ".join(key for key, _, _ in ITEMS)
        errors["checklist"] = (
            f"must be an object with the six answers {names} (got {_kind(answers)})"
        )
        return None
    try:
        return checklist_from_json(answers).total
    except ChecklistError as error:
        for key, message in error.errors.items():
            errors[f"checklist.{key}"] = message
        return None


def _with_checklist(
    spec: SchemeSpec, values: dict, total: float | None, errors: dict[str, str]
) -> dict:
    """``values`` with the checklist's environmental score; a bad checklist leaves it "not
    available" here, so the other values are still checked without a misleading "required"."""
    if ENV_CODE not in spec.codes:
        errors["checklist"] = (
            f"{spec.slug} v{spec.version} has no {ENV_CODE} indicator for the checklist to compute"
        )
        return values
    if ENV_CODE in values:
        errors[ENV_CODE] = "must not be given together with checklist, which computes it"
        return values
    return {**values, ENV_CODE: total}


def _robustness(data: dict, flag: bool, errors: dict[str, str]) -> dict | None:
    """The overrides for the band (``{}`` for none), or None when no band is to be computed."""
    if "robustness" not in data:
        return {} if flag else None
    settings = data["robustness"]
    if not flag:
        errors["robustness"] = "is only allowed with --robustness, which computes the band"
        return None
    if not isinstance(settings, dict):
        expected = ", ".join(ROBUSTNESS_KEYS)
        errors["robustness"] = f"must be an object with any of {expected} (got {_kind(settings)})"
        return None
    overrides = {}
    for key, value in settings.items():
        if key not in ROBUSTNESS_KEYS:
            expected = ", ".join(ROBUSTNESS_KEYS)
            errors[f"robustness.{key}"] = f"unknown setting (expected {expected})"
        elif value is None:
            errors[f"robustness.{key}"] = "must be a number, not null (leave it out instead)"
        else:
            overrides[key] = value
    return overrides


def _profile(data: dict, errors: dict[str, str]) -> dict | None:
    """The enterprise profile for profile-dependent advice, checked strictly, or None."""
    if "profile" not in data:
        return None
    profile = data["profile"]
    if not isinstance(profile, dict):
        errors["profile"] = (
            'must be an object like {"operation_modes": ["b2c"], "target_markets": 3} '
            f"(got {_kind(profile)})"
        )
        return None
    cleaned: dict = {}
    for key in profile:
        if key not in PROFILE_KEYS:
            errors[f"profile.{key}"] = f"unknown key (expected {', '.join(PROFILE_KEYS)})"
    if "operation_modes" in profile:
        modes = profile["operation_modes"]
        codes = ", ".join(Mode.values)
        if not isinstance(modes, list):
            errors["profile.operation_modes"] = f"must be a list of mode codes ({codes})"
        else:
            seen: list[str] = []
            for i, mode in enumerate(modes):
                key = f"profile.operation_modes[{i}]"
                if not isinstance(mode, str) or mode not in Mode.values:
                    errors[key] = f"must be one of {codes} (got {json_repr(mode)})"
                elif mode in seen:
                    errors[key] = f"{mode!r} is listed twice"
                else:
                    seen.append(mode)
            cleaned["operation_modes"] = seen
    if "target_markets" in profile:
        markets = profile["target_markets"]
        if isinstance(markets, bool) or not isinstance(markets, int) or markets < 0:
            errors["profile.target_markets"] = (
                f"must be a whole number from 0 (got {json_repr(markets)})"
            )
        else:
            cleaned["target_markets"] = markets
    return cleaned
