"""Programmes and their invitees: invite, open the e-mailed link, join (a grant), decline.

Joining is the enterprise owner's act and makes an ordinary ``enterprises.Grant`` with
``source=programme`` for the programme's organisation and periods: the owner's sharing page
lists and revokes it with every other grant, and revoking it ends the organisation's access at
once (the invitee then reads as declined). An invitee whose enterprise has no profile yet is
made one when its contact accepts; the contact becomes its owner.

A submission for a programme period is also scored under the programme's scheme version when
that is not the version the submission used (``programme_runs_for_submission``, called inside
the submission's transaction through ``evaluations.signals.assessment_submitted``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.mail import mail_send
from core.validators import validate_single_line
from enterprises.models import Enterprise, Grant, Organisation, Role
from enterprises.services import enterprise_create, one_time_token, token_hash
from enterprises.validators import validate_credit_code
from evaluations.models import Assessment, EvaluationRun, WeightScheme
from evaluations.models.assessments import period_label
from evaluations.services.assessments import run_create
from programmes.models import Invitee, Programme, parse_period

logger = logging.getLogger(__name__)

MAX_INVITEES_PER_DAY = 2000  # per organisation: the e-mails are paced, never refused one by one
INVITATION_PACE_SECONDS = 1.0  # between two invitation e-mails of one list


# --- Programmes -------------------------------------------------------------------------------


@transaction.atomic
def programme_create(
    *,
    organisation: Organisation,
    user,
    name: str,
    scheme: WeightScheme,
    periods: list[str],
    deadline: date,
    reminder_days: list[int] | None = None,
    link_base: str,
) -> Programme:
    programme = Programme(
        organisation=organisation,
        name=name,
        scheme=scheme,
        periods=list(periods),
        deadline=deadline,
        link_base=link_base.rstrip("/"),
        created_by=user,
    )
    if reminder_days is not None:
        programme.reminder_days = list(reminder_days)
    programme.full_clean()
    programme.save()
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, **fields) -> Programme:
    """Name, deadline and reminders may change at any time; the scheme and the periods only
    while nobody has joined (a grant covers the periods its owner agreed to)."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    fixed = {"scheme": programme.scheme_id, "periods": programme.periods}
    for field, value in fields.items():
        setattr(programme, field, value)
    programme.full_clean()
    joined = programme.invitees.filter(grant__isnull=False).exists()
    if joined and (programme.scheme_id, programme.periods) != (fixed["scheme"], fixed["periods"]):
        raise ValidationError(
            _(
                "Enterprises have joined this programme for its periods under its scheme "
                "version: these can no longer change. Start a new programme instead."
            )
        )
    programme.save()
    return programme


# --- Invitees ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteeRow:
    """One enterprise to invite, as typed or read from a list (already checked)."""

    name: str
    credit_code: str
    email: str


