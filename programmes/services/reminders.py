"""Programme reminders (beat, on the mail queue): to invited and joined enterprises that have not
submitted every period the programme asks for, on the days of its schedule (by default a week
before the deadline, on the day and a week after).

- Each step is sent once per invitee: a ``ReminderSent`` row is written (unique per invitee and
  step) in the transaction that queues the e-mails, so a second beat, a retried task or two
  schedulers at once send nothing twice; managers read these rows (who, when, which periods).
- Only the latest step due is sent (a beat that was down for a week sends one reminder, not
  three), and never a step whose day came before the enterprise was invited.
- The recipients are the enterprise's owners who have not turned programme reminders off
  (``User.wants(Reminder.PROGRAMME)``), each in their own language; an invitee with no
  enterprise yet: its contact, with a fresh one-time link to answer.
- Paced: at most ``REMINDER_BATCH`` e-mails per beat, each delayed ``REMINDER_PACE_SECONDS``
  after the one before; the rest wait for the next beat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Reminder, User
from core.mail import mail_send
from enterprises.models import Role
from enterprises.services import one_time_token
from evaluations.models import Assessment
from programmes.models import Invitee, Programme, ReminderSent

from .programmes import _open_link, _recipient_language, period_labels

logger = logging.getLogger(__name__)

REMINDER_BATCH = 200
REMINDER_PACE_SECONDS = 2.0


def due_step(programme: Programme, today: date) -> int | None:
    """The latest step of the schedule whose day has come (days from the deadline), or None."""
    passed = [
        day for day in programme.reminder_days if programme.deadline + timedelta(days=day) <= today
    ]
    return max(passed) if passed else None


def missing_periods(invitee: Invitee, submitted: set[tuple[int, str]]) -> list[str]:
    """The programme's periods this invitee's enterprise has not submitted."""
    return [
        key
        for key in invitee.programme.periods
        if invitee.enterprise_id is None or (invitee.enterprise_id, key) not in submitted
    ]


@dataclass
class Outgoing:
    invitee: Invitee
    day: int
    periods: list[str]
    messages: list[tuple[str, str, str]] = field(default_factory=list)  # (to, subject, body)


def reminders_send(today: date | None = None, *, batch: int = REMINDER_BATCH) -> int:
    """Queue the reminders due today; returns how many e-mails were queued."""
    today = today or timezone.localdate()
    # A step lies at most 60 days after the deadline (``Programme.clean``).
    programmes = Programme.objects.filter(deadline__gte=today - timedelta(days=61))
    queued = 0
    for programme in programmes.select_related("organisation"):
        step = due_step(programme, today)
        if step is None:
            continue
        step_day = programme.deadline + timedelta(days=step)
        invitees = list(
            programme.invitees.exclude(status=Invitee.Status.DECLINED)
            .exclude(reminders__day=step)
            .filter(invited_at__date__lte=step_day)
            .select_related("grant", "enterprise", "programme__organisation")
            .order_by("id")
        )
        invitees = [i for i in invitees if i.state != Invitee.Status.DECLINED]
        if not invitees:
            continue
        submitted = _submitted(programme, invitees)
        for invitee in invitees:
            if queued >= batch:
                return queued
            periods = missing_periods(invitee, submitted)
            if not periods:
                continue
            queued += _remind(invitee, step, periods, start=queued)
    return queued


def _submitted(programme: Programme, invitees: list[Invitee]) -> set[tuple[int, str]]:
    enterprise_ids = [i.enterprise_id for i in invitees if i.enterprise_id]
    rows = Assessment.objects.filter(
        enterprise_id__in=enterprise_ids, status=Assessment.Status.SUBMITTED
    ).values_list("enterprise_id", "year", "quarter")
    return {(e, f"{y}Q{q}") for e, y, q in rows}


def _owners(invitee: Invitee) -> list[User]:
    return list(
        User.objects.filter(
            memberships__enterprise_id=invitee.enterprise_id,
            memberships__role=Role.OWNER,
            is_active=True,
        ).order_by("id")
    )


def _remind(invitee: Invitee, day: int, periods: list[str], *, start: int) -> int:
    """Record the step and queue its e-mails in one transaction; 0 if already recorded."""
    programme = invitee.programme
    with transaction.atomic():
        if invitee.enterprise_id is None:
            token, hashed = one_time_token()
            messages = [_contact_message(invitee, periods, _open_link(programme, token))]
        else:
            hashed = None
            messages = [
                _owner_message(invitee, owner, periods)
                for owner in _owners(invitee)
                if owner.wants(Reminder.PROGRAMME)
            ]
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    invitee=invitee,
                    day=day,
                    recipients=[to for to, _subject, _body in messages],
                    periods=periods,
                )
        except IntegrityError:  # another beat recorded it first
            return 0
        if hashed is not None:
            Invitee.objects.filter(pk=invitee.pk).update(token_hash=hashed)
        for offset, (to, subject, body) in enumerate(messages):
            countdown = (start + offset) * REMINDER_PACE_SECONDS or None
            transaction.on_commit(
                lambda to=to, subject=subject, body=body, countdown=countdown: mail_send(
                    to=[to], subject=subject, body=body, countdown=countdown
                )
            )
    return len(messages)


def _context(invitee: Invitee) -> dict:
    programme = invitee.programme
    return {
        "invitee": invitee,
        "programme": programme,
        "organisation": programme.organisation,
        "deadline": programme.deadline,
        "overdue": timezone.localdate() > programme.deadline,
    }


def _owner_message(invitee: Invitee, owner: User, periods: list[str]) -> tuple[str, str, str]:
    programme = invitee.programme
    with translation.override(owner.language or None):
        link = programme.link_base + _assessment_path(invitee, periods[0])
        body = render_to_string(
            "programmes/email/reminder.txt",
            {**_context(invitee), "periods": period_labels(periods), "link": link, "owner": owner},
        )
        return owner.email, _("Reminder: an assessment programme's deadline"), body


def _contact_message(invitee: Invitee, periods: list[str], link: str) -> tuple[str, str, str]:
    with translation.override(_recipient_language(invitee.email, invitee.language)):
        body = render_to_string(
            "programmes/email/reminder_contact.txt",
            {**_context(invitee), "periods": period_labels(periods), "link": link},
        )
        return invitee.email, _("Reminder: an assessment programme's deadline"), body


def _assessment_path(invitee: Invitee, period: str) -> str:
    """The enterprise's assessment of the period if it has one, else the page to start it."""
    year, quarter = int(period[:4]), int(period[5:])
    existing = invitee.enterprise.assessments.filter(year=year, quarter=quarter).first()
    if existing is not None:
        return reverse("evaluations:assessment", args=[invitee.enterprise_id, existing.pk])
    return reverse("evaluations:assessment-create", args=[invitee.enterprise_id])
