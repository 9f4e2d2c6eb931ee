"""Writes of the improvement plan: adding advice to it, changing an action, and the reminders.

    plan_action_add(run=…, recommendation=…, expected_points=…, change=…, owner=…, due_date=…,
                    user=…)                 an action from a result's advice
    plan_action_update(action=…, user=…, status=…, owner=…, due_date=…)
    plan_reminders_send(today=…)            (beat, on the mail queue) the reminders due now

The rules: an owner is a member of the enterprise; a new or moved due date is not in the past;
one action per catalogue item and period (``ActionExists`` names the one there is). Reminders go
to the member an open action is assigned to, a week before its due date and on the day, once
per action and kind (a ``PlanReminder`` row, written in the same transaction that queues the
mail), in that person's language, unless they turned that kind off; a sweep queues at most
``PLAN_REMINDER_BATCH`` and spreads them over ``PLAN_REMINDER_EVERY`` seconds, so a large
deployment never hands the mail server thousands at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Reminder
from core.http import absolute_url
from core.mail import mail_send
from evaluations import plans
from evaluations.models import EvaluationRun, PlanAction, PlanReminder, Recommendation

logger = logging.getLogger(__name__)
Status = PlanAction.Status
WEEK = timedelta(days=7)
LATEST_DUE = timedelta(days=3 * 366)  # a due date further away is a typing mistake


class ActionExists(ValidationError):
    """The item is already in the plan for that period: ``action`` is the one there is."""

    def __init__(self, action: PlanAction):
        super().__init__(
            _("“%(title)s” is already in the plan for %(period)s.")
            % {"title": action.title, "period": action.period},
            code="exists",
        )
        self.action = action


def _check_owner(enterprise, owner) -> None:
    if owner is None or not enterprise.memberships.filter(user=owner).exists():
        raise ValidationError({"owner": _("Choose a member of this enterprise.")})


def _check_due_date(due_date: date) -> None:
    today = timezone.localdate()
    if due_date < today:
        raise ValidationError({"due_date": _("Choose today or a later date.")})
    if due_date > today + LATEST_DUE:
        raise ValidationError({"due_date": _("Choose a date within the next three years.")})


def plan_action_add(
    *,
    run: EvaluationRun,
    recommendation: Recommendation,
    expected_points: float | None,
    change: dict | None,
    owner,
    due_date: date,
    user,
) -> PlanAction:
    """Add one item of a succeeded result's advice to the enterprise's plan, keeping what the
    result said then: the points and change of the item's what-if, the indicator's value and
    contribution, the period and the scheme. The caller takes the item, its points and its
    change from the run's own advice (``recommend``), never from what a form sent."""
    if run.status != EvaluationRun.Status.SUCCEEDED:
        raise ValidationError(_("This evaluation has no result yet."))
    enterprise = run.enterprise
    _check_owner(enterprise, owner)
    _check_due_date(due_date)
    existing = enterprise.plan_actions.filter(
        recommendation=recommendation, planned_year=run.year, planned_quarter=run.quarter
    ).first()
    if existing is not None:
        raise ActionExists(existing)
    code = recommendation.indicator.code if recommendation.indicator_id else ""
    row = run.indicators.filter(code=code).first() if code else None
    action = PlanAction(
        enterprise=enterprise,
        recommendation=recommendation,
        indicator_code=code,
        owner=owner,
        due_date=due_date,
        expected_points=expected_points,
        change=change,
        planned_from=run,
        planned_year=run.year,
        planned_quarter=run.quarter,
        scheme_slug=run.scheme_slug,
        scheme_version=run.scheme_version,
        indicator_value=row.value if row else None,
        indicator_contribution=row.contribution if row else None,
        created_by=user,
    )
    action.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:  # the same item added at the same moment by someone else
        raise ActionExists(
            enterprise.plan_actions.get(
                recommendation=recommendation, planned_year=run.year, planned_quarter=run.quarter
            )
        ) from None
    return action