def invitee_row_clean(name: object, credit_code: object, email: object) -> tuple[InviteeRow, dict]:
    """Checks one row; returns it cleaned and the problems by column ("name", "credit_code",
    "email"), in the active language."""
    problems: dict[str, str] = {}
    name = "" if name is None else str(name).strip()
    code = "" if credit_code is None else str(credit_code).strip().upper()
    email = "" if email is None else str(email).strip().lower()
    if not name:
        problems["name"] = _("The enterprise's name is missing.")
    elif len(name) > 200:
        problems["name"] = _("The name is longer than 200 characters.")
    else:
        try:
            validate_single_line(name)
        except ValidationError as error:
            problems["name"] = " ".join(error.messages)
    if code:
        try:
            validate_credit_code(code)
        except ValidationError as error:
            problems["credit_code"] = " ".join(error.messages)
    if not email:
        problems["email"] = _("The contact e-mail address is missing.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            problems["email"] = _("This is not an e-mail address.")
    return InviteeRow(name, code, email), problems


def _check_capacity(organisation: Organisation, adding: int) -> None:
    since = timezone.now() - timedelta(days=1)
    recent = Invitee.objects.filter(
        programme__organisation=organisation, invited_at__gte=since
    ).count()
    if recent + adding > MAX_INVITEES_PER_DAY:
        raise ValidationError(
            _(
                "An organisation may invite up to %(n)d enterprises a day; %(recent)d were "
                "invited in the last 24 hours. Send the rest tomorrow."
            )
            % {"n": MAX_INVITEES_PER_DAY, "recent": recent}
        )


def invitees_add(*, programme: Programme, rows: list[InviteeRow], user) -> list[Invitee]:
    """Invites every row or none (a row already invited refuses the whole list, naming it).
    An enterprise whose credit code is registered is linked at once: its owners see the
    programme on their dashboard. Each contact gets a one-time link, paced on the mail queue."""
    _check_capacity(programme.organisation, len(rows))
    language = translation.get_language() or settings.LANGUAGE_CODE
    made: list[tuple[Invitee, str]] = []
    with transaction.atomic():
        codes = [row.credit_code for row in rows if row.credit_code]
        if len(set(codes)) != len(codes):
            raise ValidationError(_("The same credit code appears twice in the list."))
        known = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)}
        taken = set(
            programme.invitees.filter(credit_code__in=codes).values_list("credit_code", flat=True)
        ) | set(
            programme.invitees.filter(enterprise__in=known.values()).values_list(
                "enterprise__credit_code", flat=True
            )
        )
        repeated = [row.name for row in rows if row.credit_code in taken]
        if repeated:
            raise ValidationError(
                _("Already invited to this programme: %(names)s.")
                % {"names": ", ".join(repeated[:10])}
            )
        for row in rows:
            token, hashed = one_time_token()
            invitee = Invitee(
                programme=programme,
                enterprise=known.get(row.credit_code),
                name=row.name,
                credit_code=row.credit_code,
                email=row.email,
                language=language,
                token_hash=hashed,
                invited_by=user,
            )
            invitee.full_clean(exclude=["enterprise", "programme", "grant", "invited_by"])
            made.append((invitee, token))
        try:
            with transaction.atomic():
                for invitee, _token in made:
                    invitee.save()  # one by one: the audit trail records each invitation
        except IntegrityError:
            raise ValidationError(_("Some of these enterprises are already invited.")) from None
        mails = [(invitee, token) for invitee, token in made]
        transaction.on_commit(lambda: _send_invitations(mails))
    return [invitee for invitee, _token in made]


def invitee_add(*, programme: Programme, name: str, credit_code: str, email: str, user) -> Invitee:
    row, problems = invitee_row_clean(name, credit_code, email)
    if problems:
        raise ValidationError(problems)
    return invitees_add(programme=programme, rows=[row], user=user)[0]


def _open_link(programme: Programme, token: str) -> str:
    return programme.link_base + reverse("programmes:invitee-open", args=[token])


def _recipient_language(email: str, fallback: str) -> str:
    user = User.objects.filter(email__iexact=email).only("language").first()
    return (user.language if user and user.language else fallback) or settings.LANGUAGE_CODE


def _send_invitations(mails: list[tuple[Invitee, str]]) -> None:
    for index, (invitee, token) in enumerate(mails):
        _send_invitation(invitee, token, countdown=index * INVITATION_PACE_SECONDS or None)


def _send_invitation(invitee: Invitee, token: str, *, countdown: float | None = None) -> None:
    """In the contact's language (their account's, else the inviter's); the subject names no
    organisation: names are typed by people and must not read as our words in a header."""
    programme = invitee.programme
    with translation.override(_recipient_language(invitee.email, invitee.language)):
        body = render_to_string(
            "programmes/email/invitation.txt",
            {
                "invitee": invitee,
                "programme": programme,
                "organisation": programme.organisation,
                "periods": period_labels(programme.periods),
                "link": _open_link(programme, token),
            },
        )
        mail_send(
            to=[invitee.email],
            subject=_("An invitation to an assessment programme"),
            body=body,
            countdown=countdown,
        )


def period_labels(keys: Iterable[str]) -> list[str]:
    """ "2026Q3" as people read it, in the active language."""
    return [period_label(*parse_period(key)) for key in keys]


