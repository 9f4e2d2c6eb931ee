"""Indicators, dimensions and versioned weight schemes (PRODUCT.md sections 3 and 4).

Dimensions and indicators are the paper's reference data, stored in English and Simplified
Chinese. A weight scheme is edited as a draft and frozen once published: every evaluation records
the version it used, so an old result must never change under it. The freeze is enforced here, in
the model layer (``clean()``, ``save()``, ``delete()`` and the querysets), so that neither the
admin nor any other code can rewrite a published version; only the status step
published → retired and the default flag may change, through ``evaluations.services``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line, validate_text
from evaluations.scoring import (
    DEFAULT_BOUND_SPREAD,
    DEFAULT_GRADE_BANDS,
    DEFAULT_WEIGHT_SPREAD,
    MAX_BOUND_SPREAD,
    MAX_WEIGHT_SPREAD,
    GradeBand,
    SchemeSpec,
    validate_scheme,
)


class Localized(models.Model):
    """Reference data holds paired fields (``name`` / ``name_zh``): pick the active language's."""

    class Meta:
        abstract = True

    def localized(self, field: str) -> str:
        """The Chinese text when the active language is Chinese and it is filled in."""
        if (translation.get_language() or "").lower().startswith("zh"):
            value = getattr(self, f"{field}_zh", "")
            if value:
                return value
        return getattr(self, field)


