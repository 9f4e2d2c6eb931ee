"""Assessments, their evidence and their evaluation runs (PRODUCT.md sections 3 and 5).

An assessment holds what an enterprise typed for one period, possibly incomplete while it is a
draft. Submitting it creates an ``EvaluationRun`` that copies the values and a snapshot of the
scheme, so the run can be recomputed and explained forever, whatever happens to the assessment
or the scheme later. A run's results are stored as rows (one per dimension and per indicator)
once, by the worker, in one transaction.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line

FIRST_YEAR = 2000
LAST_YEAR = 2100


class Quarter(models.IntegerChoices):
    Q1 = 1, _("Q1")
    Q2 = 2, _("Q2")
    Q3 = 3, _("Q3")
    Q4 = 4, _("Q4")


def period_label(year: int, quarter: int) -> str:
    """ "2026 Q3" in English, "2026年第三季度" in Chinese (the glossary's one form)."""
    return gettext("%(year)s %(quarter)s") % {"year": year, "quarter": Quarter(quarter).label}


def period_lines(year: int, quarter: int) -> tuple[str, str]:
    """The same period on two short lines, for a chart's axis: ("2026", "Q3") in English,
    ("2026年", "第三季度") in Chinese."""
    year_text = pgettext("a year alone, as on a chart's axis", "%(year)s") % {"year": year}
    return year_text, str(Quarter(quarter).label)


def next_period(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter + 1) if quarter < 4 else (year + 1, 1)


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    class EnvMode(models.TextChoices):
        TYPED = "typed", _("typed (an external 0–100 rating)")
        CHECKLIST = "checklist", _("computed with the checklist")

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("enterprise"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    values = models.JSONField(_("values"), default=dict, blank=True)
    env_mode = models.CharField(
        _("environmental impact score"),
        max_length=10,
        choices=EnvMode.choices,
        default=EnvMode.TYPED,
    )
    env_checklist = models.JSONField(_("environmental checklist"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-quarter"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "quarter"],
                name="assessment_one_per_period",
                violation_error_message=_("This enterprise already has an assessment for it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.period}"

    @property
    def period(self) -> str:
        return period_label(self.year, self.quarter)

    def get_additional_data(self) -> dict:
        """The audit trail files this entry under the enterprise (``audit.LogEntry``)."""
        return {"enterprise": self.enterprise_id, "period": [self.year, self.quarter]}

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def updated_by_name(self) -> str:
        user = self.updated_by
        return (user.full_name or user.email) if user else "—"


class EvaluationRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    class Origin(models.TextChoices):
        SUBMISSION = "submission", _("submission")
        RESCORE = "rescore", _("re-scoring under another scheme")
        PROGRAMME = "programme", _("a submission scored under an assessment programme's scheme")

    FINISHED = (Status.SUCCEEDED, Status.FAILED)

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="runs", verbose_name=_("assessment")
    )
    # Denormalized from the assessment, so cohort and dashboard queries need no join.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", on_delete=models.CASCADE, related_name="runs"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=Quarter.choices)
    origin = models.CharField(
        _("origin"), max_length=12, choices=Origin.choices, default=Origin.SUBMISSION
    )
    scheme = models.ForeignKey(
        "evaluations.WeightScheme",
        on_delete=models.PROTECT,
        related_name="runs",
        verbose_name=_("scheme"),
    )
    scheme_slug = models.SlugField(_("scheme"), max_length=64)
    scheme_version = models.PositiveIntegerField(_("scheme version"))
    scheme_snapshot = models.JSONField(_("scheme snapshot"))
    values = models.JSONField(_("values"))
    checklist = models.JSONField(
        _("environmental checklist"),
        null=True,
        blank=True,
        help_text=_("The answers the environmental score was computed from, if it was."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent to a worker"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    overall = models.FloatField(_("overall score"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=8, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("The submitter's language: the report made ahead of the first click uses it."),
    )
    incomplete = models.BooleanField(
        _("incomplete"),
        default=False,
        help_text=_(
            "Some indicator was not available and scored at its worst bound: the run is left "
            "out of every cohort figure."
        ),
    )
    robustness = models.JSONField(
        _("robustness band"),
        null=True,
        blank=True,
        help_text=_(
            "How the score moves under plausible schemes (PRODUCT.md section 8): the 5th-95th "
            "percentile band, the median and each grade's share. Empty for a run scored before "
            "bands existed, until it is re-scored."
        ),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("evaluation run")
        verbose_name_plural = _("evaluation runs")
        indexes = [
            models.Index(fields=["status", "created_at"], name="run_status_created"),
            models.Index(fields=["assessment", "-created_at"], name="run_assessment_latest"),
            models.Index(
                fields=["enterprise", "scheme", "-year", "-quarter", "-created_at"],
                name="run_enterprise_scheme_latest",
                condition=models.Q(status="succeeded"),
            ),
        ]

    def __str__(self) -> str:
        # a person reads it (the admin, the audit trail), so never "run 5 (succeeded)"
        return gettext("evaluation record #%(id)s (%(status)s)") % {
            "id": self.pk,
            "status": self.get_status_display(),
        }

    @property
    def period(self) -> str:
        return period_label(self.year, self.quarter)

    def get_additional_data(self) -> dict:
        return {"enterprise": self.enterprise_id, "period": [self.year, self.quarter]}

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def coverage(self) -> str:
        values = self.values or {}
        return f"{sum(value is not None for value in values.values())}/{len(values)}"


class RunDimension(models.Model):
    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="dimensions")
    code = models.CharField(_("dimension"), max_length=40)
    weight = models.FloatField(_("weight"))
    score = models.FloatField(_("score"), null=True)  # None: all its weights are 0

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "code"], name="rundimension_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.score}"


class RunIndicator(models.Model):
    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("indicator"), max_length=40)
    dimension = models.CharField(_("dimension"), max_length=40)
    value = models.FloatField(_("value"), null=True)  # None: not available (s = 0)
    normalized = models.FloatField(_("normalized"))
    score = models.FloatField(_("score"))
    weight = models.FloatField(_("weight"))
    contribution = models.FloatField(_("contribution"))
    potential_gain = models.FloatField(_("potential gain"))

    class Meta:
        ordering = ["run", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "code"], name="runindicator_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.contribution}"


def private_storage() -> FileSystemStorage:
    """Evidence lives outside MEDIA_ROOT and STATIC_ROOT: only the access-checked view serves it."""
    return FileSystemStorage(location=settings.PRIVATE_FILES_ROOT, base_url=None)


def evidence_path(instance: Evidence, filename: str) -> str:
    """A random name: the original name is kept in the row, never trusted on disk."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"evidence/{instance.assessment.enterprise_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    MAX_BYTES = 10 * 1024 * 1024

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    indicator_code = models.CharField(_("indicator"), max_length=40)
    file = models.FileField(_("file"), storage=private_storage, upload_to=evidence_path)
    original_name = models.CharField(
        _("file name"), max_length=255, validators=[validate_single_line]
    )
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["indicator_code"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator_code"], name="evidence_one_per_indicator"
            )
        ]

    def __str__(self) -> str:
        return self.original_name

    def get_additional_data(self) -> dict:
        assessment = self.assessment
        return {
            "enterprise": assessment.enterprise_id,
            "period": [assessment.year, assessment.quarter],
            "label": self.original_name,
        }
