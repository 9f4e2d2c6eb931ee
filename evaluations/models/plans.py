"""The improvement plan: advice carried into the next quarter as tracked actions.

An action is one catalogue item (``Recommendation``) that an editor took from a result into the
enterprise's plan, with an owner (a member), a due date and a status. It keeps what the result
said when it was planned: the period and run it came from, the scheme that scored it, the
indicator's value and contribution then, and the points the item's what-if promised. A later
result is measured against those (``evaluations.plans``), so a plan never changes its promise
when the catalogue, the cohort or the scheme moves on.

One action per item and period (the period of the result it was planned from): adding the same
item again from another run of that period is refused (``services.plans``).

``PlanReminder`` records each reminder e-mail once per action and kind (``accounts.Reminder``),
sent or not (the person had turned that kind off), so beat never sends one twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Reminder

from .assessments import Quarter, period_label


class PlanAction(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        DROPPED = "dropped", _("dropped")

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)

    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        related_name="plan_actions",
        verbose_name=_("enterprise"),
    )
    recommendation = models.ForeignKey(
        "evaluations.Recommendation",
        on_delete=models.PROTECT,  # retire an item with "active" instead: actions cite it
        related_name="plan_actions",
        verbose_name=_("recommendation"),
    )
    indicator_code = models.CharField(
        _("indicator"),
        max_length=40,
        blank=True,
        help_text=_("The indicator the action should move; empty for advice on a dimension."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=pgettext_lazy("plan action", "owner"),
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    expected_points = models.FloatField(
        _("expected points"),
        null=True,
        blank=True,
        help_text=_(
            "What the item's what-if promised when it was planned; empty for advice without points."
        ),
    )
    change = models.JSONField(
        _("planned change"),
        null=True,
        blank=True,
        help_text=_("The input the what-if changed, from and to: {input, from, to}."),
    )
    planned_from = models.ForeignKey(
        "evaluations.EvaluationRun",
        on_delete=models.SET_NULL,  # the figures below are kept with the action
        null=True,
        blank=True,
        related_name="plan_actions",
        verbose_name=_("planned from"),
    )
    planned_year = models.PositiveSmallIntegerField(_("year planned from"))
    planned_quarter = models.PositiveSmallIntegerField(
        _("quarter planned from"), choices=Quarter.choices
    )
    scheme_slug = models.SlugField(_("scheme"), max_length=64)
    scheme_version = models.PositiveIntegerField(_("scheme version"))
    indicator_value = models.FloatField(_("indicator value then"), null=True, blank=True)
    indicator_contribution = models.FloatField(
        _("indicator contribution then"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "recommendation", "planned_year", "planned_quarter"],
                name="planaction_one_per_item_and_period",
                violation_error_message=_(
                    "This recommendation is already in the plan for that period."
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="planaction_open_due")]

    def __str__(self) -> str:
        return f"{self.recommendation} ({self.period})"

    @property
    def period(self) -> str:
        """The period of the result it was planned from."""
        return period_label(self.planned_year, self.planned_quarter)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def title(self) -> str:
        return self.recommendation.localized("title")

    def get_additional_data(self) -> dict:
        """The audit trail files this entry under the enterprise (``audit.LogEntry``)."""
        return {
            "enterprise": self.enterprise_id,
            "period": [self.planned_year, self.planned_quarter],
            "indicator": self.indicator_code,
        }


class PlanReminder(models.Model):
    """One reminder e-mail of one kind for one action: written before it is queued, never
    twice (the unique constraint); ``sent`` is false when the owner had turned the kind off."""

    action = models.ForeignKey(
        PlanAction, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("action")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Reminder.choices)
    due_date = models.DateField(_("for the due date"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    sent = models.BooleanField(
        _("sent"), default=True, help_text=_("No: the recipient had turned this kind off.")
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("plan reminder")
        verbose_name_plural = _("plan reminders")
        constraints = [
            models.UniqueConstraint(fields=["action", "kind"], name="planreminder_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.action_id}"
