"""Re-scoring every enterprise's latest result under another scheme version.

A ``RescoreJob`` is what an administrator starts (``manage.py rescore`` or the scheme admin's
action) and watches in the admin: the workers split its runs in chunks and add each chunk's
count to ``done`` atomically, so the progress bar is exact while they run. The new runs are
ordinary ``EvaluationRun`` rows with ``origin="rescore"``; the originals are never touched.

A ``RescoreChunk`` row is written in the same transaction as a chunk's results: a chunk
message delivered twice (tasks ack late) finds its row and writes nothing the second time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_CHUNK_SIZE = 5000


class RescoreJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    scheme = models.ForeignKey(
        "evaluations.WeightScheme",
        on_delete=models.PROTECT,
        related_name="rescore_jobs",
        verbose_name=_("target scheme"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("runs to re-score"), default=0)
    done = models.PositiveIntegerField(_("re-scored"), default=0)
    skipped = models.PositiveIntegerField(
        _("skipped"),
        default=0,
        help_text=_("Runs whose stored values the target scheme cannot score."),
    )
    chunk_size = models.PositiveIntegerField(_("chunk size"), default=DEFAULT_CHUNK_SIZE)
    error = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("re-scoring job")
        verbose_name_plural = _("re-scoring jobs")

    def __str__(self) -> str:
        return f"re-scoring {self.pk} ({self.get_status_display()})"

    @property
    def processed(self) -> int:
        return self.done + self.skipped

    @property
    def progress_percent(self) -> float:
        """How much of the job is finished, 0–100 (100 for a finished job with nothing to do)."""
        if self.total:
            return min(100.0, 100.0 * self.processed / self.total)
        return 100.0 if self.status == self.Status.DONE else 0.0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class RescoreChunk(models.Model):
    """One chunk of a job, written with its results: the marker that makes a chunk run once."""

    job = models.ForeignKey(RescoreJob, on_delete=models.CASCADE, related_name="chunks")
    first_run_id = models.BigIntegerField(_("first source run"))
    size = models.PositiveIntegerField(_("runs"))
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)

    class Meta:
        ordering = ["job", "first_run_id"]
        verbose_name = _("re-scoring chunk")
        verbose_name_plural = _("re-scoring chunks")
        constraints = [
            models.UniqueConstraint(fields=["job", "first_run_id"], name="rescorechunk_once"),
        ]

    def __str__(self) -> str:
        return f"job {self.job_id} from run {self.first_run_id} ({self.size})"