class Dimension(Localized):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line])
    name_zh = models.CharField(
        _("name (Chinese)"), max_length=100, blank=True, validators=[validate_single_line]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")

    def __str__(self) -> str:
        return self.localized("name")


class Better(models.TextChoices):
    LOWER = "lower", _("lower is better")
    HIGHER = "higher", _("higher is better")


class Indicator(Localized):
    """One measured quantity. ``min_value``/``max_value`` bound what may be typed at all."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("dimension")
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line])
    name_zh = models.CharField(
        _("name (Chinese)"), max_length=100, blank=True, validators=[validate_single_line]
    )
    unit = models.CharField(_("unit"), max_length=100, validators=[validate_single_line])
    unit_zh = models.CharField(
        _("unit (Chinese)"), max_length=100, blank=True, validators=[validate_single_line]
    )
    direction = models.CharField(_("better when"), max_length=6, choices=Better.choices)
    min_value = models.DecimalField(_("minimum value"), max_digits=14, decimal_places=4, default=0)
    max_value = models.DecimalField(
        _("maximum value"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    guidance = models.TextField(
        _("guidance"),
        blank=True,
        help_text=_("What good and poor look like."),
        validators=[validate_text],
    )
    guidance_zh = models.TextField(_("guidance (Chinese)"), blank=True, validators=[validate_text])
    paper_note = models.TextField(_("note on the paper"), blank=True, validators=[validate_text])
    paper_note_zh = models.TextField(
        _("note on the paper (Chinese)"), blank=True, validators=[validate_text]
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["dimension__order", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.localized("name")

    def get_additional_data(self) -> dict:
        """The audit trail names it by code, in the reader's language (``audit.trail``)."""
        return {"indicator": self.code}

    def clean(self) -> None:
        bounded = self.max_value is not None and self.min_value is not None
        if bounded and self.max_value <= self.min_value:
            raise ValidationError({"max_value": _("The maximum must be greater than the minimum.")})


# The grade bands' labels are plain English keys in the engine and in every snapshot; people
# read them through this table (the glossary's 领先, 先进, 成长, 起步, 预警 under Chinese).
GRADE_LABELS = {
    "leading": _("leading"),
    "advanced": _("advanced"),
    "developing": _("developing"),
    "emerging": _("emerging"),
    "at_risk": _("at risk"),
}


def grade_label(key: str) -> str:
    """A band's label as people read it; a key of an administrator's own stays as typed."""
    return str(GRADE_LABELS.get(key, key))


def default_grade_bands() -> list[dict]:
    """A 85 / B 70 / C 55 / D 40 / E, as the engine's defaults (PRODUCT.md section 3)."""
    return [
        {"grade": band.grade, "min_score": band.min_score, "label": band.label}
        for band in DEFAULT_GRADE_BANDS
    ]


def parse_grade_bands(raw: object) -> tuple[GradeBand, ...]:
    """The stored JSON as engine bands; ValueError says what is malformed."""
    if not isinstance(raw, list):
        raise ValueError(_("Grade bands must be a list of objects."))
    bands = []
    for item in raw:
        if not isinstance(item, dict) or not {"grade", "min_score"} <= item.keys():
            raise ValueError(_('Each grade band needs a "grade" and a "min_score".'))
        minimum = item["min_score"]
        if isinstance(minimum, bool) or not isinstance(minimum, int | float):
            raise ValueError(_("A grade band's min_score must be a number."))
        try:
            minimum = float(minimum)
        except OverflowError:  # an int beyond float range: out of 0..100, the checks say so
            minimum = math.inf if minimum > 0 else -math.inf
        bands.append(GradeBand(str(item["grade"]), minimum, str(item.get("label", ""))))
    return tuple(bands)


def _unstorable_json(value: object) -> str | None:
    """Why PostgreSQL's jsonb (or a page showing it) would refuse ``value``, or None.

    Python's json accepts NaN and Infinity, NUL characters and lone surrogates; jsonb rejects
    all of them, and a lone surrogate cannot even be written out as UTF-8.
    """
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
        has_nul = any("\x00" in string for string in _strings(value))
    except ValueError:
        return _("Numbers must be finite: NaN and Infinity are not allowed.")
    except RecursionError:
        return _("The value is nested too deeply.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _("The text contains an invalid character (a lone surrogate).")
    if has_nul:
        return _("The text contains a NUL character.")
    return None


def _strings(value: object):
    """Every string in a parsed JSON value, object keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


FROZEN_FIELDS = (
    "slug",
    "name",
    "version",
    "description",
    "grade_bands",
    "weight_spread",
    "bound_spread",
    "ahp_comparisons",
)


def _refuse_frozen(scheme_ids: Iterable[int | None]) -> None:
    """Raise if any of these schemes is published or retired (None ids are unsaved: fine)."""
    ids = {pk for pk in scheme_ids if pk is not None}
    frozen = ids and WeightScheme._base_manager.filter(pk__in=ids).exclude(status="draft").first()
    if frozen:
        raise ValidationError(
            _(
                "%(scheme)s is %(status)s and can no longer be changed: clone it as a new draft "
                "version and publish that instead."
            ),
            code="frozen",
            params={
                "scheme": f"{frozen.slug} v{frozen.version}",
                "status": frozen.get_status_display(),
            },
        )


def _stored(instance: models.Model):
    """The row as the database has it (the comparison the freeze is based on), or None."""
    if instance.pk is None:
        return None
    return type(instance)._base_manager.filter(pk=instance.pk).first()


def _differs(instance: models.Model, stored: models.Model, names: Iterable[str]) -> bool:
    for name in names:
        field = instance._meta.get_field(name)
        if field.to_python(getattr(instance, field.attname)) != getattr(stored, field.attname):
            return True
    return False


class WeightSchemeQuerySet(models.QuerySet):
    """Bulk writes may not go around the freeze either (checked before Django's atomic blocks)."""

    def delete(self):
        _refuse_frozen(self.values_list("pk", flat=True))
        return super().delete()

    def update(self, **kwargs):
        if {*FROZEN_FIELDS, "status"} & kwargs.keys():
            _refuse_frozen(self.values_list("pk", flat=True))
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if {*FROZEN_FIELDS, "status"} & set(fields):
            _refuse_frozen(obj.pk for obj in objs)
        return super().bulk_update(objs, fields, *args, **kwargs)


class WeightScheme(Localized):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("retired")

    TRANSITIONS = {(Status.DRAFT, Status.PUBLISHED), (Status.PUBLISHED, Status.RETIRED)}

    slug = models.SlugField(_("slug"), max_length=64)
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    version = models.PositiveIntegerField(
        _("version"), default=1, validators=[MinValueValidator(1)]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    description = models.TextField(_("description"), blank=True, validators=[validate_text])
    # The Chinese name and description may be added after publication: they change no number.
    name_zh = models.CharField(
        _("name (Chinese)"), max_length=200, blank=True, validators=[validate_single_line]
    )
    description_zh = models.TextField(
        _("description (Chinese)"), blank=True, validators=[validate_text]
    )
    grade_bands = models.JSONField(
        _("grade bands"),
        default=default_grade_bands,
        help_text=_('Best first, e.g. [{"grade": "A", "min_score": 85, "label": "leading"}, …].'),
    )
    weight_spread = models.DecimalField(
        _("weight spread"),
        max_digits=4,
        decimal_places=3,
        default=Decimal(str(DEFAULT_WEIGHT_SPREAD)),
        validators=[MinValueValidator(0), MaxValueValidator(Decimal(str(MAX_WEIGHT_SPREAD)))],
        help_text=_(
            "Robustness band: each weight is multiplied by a random factor within ±this share "
            "(0.25 = ±25 %), then the weights are renormalized."
        ),
    )
    bound_spread = models.DecimalField(
        _("bound spread"),
        max_digits=4,
        decimal_places=3,
        default=Decimal(str(DEFAULT_BOUND_SPREAD)),
        validators=[MinValueValidator(0), MaxValueValidator(Decimal(str(MAX_BOUND_SPREAD)))],
        help_text=_(
            "Robustness band: each worst and best bound moves by up to this share of the "
            "distance between them (0.20 = 20 %)."
        ),
    )
    # Written only by ``services.scheme_apply_ahp``, which checks it with the engine:
    # {"dimensions": {"criteria": [codes], "matrix": [[…]]}, "indicators": {dimension code:
    # {"criteria", "matrix"}}, "weights": {indicator code: the weight it wrote, as a string}}.
    ahp_comparisons = models.JSONField(
        _("AHP comparisons"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The pairwise comparisons the weights were derived from, if they were."),
    )
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = WeightSchemeQuerySet.as_manager()

    class Meta:
        ordering = ["slug", "-version"]
        verbose_name = _("weight scheme")
        verbose_name_plural = _("weight schemes")
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="weightscheme_unique_version"),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="weightscheme_one_default",
                violation_error_message=_("Another scheme is already the default."),
            ),
            models.CheckConstraint(
                condition=models.Q(is_default=False) | models.Q(status="published"),
                name="weightscheme_default_is_published",
                violation_error_message=_("Only a published scheme can be the default."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.localized('name')} ({self.slug} v{self.version})"

    def save(self, *args, **kwargs) -> None:
        self.check_frozen()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        problem = _unstorable_json(self.grade_bands)
        if problem:
            raise ValidationError({"grade_bands": problem})
        try:
            bands = self.grade_band_specs()
        except ValueError as error:
            raise ValidationError({"grade_bands": str(error)}) from None
        problems = validate_scheme(SchemeSpec(self.slug, 1, (), bands)).get("grade_bands")
        if problems:
            raise ValidationError({"grade_bands": problems})
        self.check_frozen()

    def delete(self, *args, **kwargs):
        _refuse_frozen([self.pk])
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def label(self) -> str:
        """What a person reads: “Ye (2025) Table 4, version 1”, in the active language."""
        return _("%(name)s, version %(version)s") % {
            "name": self.localized("name"),
            "version": self.version,
        }

    def grade_band_specs(self) -> tuple[GradeBand, ...]:
        return parse_grade_bands(self.grade_bands)

    def check_frozen(self) -> None:
        """Raise ValidationError if this change would rewrite a published or retired version."""
        stored = _stored(self)
        if stored is None:
            if self.status != self.Status.DRAFT:
                raise ValidationError(
                    _("A new weight scheme starts as a draft; publish it afterwards."),
                    code="not_draft",
                )
            return
        if stored.is_frozen and _differs(self, stored, FROZEN_FIELDS):
            _refuse_frozen([stored.pk])
        if self.status != stored.status and (stored.status, self.status) not in self.TRANSITIONS:
            raise ValidationError(
                _("A %(old)s scheme cannot become %(new)s."),
                code="transition",
                params={"old": stored.status, "new": self.status},
            )


class SchemeIndicatorQuerySet(models.QuerySet):
    def _scheme_ids(self):
        return self.values_list("scheme_id", flat=True).distinct()

    def delete(self):
        _refuse_frozen(self._scheme_ids())
        return super().delete()

    def update(self, **kwargs):
        target = kwargs.get("scheme_id", getattr(kwargs.get("scheme"), "pk", None))
        _refuse_frozen([*self._scheme_ids(), target])
        return super().update(**kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        _refuse_frozen(obj.scheme_id for obj in objs)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        stored = self.filter(pk__in=[obj.pk for obj in objs])._scheme_ids()
        _refuse_frozen([*stored, *(obj.scheme_id for obj in objs)])
        return super().bulk_update(objs, fields, *args, **kwargs)


class SchemeIndicator(models.Model):
    """One indicator's weight and normalization bounds in one scheme version."""

    EDITABLE = ("indicator", "weight", "worst", "best", "plausible_max")  # in a draft only

    scheme = models.ForeignKey(
        WeightScheme, on_delete=models.CASCADE, related_name="rows", verbose_name=_("scheme")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    weight = models.DecimalField(_("weight"), max_digits=12, decimal_places=9)
    worst = models.DecimalField(
        _("worst"), max_digits=14, decimal_places=4, help_text=_("Scores 0.")
    )
    best = models.DecimalField(
        _("best"), max_digits=14, decimal_places=4, help_text=_("Scores 100.")
    )
    plausible_max = models.DecimalField(
        _("plausible maximum"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_(
            "A larger value is accepted but the person is asked to check it. Empty: only the "
            "indicator's own limits."
        ),
    )

    objects = SchemeIndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["indicator__dimension__order", "indicator__order", "indicator__code"]
        verbose_name = _("indicator weight")
        verbose_name_plural = _("indicator weights")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "indicator"],
                name="schemeindicator_unique_indicator",
                violation_error_message=_("Each indicator appears once in a scheme."),
            ),
        ]

    def __str__(self) -> str:
        """ "Logistics costs: 0.25", as the admin's rows read (issue 15: "1: 0.250000000")."""
        weight = "—" if self.weight is None else format(Decimal(self.weight).normalize(), "f")
        name = self.indicator.localized("name") if self.indicator_id else "—"
        return f"{name}: {weight}"

    def save(self, *args, **kwargs) -> None:
        self.check_frozen()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.check_frozen()

    def delete(self, *args, **kwargs):
        stored = _stored(self)
        _refuse_frozen([stored.scheme_id if stored else self.scheme_id])
        return super().delete(*args, **kwargs)

    def check_frozen(self) -> None:
        """A row may only be added, changed or moved while its scheme (old and new) is a draft."""
        stored = _stored(self)
        if stored is not None and not _differs(self, stored, ("scheme", *self.EDITABLE)):
            return  # saving it unchanged is harmless
        _refuse_frozen([self.scheme_id, stored.scheme_id if stored else None])

    def get_additional_data(self) -> dict:
        scheme = self.scheme
        return {
            "indicator": self.indicator.code,
            "label": f"{scheme.slug} v{scheme.version}",
            "scheme": scheme.pk,  # the scheme's admin History lists its rows' entries too
        }