@transaction.atomic
def plan_action_update(
    *, action: PlanAction, user, status: str, owner, due_date: date
) -> PlanAction:
    """Change an action's status, owner or due date. A due date may stay in the past (an
    overdue action being closed), but a changed one may not be."""
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    if owner != action.owner:
        _check_owner(action.enterprise, owner)
    if due_date != action.due_date:
        _check_due_date(due_date)
    action.status = status
    action.owner = owner
    action.due_date = due_date
    action.full_clean(validate_constraints=False)
    action.save(update_fields=["status", "owner", "due_date", "updated_at"])
    return action


# --- Reminders ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    action: PlanAction
    kind: str


def _due_reminders(today: date, limit: int) -> list[Due]:
    """The reminders owed today, day-of ones first, at most ``limit``: open actions whose owner
    is an active member of the enterprise and has had no reminder of that kind for it.

    A week before: the due date is within the coming week (a missed sweep catches up) and the
    action was added at least a week before it (one added this week has just been seen). On
    the day: the due date is today."""
    owed = (
        PlanAction.objects.filter(status__in=PlanAction.OPEN, owner__is_active=True)
        .filter(owner__memberships__enterprise=F("enterprise"))
        .select_related("owner", "enterprise", "recommendation")
    )
    found = [
        Due(action, Reminder.PLAN_DUE_DAY)
        for action in owed.filter(due_date=today)
        .exclude(reminders__kind=Reminder.PLAN_DUE_DAY)
        .order_by("id")[:limit]
    ]
    week = (
        owed.filter(due_date__gt=today, due_date__lte=today + WEEK)
        .exclude(reminders__kind=Reminder.PLAN_WEEK_BEFORE)
        .order_by("due_date", "id")
    )
    for action in week.iterator():
        if len(found) >= limit:
            break
        if timezone.localdate(action.created_at) <= action.due_date - WEEK:
            found.append(Due(action, Reminder.PLAN_WEEK_BEFORE))
    return found


def _message(due: Due) -> tuple[str, str]:
    """Subject and body in the owner's language (the first line of the template is the
    subject)."""
    action = due.action
    context = {
        "action": action,
        "title": action.title,
        "indicator": plans.indicator_name(action.indicator_code),
        "enterprise": action.enterprise.name,
        "due": action.due_date,
        "today": due.kind == Reminder.PLAN_DUE_DAY,
        "plan_url": absolute_url(reverse("evaluations:plan", args=[action.enterprise_id])),
        "account_url": absolute_url(reverse("account")),
    }
    text = render_to_string("evaluations/email/plan_reminder.txt", context).strip()
    subject, _sep, body = text.partition("\n")
    return subject.strip(), body.strip() + "\n"


def plan_reminders_send(
    *, today: date | None = None, batch: int | None = None, every: float | None = None
) -> dict[str, int]:
    """Beat: queue the reminders owed today, each recorded once, paced over the sweep's
    interval. Returns how many were sent and how many were turned off by their recipient."""
    today = today or timezone.localdate()
    batch = batch or settings.PLAN_REMINDER_BATCH
    every = settings.PLAN_REMINDER_EVERY if every is None else every
    spacing = every / batch
    counts = {"sent": 0, "turned_off": 0}
    for due in _due_reminders(today, batch):
        owner = due.action.owner
        wanted = owner.wants(due.kind)
        try:
            with transaction.atomic():
                PlanReminder.objects.create(
                    action=due.action,
                    kind=due.kind,
                    due_date=due.action.due_date,
                    recipient=owner,
                    sent=wanted,
                )
                if wanted:
                    with translation.override(owner.language or settings.LANGUAGE_CODE):
                        subject, body = _message(due)
                    countdown = round(counts["sent"] * spacing, 1) or None
                    transaction.on_commit(
                        lambda t=owner.email, s=subject, b=body, c=countdown: mail_send(
                            to=[t], subject=s, body=b, countdown=c
                        )
                    )
        except IntegrityError:  # another sweep recorded it a moment ago
            continue
        counts["sent" if wanted else "turned_off"] += 1
    if any(counts.values()):
        logger.info("plan reminders: %(sent)s queued, %(turned_off)s turned off", counts)
    return counts