def invitee_resend(*, invitee: Invitee) -> Invitee:
    """A new one-time link for an invitee who has not answered (the earlier one stops working)."""
    token, hashed = one_time_token()
    with transaction.atomic():
        invitee = Invitee.objects.select_for_update().get(pk=invitee.pk)
        if invitee.status != Invitee.Status.INVITED:
            raise ValidationError(_("This enterprise has already answered."))
        invitee.token_hash = hashed
        invitee.save(update_fields=["token_hash"])
        transaction.on_commit(lambda: _send_invitation(invitee, token))
    return invitee


@transaction.atomic
def invitee_withdraw(*, invitee: Invitee) -> None:
    """A manager withdraws an invitation nobody accepted (a joined enterprise leaves by its
    owner's act alone)."""
    invitee = Invitee.objects.select_for_update().get(pk=invitee.pk)
    if invitee.grant_id is not None and invitee.grant.is_active:
        raise ValidationError(
            _("This enterprise has joined; only its owner can end the programme's access.")
        )
    invitee.delete()


@transaction.atomic
def invitee_open(token: str) -> Invitee | None:
    """The invitee of an e-mailed link, exchanged once (its token stops working), unless it
    has answered already."""
    invitee = (
        Invitee.objects.select_for_update(of=("self",))
        .select_related("programme__organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitee is None:
        return None
    invitee.token_hash = one_time_token()[1]
    invitee.save(update_fields=["token_hash"])
    return invitee


def invitee_is_contact(invitee: Invitee, user) -> bool:
    """Signed in with the contact address, confirmed."""
    return bool(
        user.is_authenticated
        and user.email_verified
        and user.email.lower() == invitee.email.lower()
    )


def enterprises_to_join_with(invitee: Invitee, user) -> list[Enterprise]:
    """The enterprises a contact owns that this programme has not invited yet: they may join
    with one of them instead of making a new profile."""
    if invitee.enterprise_id is not None or not user.is_authenticated:
        return []
    owned = Enterprise.objects.filter(memberships__user=user, memberships__role=Role.OWNER)
    invited = invitee.programme.invitees.filter(enterprise__isnull=False).values("enterprise")
    return list(owned.exclude(pk__in=invited).order_by("name"))


@transaction.atomic
def invitee_join(
    *,
    invitee: Invitee,
    user,
    include_evidence: bool,
    enterprise: Enterprise | None = None,
    operation_modes: list[str] | None = None,
) -> Invitee:
    """The owner's consent: a grant of the programme's periods to its organisation.

    An invitee with an enterprise: ``user`` must own it (the view checked it through
    ``enterprises.access``; checked again here). Without one: ``user`` is the contact, who
    joins with an enterprise they own (``enterprise``) or makes its profile now from the name
    and credit code the organisation gave (``operation_modes`` then required)."""
    invitee = (
        Invitee.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "programme__scheme", "grant")
        .get(pk=invitee.pk)
    )
    if invitee.has_joined:
        raise ValidationError(_("This enterprise has already joined the programme."))
    if invitee.enterprise_id is None:
        invitee.enterprise = _contacts_enterprise(invitee, user, enterprise, operation_modes)
    if not invitee.enterprise.memberships.filter(user=user, role=Role.OWNER).exists():
        raise ValidationError(_("Only an owner of the enterprise can join a programme."))
    programme = invitee.programme
    grant = Grant(
        enterprise=invitee.enterprise,
        organisation=programme.organisation,
        source=Grant.Source.PROGRAMME,
        periods=list(programme.periods),
        include_evidence=bool(include_evidence),
        created_by=user,
    )
    grant.full_clean()
    grant.save()
    invitee.grant = grant
    invitee.status = Invitee.Status.JOINED
    invitee.responded_at = timezone.now()
    invitee.responded_by = user
    try:
        with transaction.atomic():
            invitee.save()
    except IntegrityError:
        raise ValidationError(_("This enterprise is already in the programme.")) from None
    _score_submitted_periods(invitee, user)
    return invitee


def _contacts_enterprise(invitee, user, enterprise, operation_modes) -> Enterprise:
    if not invitee_is_contact(invitee, user):
        raise ValidationError(
            _("This invitation was sent to %(email)s; sign in with that address to answer it.")
            % {"email": invitee.email}
        )
    if enterprise is not None:
        if enterprise not in enterprises_to_join_with(invitee, user):
            raise ValidationError(_("Choose an enterprise you own."))
        return enterprise
    if invitee.credit_code and Enterprise.objects.filter(credit_code=invitee.credit_code).exists():
        raise ValidationError(
            _(
                "An enterprise with the credit code %(code)s is already registered. Ask one of "
                "its owners to join: they see this programme on their dashboard."
            )
            % {"code": invitee.credit_code}
        )
    return enterprise_create(
        creator=user,
        name=invitee.name,
        credit_code=invitee.credit_code or None,
        operation_modes=operation_modes or [],
    )


@transaction.atomic
def invitee_decline(*, invitee: Invitee, user) -> Invitee:
    """The enterprise says no, or leaves: a grant it gave ends at once (the organisation keeps
    only what it exported before)."""
    invitee = (
        Invitee.objects.select_for_update(of=("self",)).select_related("grant").get(pk=invitee.pk)
    )
    now = timezone.now()
    grant = invitee.grant
    if grant is not None and grant.revoked_at is None:
        grant.revoked_at = now
        grant.revoked_by = user if getattr(user, "is_authenticated", False) else None
        grant.save(update_fields=["revoked_at", "revoked_by"])
    invitee.status = Invitee.Status.DECLINED
    invitee.responded_at = now
    invitee.responded_by = user if getattr(user, "is_authenticated", False) else None
    invitee.save(update_fields=["status", "responded_at", "responded_by"])
    return invitee


# --- Runs under the programme's scheme -------------------------------------------------------


def _programmes_scoring(enterprise_id: int, year: int, quarter: int):
    key = f"{year}Q{quarter}"
    invitees = (
        Invitee.objects.filter(enterprise_id=enterprise_id)
        .exclude(status=Invitee.Status.DECLINED)
        .select_related("programme__scheme")
    )
    return [i.programme for i in invitees if key in i.programme.periods]


def programme_runs_for_submission(*, assessment: Assessment, run: EvaluationRun, user) -> list:
    """Inside the submission's transaction: one more run per scheme version of the programmes
    (invited or joined, not declined) that ask for this period, where it is not the version
    the submission used. A version that cannot score these values is left out (logged):
    the submission itself never fails because of a programme."""
    made, seen = [], {run.scheme_id}
    for programme in _programmes_scoring(
        assessment.enterprise_id, assessment.year, assessment.quarter
    ):
        scheme = programme.scheme
        if scheme.pk in seen or scheme.status == WeightScheme.Status.DRAFT:
            continue
        seen.add(scheme.pk)
        try:
            with transaction.atomic():
                made.append(
                    run_create(
                        assessment=assessment,
                        scheme=scheme,
                        user=user,
                        origin=EvaluationRun.Origin.PROGRAMME,
                    )
                )
        except ValidationError as error:
            logger.warning(
                "assessment %s not scored under %s for programme %s: %s",
                assessment.pk,
                scheme,
                programme.pk,
                error,
            )
    return made


def _score_submitted_periods(invitee: Invitee, user) -> None:
    """On joining: periods submitted before, scored under the programme's version if they have
    no run under it yet."""
    programme = invitee.programme
    periods = programme.period_tuples
    submitted = invitee.enterprise.assessments.filter(status=Assessment.Status.SUBMITTED)
    for assessment in submitted:
        if (assessment.year, assessment.quarter) not in periods:
            continue
        if assessment.runs.filter(scheme=programme.scheme).exists():
            continue
        try:
            with transaction.atomic():
                run_create(
                    assessment=assessment,
                    scheme=programme.scheme,
                    user=user,
                    origin=EvaluationRun.Origin.PROGRAMME,
                )
        except ValidationError as error:
            logger.warning(
                "assessment %s not scored for programme %s: %s", assessment.pk, programme.pk, error
            )


def grants_mark_viewed(*, grant_ids: Iterable[int]) -> None:
    """The owners' sharing page says when a grantee last looked (a page or an export)."""
    Grant.objects.filter(pk__in=list(grant_ids)).update(last_viewed_at=timezone.now())
