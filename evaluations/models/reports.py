"""Report files made for people: one row per file (pretix's ``CachedFile``).

A row is created (queued) before its task is sent, so the page always has something to show:
queued, running, ready (with its file, until ``expires_at``) or failed (with a reason a person
can read, and a way to try again). It is unique per what it represents (``key``: the kind, the
run, the language, the audience and, for a shared copy, the grant), so two people asking for the
same report share one file. Beat sweeps renders that made no progress past their time limit and
files past their expiry; nothing is deleted on the request path. A shared report's row keeps its
check code when its file expires (only the file goes), so a forwarded copy can still be checked.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .assessments import private_storage


def report_path(instance: ReportFile, filename: str) -> str:
    return f"reports/{uuid.uuid4().hex}.pdf"


class ReportFile(models.Model):
    class Kind(models.TextChoices):
        RUN_PDF = "run_pdf", _("result report (PDF)")
        # A shared report's CSV and XLSX are built in the request and not kept: their row holds
        # the check code printed in them (no file), so the code outlives the download.
        RUN_CSV = "run_csv", _("result figures (CSV)")
        RUN_XLSX = "run_xlsx", _("result figures (XLSX)")

    class Audience(models.TextChoices):
        MEMBERS = "members", _("members of the enterprise")
        SHARED = "shared", _("shared variant")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("rendering")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    key = models.CharField(_("key"), max_length=200, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    run = models.ForeignKey(
        "evaluations.EvaluationRun",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_files",
        verbose_name=_("evaluation run"),
    )
    language = models.CharField(_("language"), max_length=10)
    grant = models.ForeignKey(
        "enterprises.Grant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="report_files",
        verbose_name=_("grant"),
        help_text=_("The grant a shared report was made under (part of its key)."),
    )
    check_code = models.CharField(
        _("check code"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "A shared report's random code (128 bits): its check page, /check/<code>/, "
            "shows the figures the product computed, or that the grant has ended."
        ),
    )
    audience = models.CharField(
        _("audience"), max_length=10, choices=Audience.choices, default=Audience.MEMBERS
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stamp = models.CharField(
        _("made from"),
        max_length=64,
        help_text=_("A digest of what the file was made from; a new one makes the file again."),
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=report_path, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        indexes = [models.Index(fields=["status", "requested_at"], name="reportfile_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.run_id} {self.language} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
