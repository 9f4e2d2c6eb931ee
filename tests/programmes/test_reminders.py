"""Programme reminders: the beat's schedule run by hand, Django's locmem mail as the outbox."""

import datetime

import pytest
from django.core import mail

from accounts.models import Reminder
from enterprises.models import Role
from programmes.models import ReminderSent
from programmes.services import reminders
from programmes.services.programmes import invitee_decline
from programmes.tasks import send_reminders
from tests.factories import (
    AssessmentFactory,
    InviteeFactory,
    MembershipFactory,
    ProgrammeFactory,
    joined_invitee,
    submitted_run,
)

pytestmark = pytest.mark.django_db
DEADLINE = datetime.date(2026, 10, 15)


@pytest.fixture
def programme(organisation):
    made = ProgrammeFactory(organisation=organisation, periods=["2026Q3"], deadline=DEADLINE)
    # invited well before the first step
    return made


def run_beat(committed, day: datetime.date) -> int:
    with committed():
        return reminders.reminders_send(day)


def invited_long_ago(invitee):
    type(invitee).objects.filter(pk=invitee.pk).update(
        invited_at=datetime.datetime(2026, 7, 1, tzinfo=datetime.UTC)
    )


@pytest.mark.parametrize(
    ("today", "step"),
    [
        (datetime.date(2026, 10, 7), None),
        (datetime.date(2026, 10, 8), -7),
        (datetime.date(2026, 10, 14), -7),
        (DEADLINE, 0),
        (datetime.date(2026, 10, 22), 7),
        (datetime.date(2027, 1, 1), 7),
    ],
)
def test_the_latest_step_due_is_the_one_sent(programme, today, step):
    assert reminders.due_step(programme, today) == step


def test_an_owner_who_has_not_submitted_is_reminded_once_per_step(programme, committed):
    invitee = joined_invitee(programme)
    invited_long_ago(invitee)
    owner = invitee.enterprise.memberships.get(role=Role.OWNER).user
    MembershipFactory(enterprise=invitee.enterprise, role=Role.EDITOR)  # editors are not
    assert run_beat(committed, datetime.date(2026, 10, 8)) == 1
    assert [message.to for message in mail.outbox] == [[owner.email]]
    body = mail.outbox[0].body
    assert programme.name in body and "2026 Q3" in body
    assert f"/enterprises/{invitee.enterprise_id}/assessments/new/" in body
    assert run_beat(committed, datetime.date(2026, 10, 9)) == 0  # the same step: never twice
    assert run_beat(committed, DEADLINE) == 1  # the next step
    sent = ReminderSent.objects.filter(invitee=invitee).order_by("day")
    assert [(r.day, r.recipients, r.periods) for r in sent] == [
        (-7, [owner.email], ["2026Q3"]),
        (0, [owner.email], ["2026Q3"]),
    ]
    assert len(mail.outbox) == 2


def test_the_task_on_the_beat_runs_the_same_service(programme, committed):
    invited_long_ago(joined_invitee(programme))
    with committed():
        assert send_reminders() in (0, 1)  # today's date decides; the row says what it did
    assert ReminderSent.objects.count() == len(mail.outbox)


def test_the_link_goes_to_the_draft_when_there_is_one(programme, committed):
    invitee = joined_invitee(programme)
    invited_long_ago(invitee)
    draft = AssessmentFactory(enterprise=invitee.enterprise, year=2026, quarter=3)
    run_beat(committed, DEADLINE)
    assert f"/enterprises/{invitee.enterprise_id}/assessments/{draft.pk}/" in mail.outbox[0].body


def test_submitted_declined_and_unwilling_owners_get_nothing(programme, committed):
    done = joined_invitee(programme)
    submitted_run(AssessmentFactory(enterprise=done.enterprise, year=2026, quarter=3))
    gone = joined_invitee(programme)
    invitee_decline(invitee=gone, user=gone.enterprise.memberships.get().user)
    unwilling = joined_invitee(programme)
    owner = unwilling.enterprise.memberships.get().user
    owner.reminders_off = [Reminder.PROGRAMME]
    owner.save()
    for invitee in (done, gone, unwilling):
        invited_long_ago(invitee)
    assert run_beat(committed, DEADLINE) == 0
    assert mail.outbox == []
    # the unwilling owner's step is recorded with nobody to send to: managers read that
    assert ReminderSent.objects.get().recipients == []


def test_each_owner_reads_it_in_their_language(programme, committed):
    invitee = joined_invitee(programme)
    invited_long_ago(invitee)
    owner = invitee.enterprise.memberships.get().user
    owner.language = "zh-hans"
    owner.save()
    run_beat(committed, DEADLINE)
    assert "2026年" in mail.outbox[0].body


def test_an_invited_enterprise_without_a_profile_reminds_its_contact_with_a_new_link(
    programme, committed
):
    invitee = InviteeFactory(programme=programme, enterprise=None, email="new@example.com")
    invited_long_ago(invitee)
    before = invitee.token_hash
    run_beat(committed, DEADLINE)
    assert mail.outbox[0].to == ["new@example.com"]
    assert "/programmes/invitations/open/" in mail.outbox[0].body
    invitee.refresh_from_db()
    assert invitee.token_hash != before


def test_a_step_before_the_invitation_is_not_sent(programme, committed):
    invitee = joined_invitee(programme)  # invited today, after every step of a past deadline
    type(invitee).objects.filter(pk=invitee.pk).update(
        invited_at=datetime.datetime(2026, 10, 20, tzinfo=datetime.UTC)
    )
    assert run_beat(committed, datetime.date(2026, 10, 21)) == 0
    assert run_beat(committed, datetime.date(2026, 10, 22)) == 1  # the week-after step


def test_reminders_are_paced_and_batched(programme, committed, monkeypatch):
    sent = []
    monkeypatch.setattr(
        reminders,
        "mail_send",
        lambda **message: sent.append(message["countdown"]),
    )
    for _ in range(3):
        invited_long_ago(joined_invitee(programme))
    assert run_beat(committed, DEADLINE) == 3
    assert sent == [None, reminders.REMINDER_PACE_SECONDS, 2 * reminders.REMINDER_PACE_SECONDS]
    for _ in range(2):
        invited_long_ago(joined_invitee(programme))
    with committed():
        assert reminders.reminders_send(DEADLINE, batch=1) == 1  # the rest wait for the next beat
    with committed():
        assert reminders.reminders_send(DEADLINE, batch=5) == 1
