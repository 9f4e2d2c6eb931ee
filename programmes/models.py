"""Organisations' invitations, assessment programmes and what a programme records.

An organisation (``enterprises.Organisation``: created by staff after a check) runs programmes:
each asks invited enterprises to assess the periods it names by a deadline, under one published
scheme version. Joining is the enterprise owner's act and is an ordinary ``enterprises.Grant``
(``source=programme``), so the owner sees and revokes it with every other grant. Of its
invitees the organisation sees only: invited, joined, submitted, declined (``Invitee.state``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.validators import validate_single_line
from enterprises.models import Grant, Organisation, OrgRole
from enterprises.validators import validate_credit_code
from evaluations.models.assessments import private_storage

DEFAULT_REMINDER_DAYS = [-7, 0, 7]  # a week before the deadline, on the day, a week after
MAX_PERIODS = 8


def default_reminder_days() -> list[int]:
    return list(DEFAULT_REMINDER_DAYS)


def parse_period(key: str) -> tuple[int, int]:
    """ "2026Q3" -> (2026, 3); ValueError for anything else."""
    text = str(key).strip().upper()
    year, sep, quarter = text.partition("Q")
    if not sep or not (year.isdigit() and len(year) == 4 and quarter in ("1", "2", "3", "4")):
        raise ValueError(key)
    return int(year), int(quarter)


class OrganisationInvitation(models.Model):
    """An invitation to join an organisation, like an enterprise's: only a hash of the one-time
    token is stored, and only the addressee with a confirmed address can accept it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=OrgRole.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("organisation invitation")
        verbose_name_plural = _("organisation invitations")
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("email"),
                condition=models.Q(accepted_at__isnull=True),
                name="orginvitation_one_pending_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    def get_additional_data(self) -> dict:
        return {"organisation": self.organisation_id, "label": self.email}

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class Programme(models.Model):
    """A campaign of assessments: which periods, under which scheme version, by when."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="programmes",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    scheme = models.ForeignKey(
        "evaluations.WeightScheme",
        on_delete=models.PROTECT,
        related_name="programmes",
        verbose_name=_("weight scheme"),
        help_text=_("A published scheme version: every figure of the programme is shown under it."),
    )
    periods = models.JSONField(
        _("periods"), default=list, help_text=_('The periods asked for, e.g. ["2026Q3"].')
    )
    deadline = models.DateField(_("deadline"))
    reminder_days = models.JSONField(
        _("reminders"),
        default=default_reminder_days,
        help_text=_(
            "Days from the deadline on which enterprises that have not submitted are reminded: "
            "-7 is a week before, 0 the day itself, 7 a week after."
        ),
    )
    link_base = models.CharField(
        _("site address"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_("The site's address when the programme was made, for links in e-mails."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-deadline", "-id"]
        verbose_name = _("assessment programme")
        verbose_name_plural = _("assessment programmes")

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"organisation": self.organisation_id, "label": self.name}

    def clean(self) -> None:
        errors = {}
        periods = self.periods if isinstance(self.periods, list) else None
        try:
            parsed = [parse_period(key) for key in periods or []]
        except ValueError:
            parsed = None
        if not parsed:
            errors["periods"] = _("Name at least one period, e.g. 2026Q3.")
        elif len(parsed) > MAX_PERIODS:
            errors["periods"] = _("A programme asks for at most %(n)d periods.") % {
                "n": MAX_PERIODS
            }
        else:
            self.periods = [f"{y}Q{q}" for y, q in sorted(set(parsed))]
        days = self.reminder_days
        if not isinstance(days, list) or not all(
            isinstance(day, int) and not isinstance(day, bool) and -60 <= day <= 60 for day in days
        ):
            errors["reminder_days"] = _("Reminders are whole days from -60 to 60.")
        else:
            self.reminder_days = sorted(set(days))
        if self.scheme_id and self.scheme.status != "published":
            errors["scheme"] = _("Choose a published scheme version.")
        if errors:
            raise ValidationError(errors)

    @property
    def period_tuples(self) -> list[tuple[int, int]]:
        return [parse_period(key) for key in self.periods]


class Invitee(models.Model):
    """An enterprise a programme invited: an existing profile (``enterprise``), or a name, a
    credit code and a contact address whose profile is made when the contact accepts.

    ``status`` is what the enterprise answered; what the organisation reads is ``state``
    (a revoked grant reads as declined)."""

    class Status(models.TextChoices):
        # A context: "joined" is also a membership's date ("加入时间"), not a state.
        INVITED = "invited", pgettext_lazy("programme status", "invited")
        JOINED = "joined", pgettext_lazy("programme status", "joined")
        DECLINED = "declined", pgettext_lazy("programme status", "declined")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="invitees")
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="programme_invitations",
        verbose_name=_("enterprise"),
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    email = models.EmailField(_("contact e-mail address"))
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("For a contact without an account: the language the invitation was sent in."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    grant = models.OneToOneField(
        Grant,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitee",
        verbose_name=_("grant"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"), auto_now_add=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("invited enterprise")
        verbose_name_plural = _("invited enterprises")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "enterprise"],
                condition=models.Q(enterprise__isnull=False),
                name="invitee_one_per_enterprise",
                violation_error_message=_("This enterprise is already invited."),
            ),
            models.UniqueConstraint(
                fields=["programme", "credit_code"],
                condition=~models.Q(credit_code=""),
                name="invitee_one_per_credit_code",
                violation_error_message=_(
                    "An enterprise with this credit code is already invited."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.programme})"

    def get_additional_data(self) -> dict:
        data = {"organisation": self.programme.organisation_id, "label": self.name}
        if self.enterprise_id:
            data["enterprise"] = self.enterprise_id
        return data

    @property
    def state(self) -> str:
        """What the organisation reads: invited, joined or declined (a joined enterprise whose
        grant was revoked reads as declined); "submitted" is per period (``selectors``)."""
        if self.status == self.Status.JOINED:
            grant = self.grant
            if grant is None or not grant.is_active:
                return self.Status.DECLINED
        return self.status

    @property
    def state_label(self) -> str:
        return str(self.Status(self.state).label)

    @property
    def has_joined(self) -> bool:
        return self.state == self.Status.JOINED


class ReminderSent(models.Model):
    """One reminder step sent to one invitee: never twice (unique), and what managers read."""

    invitee = models.ForeignKey(Invitee, on_delete=models.CASCADE, related_name="reminders")
    day = models.SmallIntegerField(_("days from the deadline"))
    recipients = models.JSONField(_("sent to"), default=list)
    periods = models.JSONField(_("periods not submitted"), default=list)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["invitee", "day"], name="reminder_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.invitee} {self.day:+d}"

    @property
    def step_label(self) -> str:
        """Which step of the schedule, as people read it."""
        return step_label(self.day)


def step_label(day: int) -> str:
    if day < 0:
        return ngettext("%(n)d day before the deadline", "%(n)d days before the deadline", -day) % {
            "n": -day
        }
    if day == 0:
        return gettext("on the day of the deadline")
    return ngettext("%(n)d day after the deadline", "%(n)d days after the deadline", day) % {
        "n": day
    }


class ImportedDraft(models.Model):
    """A draft that an organisation's spreadsheet import wrote into an enterprise's assessment:
    "entered by <organisation>" until the enterprise submits it. ``values`` and ``checklist``
    are what the import wrote, so a later import may replace a draft nobody touched since."""

    assessment = models.OneToOneField(
        "evaluations.Assessment", on_delete=models.CASCADE, related_name="imported"
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="imported_drafts"
    )
    values = models.JSONField(default=dict)
    checklist = models.JSONField(default=dict)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("imported draft")
        verbose_name_plural = _("imported drafts")

    def __str__(self) -> str:
        return f"{self.assessment} ← {self.programme}"

    def get_additional_data(self) -> dict:
        assessment = self.assessment
        return {
            "enterprise": assessment.enterprise_id,
            "period": [assessment.year, assessment.quarter],
            "label": self.programme.organisation.name,
        }


def summary_path(instance: CohortReport, filename: str) -> str:
    return f"programme-reports/{instance.programme_id}-{timezone.now():%Y%m%d%H%M%S%f}.pdf"


class CohortReport(models.Model):
    """The cohort summary (PDF) of a programme, rendered on the reports queue: one row per
    programme, period and language (``key``), like ``evaluations.ReportFile``."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("rendering")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    key = models.CharField(max_length=200, unique=True, editable=False)
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="cohort_reports"
    )
    period = models.CharField(_("period"), max_length=6)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stamp = models.CharField(_("made from"), max_length=64)
    file = models.FileField(_("file"), storage=private_storage, upload_to=summary_path, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("cohort summary")
        verbose_name_plural = _("cohort summaries")

    def __str__(self) -> str:
        return f"{self.programme} {self.period} {self.language} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def is_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
