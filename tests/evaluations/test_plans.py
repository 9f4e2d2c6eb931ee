"""The improvement plan (issue 15): actions from a result's advice, what they achieved by a later
result, the plan page, the reminders and the plan's part of the full report."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import Reminder
from audit.models import LogEntry
from core import dispatch
from enterprises.models import Role
from evaluations import plans, recommend
from evaluations.models import PlanAction, PlanReminder, Recommendation
from evaluations.reports import pdf, tables
from evaluations.reports.data import report_data
from evaluations.services import plans as plan_services
from evaluations.services import scheme_make_default
from evaluations.services.assessments import assessment_reopen
from evaluations.services.reports import _stamp
from evaluations.tasks import send_plan_reminders
from tests.factories import (
    COMPLETE_VALUES,
    AssessmentFactory,
    MembershipFactory,
    WeightSchemeFactory,
    planned_action,
    submitted_run,
)

pytestmark = pytest.mark.django_db

LOGISTICS = "logistics-shipping-system-routing"  # a value item: 18 % -> 11.5 %, +6.5 points
PAYMENT = "operations-diversified-payment-settlement"  # advice on a dimension, no points


def today():
    return timezone.localdate()


@pytest.fixture
def run(enterprise, alice, erin):
    return submitted_run(AssessmentFactory(enterprise=enterprise, year=2026, quarter=1), erin)


def later(enterprise, user, *, year=2026, quarter=2, **values):
    assessment = AssessmentFactory(
        enterprise=enterprise, year=year, quarter=quarter, values={**COMPLETE_VALUES, **values}
    )
    return submitted_run(assessment, user)


def url(name, enterprise, **kwargs):
    return reverse(f"evaluations:{name}", kwargs={"pk": enterprise.pk, **kwargs})


# --- The service: what an action keeps, and what it refuses ----------------------------------


def test_an_action_keeps_what_the_result_said_when_it_was_planned(run, erin):
    action = planned_action(run, erin, code=LOGISTICS)
    assert action.expected_points == pytest.approx(6.5)  # the item's what-if
    assert action.change == {"input": "logistics_cost", "from": 18.0, "to": 11.5}
    assert action.indicator_code == "logistics_cost"
    assert action.indicator_value == 18.0
    assert action.indicator_contribution == pytest.approx(12.0)  # 100 · 0.25 · 12/25
    assert (action.planned_year, action.planned_quarter) == (2026, 1)
    assert (action.scheme_slug, action.scheme_version) == ("ye-2025-table-4", 1)
    assert action.planned_from == run and action.status == PlanAction.Status.PLANNED
    assert plans.change_line(action) == (
        "Logistics costs from 18 to 11.5 (% of sales revenue): +6.5 points"
    )


def test_the_same_item_twice_for_one_period_is_refused_naming_the_action(
    enterprise, run, erin, alice
):
    first = planned_action(run, erin, code=LOGISTICS)
    with pytest.raises(plan_services.ActionExists) as refused:
        planned_action(run, alice, code=LOGISTICS)
    assert refused.value.action == first
    assert "already in the plan for 2026 Q1" in refused.value.messages[0]
    # another result of the same period (the assessment reopened and submitted again) too
    reopened = assessment_reopen(assessment=run.assessment, user=erin)
    again = submitted_run(reopened, erin)
    with pytest.raises(plan_services.ActionExists):
        planned_action(again, erin, code=LOGISTICS)
    # the next period may plan it again
    planned_action(later(enterprise, erin, logistics_cost=16.0), erin, code=LOGISTICS)
    assert PlanAction.objects.filter(recommendation__code=LOGISTICS).count() == 2


def test_an_owner_is_a_member_and_a_due_date_is_not_in_the_past(run, erin, charlie):
    with pytest.raises(ValidationError) as outsider:
        planned_action(run, charlie, user=erin)
    assert "owner" in outsider.value.error_dict
    with pytest.raises(ValidationError) as past:
        planned_action(run, erin, due_date=today() - timedelta(days=1))
    assert "due_date" in past.value.error_dict
    assert not PlanAction.objects.exists()


def test_an_update_may_keep_a_past_due_date_but_not_move_one_into_the_past(run, erin, bob):
    action = planned_action(run, erin)
    PlanAction.objects.filter(pk=action.pk).update(due_date=today() - timedelta(days=3))
    action.refresh_from_db()
    done = plan_services.plan_action_update(
        action=action, user=erin, status="done", owner=bob, due_date=action.due_date
    )
    assert (done.status, done.owner) == ("done", bob)
    with pytest.raises(ValidationError) as moved:
        plan_services.plan_action_update(
            action=done, user=erin, status="done", owner=bob, due_date=today() - timedelta(1)
        )
    assert "due_date" in moved.value.error_dict


# --- What an action achieved by a later result -------------------------------------------


def test_a_later_result_under_the_same_scheme_measures_the_contribution_change(
    enterprise, run, erin
):
    planned_action(run, erin, code=LOGISTICS)
    next_run = later(enterprise, erin, logistics_cost=14.0)  # 100 · 0.25 · 16/25 = 16.0
    found = plans.run_plan(next_run)
    (review,) = found.reviews
    assert review.same_scheme and review.achieved == pytest.approx(4.0)
    assert review.line == "Planned +6.5 points from Logistics costs; achieved +4.0"
    assert (review.value_before, review.value_after) == (18.0, 14.0)
    assert review.scheme_note == ""


def test_under_another_scheme_the_earlier_values_are_recomputed_and_the_page_says_so(
    enterprise, run, erin
):
    planned_action(run, erin, code=LOGISTICS)
    new = WeightSchemeFactory(
        rows={
            "logistics_cost": {"weight": "0.30"},
            "environmental_impact_score": {"weight": "0.25"},
        },
        published=True,
    )
    scheme_make_default(scheme=new)
    next_run = later(enterprise, erin, logistics_cost=14.0)
    assert next_run.scheme == new
    (review,) = plans.run_plan(next_run).reviews
    # 18 % under 0.30: 100 · 0.30 · 12/25 = 14.4; 14 %: 100 · 0.30 · 16/25 = 19.2
    assert not review.same_scheme and review.achieved == pytest.approx(4.8)
    assert "The schemes differ" in review.scheme_note
    assert new.label in review.scheme_note


def test_advice_on_a_dimension_says_why_no_figure_measures_it(enterprise, run, erin):
    planned_action(run, erin, code=PAYMENT)
    (review,) = plans.run_plan(later(enterprise, erin)).reviews
    assert review.achieved is None and "serves a dimension" in review.reason
    assert review.line == "Planned as advice without points"


def test_only_earlier_periods_are_reviewed(enterprise, run, erin):
    next_run = later(enterprise, erin, logistics_cost=14.0)
    planned_action(next_run, erin, code=LOGISTICS)
    assert plans.run_plan(run).reviews == []  # planned later than this result
    assert plans.run_plan(next_run).reviews == []  # planned from this very period
    assert set(plans.run_plan(next_run).planned_here) == {LOGISTICS}


# --- The result page, the plan page and the add form ---------------------------------------


def test_the_next_result_page_shows_planned_beside_achieved(enterprise, run, erin, client_for):
    planned_action(run, erin, code=LOGISTICS)
    next_run = later(enterprise, erin, logistics_cost=14.0)
    html = client_for(erin).get(url("run", enterprise, run_pk=next_run.pk)).content.decode()
    assert "Planned +6.5 points from Logistics costs; achieved +4.0" in html
    assert reverse("evaluations:plan", args=[enterprise.pk]) in html


def test_editors_add_from_the_result_page_and_viewers_only_read(
    enterprise, run, erin, bob, client_for
):
    page = url("run", enterprise, run_pk=run.pk)
    add = url("plan-add", enterprise, run_pk=run.pk)
    first = recommend.shortlist(recommend.recommendations_for(run))[0].items[0].item.code
    assert f"{add}?item={first}" in client_for(erin).get(page).content.decode()
    assert add not in client_for(bob).get(page).content.decode()
    planned_action(run, erin, code=first)
    html = client_for(erin).get(page).content.decode()
    assert "In the plan" in html and f"{add}?item={first}" not in html


def test_adding_through_the_form_keeps_the_server_s_points(enterprise, run, erin, bob, client_for):
    client = client_for(erin)
    add = url("plan-add", enterprise, run_pk=run.pk)
    form = client.get(f"{add}?item={LOGISTICS}")
    assert "Logistics costs from 18 to 11.5" in form.content.decode()
    due = today() + timedelta(days=60)
    response = client.post(
        add,
        {"item": LOGISTICS, "owner": bob.pk, "due_date": due.isoformat(), "points": "99"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("plan", enterprise)
    action = PlanAction.objects.get()
    assert (action.owner, action.due_date) == (bob, due)
    assert action.expected_points == pytest.approx(6.5) and action.created_by == erin


def test_adding_the_same_item_again_explains_and_links_to_the_action(
    enterprise, run, erin, client_for
):
    action = planned_action(run, erin, code=LOGISTICS)
    client = client_for(erin)
    add = url("plan-add", enterprise, run_pk=run.pk)
    due = (today() + timedelta(days=60)).isoformat()
    response = client.post(add, {"item": LOGISTICS, "owner": erin.pk, "due_date": due})
    html = response.content.decode()
    assert response.status_code == 200
    assert "is already in the plan for 2026 Q1" in html
    assert url("plan-action", enterprise, action_pk=action.pk) in html
    assert PlanAction.objects.count() == 1
    # and the form opened for it says so at once
    html = client.get(f"{add}?item={LOGISTICS}").content.decode()
    assert 'id="already-planned"' in html


def test_an_item_that_does_not_apply_to_the_result_is_refused(enterprise, run, erin, client_for):
    due = (today() + timedelta(days=60)).isoformat()
    response = client_for(erin).post(
        url("plan-add", enterprise, run_pk=run.pk),
        {"item": "measure-logistics-cost", "owner": erin.pk, "due_date": due},
    )
    assert response.status_code == 200 and not PlanAction.objects.exists()
    assert "Select a valid choice" in response.content.decode()


def test_the_plan_page_lists_open_and_closed_actions_for_every_member(
    enterprise, run, erin, bob, client_for
):
    open_action = planned_action(run, erin, code=LOGISTICS)
    closed = planned_action(run, bob, code=PAYMENT, user=erin)
    PlanAction.objects.filter(pk=closed.pk).update(status="dropped")
    later(enterprise, erin, logistics_cost=14.0)
    html = client_for(bob).get(url("plan", enterprise)).content.decode()
    assert open_action.title in html and closed.title in html
    assert html.index(open_action.title) < html.index("Done or dropped") < html.index(closed.title)
    assert "achieved +4.0" in html  # measured by the latest result, 2026 Q2
    assert "Change status, owner or due date" not in html  # a viewer reads
    assert (
        "Change status, owner or due date"
        in client_for(erin).get(url("plan", enterprise)).content.decode()
    )


def test_an_editor_changes_status_and_the_audit_trail_records_it(
    enterprise, run, alice, erin, bob, client_for
):
    action = planned_action(run, erin)
    response = client_for(erin).post(
        url("plan-action", enterprise, action_pk=action.pk),
        {"status": "in_progress", "owner": bob.pk, "due_date": action.due_date.isoformat()},
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.owner) == ("in_progress", bob)
    entries = LogEntry.objects.get_for_object(action).filter(enterprise_id=enterprise.pk)
    assert entries.count() == 2  # created, then changed
    assert "in_progress" in str(entries.order_by("-timestamp").first().changes)
    trail = client_for(alice).get(reverse("audit:enterprise-trail", args=[enterprise.pk]))
    html = trail.content.decode()
    assert "Plan action" in html and "in progress" in html and "in_progress" not in html


def test_a_refused_owner_is_shown_at_its_field(enterprise, run, erin, charlie, client_for):
    action = planned_action(run, erin)
    response = client_for(erin).post(
        url("plan-action", enterprise, action_pk=action.pk),
        {"status": "done", "owner": charlie.pk, "due_date": action.due_date.isoformat()},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    action.refresh_from_db()
    assert action.owner == erin and action.status == "planned"


def test_the_navbar_links_the_plan(enterprise, run, bob, client_for):
    html = client_for(bob).get(url("dashboard", enterprise)).content.decode()
    assert f'href="{url("plan", enterprise)}"' in html


def test_the_plan_reads_in_chinese(enterprise, run, erin, client_for):
    planned_action(run, erin)
    client = client_for(erin)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(url("plan", enterprise)).content.decode()
    assert "改进计划" in html and "Improvement plan" not in html


# --- Reminders ----------------------------------------------------------------------------


def added_days_ago(action, days):
    PlanAction.objects.filter(pk=action.pk).update(created_at=timezone.now() - timedelta(days=days))


@pytest.fixture
def due_soon(run, erin):
    """An action owned by erin, due in a week, added three weeks ago."""
    action = planned_action(run, erin, due_date=today() + timedelta(days=7))
    added_days_ago(action, 21)
    return action


def test_a_week_before_the_owner_gets_one_reminder_in_their_language(
    due_soon, erin, enterprise, django_capture_on_commit_callbacks
):
    erin.language = "zh-hans"
    erin.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_plan_reminders() == {"sent": 1, "turned_off": 0}
    (message,) = mail.outbox
    assert message.to == ["erin@example.com"]
    assert "改进计划" in message.subject
    assert "http://127.0.0.1:8000/accounts/me/" in message.body  # how to turn it off
    assert f"/enterprises/{enterprise.pk}/plan/" in message.body
    assert enterprise.name in message.body
    with django_capture_on_commit_callbacks(execute=True):
        assert send_plan_reminders() == {"sent": 0, "turned_off": 0}  # never twice
    assert len(mail.outbox) == 1
    assert PlanReminder.objects.get().kind == Reminder.PLAN_WEEK_BEFORE


def test_on_the_day_the_owner_is_reminded_again(due_soon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan_services.plan_reminders_send(today=today())
        plan_services.plan_reminders_send(today=due_soon.due_date)
        plan_services.plan_reminders_send(today=due_soon.due_date)
    week, day = (m.subject for m in mail.outbox)
    assert week.startswith("Improvement plan: an action is due on ")
    assert str(due_soon.due_date.year) in week
    assert day == "Improvement plan: an action is due today"
    assert "To stop reminders of this kind" in mail.outbox[1].body


def test_done_or_dropped_actions_and_former_members_get_no_reminder(
    due_soon, run, erin, bob, enterprise, django_capture_on_commit_callbacks
):
    PlanAction.objects.filter(pk=due_soon.pk).update(status="done")
    left = planned_action(run, bob, code=PAYMENT, due_date=today(), user=erin)
    enterprise.memberships.filter(user=bob).delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_services.plan_reminders_send(today=today()) == {"sent": 0, "turned_off": 0}
    assert not mail.outbox and not PlanReminder.objects.exists()
    assert left.owner == bob


def test_an_action_added_this_week_gets_no_week_before_reminder(
    run, erin, django_capture_on_commit_callbacks
):
    planned_action(run, erin, due_date=today() + timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_services.plan_reminders_send(today=today())["sent"] == 0


def test_a_kind_turned_off_is_recorded_and_not_sent(
    due_soon, erin, django_capture_on_commit_callbacks
):
    erin.reminders_off = [Reminder.PLAN_WEEK_BEFORE]
    erin.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_services.plan_reminders_send(today=today()) == {"sent": 0, "turned_off": 1}
        assert plan_services.plan_reminders_send(today=due_soon.due_date)["sent"] == 1
    assert len(mail.outbox) == 1 and "due today" in mail.outbox[0].subject
    assert not PlanReminder.objects.get(kind=Reminder.PLAN_WEEK_BEFORE).sent


def test_a_sweep_sends_at_most_its_batch_spread_over_its_interval(
    enterprise, erin, monkeypatch, django_capture_on_commit_callbacks
):
    runs = [later(enterprise, erin, year=2025, quarter=q) for q in (1, 2, 3)]
    for each in runs:
        planned_action(each, erin, due_date=today())
    delays = []
    send = dispatch.send
    monkeypatch.setattr(
        dispatch,
        "send",
        lambda name, *args, countdown=None: (delays.append(countdown), send(name, *args)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_services.plan_reminders_send(today=today(), batch=2, every=600)["sent"] == 2
    assert delays == [None, 300.0]  # the second waits half the interval
    with django_capture_on_commit_callbacks(execute=True):
        assert plan_services.plan_reminders_send(today=today(), batch=2, every=600)["sent"] == 1
    assert len(mail.outbox) == 3


def test_beat_sends_the_reminders_through_the_mail_queue(settings):
    assert settings.CELERY_TASK_ROUTES["evaluations.tasks.send_plan_reminders"] == {"queue": "mail"}
    entry = settings.CELERY_BEAT_SCHEDULE["plan-reminders"]
    assert entry["task"] == "evaluations.tasks.send_plan_reminders"


# --- The full report ------------------------------------------------------------------------


def test_the_report_carries_the_plan_in_pdf_csv_and_xlsx(enterprise, run, erin):
    planned_action(run, erin, code=LOGISTICS)
    next_run = later(enterprise, erin, logistics_cost=14.0)
    planned_action(next_run, erin, code=PAYMENT, due_date=today() + timedelta(days=40))
    data = report_data(next_run, user=erin)
    html = pdf.report_html(data)
    assert "Improvement plan" in html
    assert "Planned +6.5 points from Logistics costs; achieved +4.0" in html
    assert Recommendation.objects.get(code=PAYMENT).title in html

    text = tables.csv_bytes(data).decode("utf-8-sig")
    assert "\nPlan\r\n" in text and "Achieved by this result" in text

    workbook = load_workbook(BytesIO(tables.xlsx_bytes(data)))
    sheet = workbook["Plan"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[5] for row in rows] == ["2026 Q1", "2026 Q2"]
    earlier = rows[0]
    assert earlier[6] == 6.5 and earlier[8] == 4.0 and earlier[9] == pytest.approx(4.0)
    assert earlier[3].date() == today() + timedelta(days=30)  # a date, not text


def test_a_report_without_the_plan_leaves_every_part_of_it_out(enterprise, run, erin):
    planned_action(run, erin, code=LOGISTICS)
    data = report_data(run, user=erin)
    data.plan = None  # what the shared variant does
    assert "Improvement plan" not in pdf.report_html(data)
    assert tables.plan_section(data) is None
    assert "Plan" not in load_workbook(BytesIO(tables.xlsx_bytes(data))).sheetnames
    assert erin.full_name not in tables.csv_bytes(data).decode("utf-8-sig")


def test_an_edited_action_makes_the_full_report_again(run, erin):
    before = _stamp(run)
    action = planned_action(run, erin)
    assert _stamp(run) != before
    added = _stamp(run)
    plan_services.plan_action_update(
        action=action, user=erin, status="done", owner=erin, due_date=action.due_date
    )
    assert _stamp(run) != added


@override_settings(LANGUAGE_CODE="en")
def test_the_reminder_names_no_internal_code(due_soon, django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        plan_services.plan_reminders_send(today=today())
    body = mail.outbox[0].body
    assert "logistics_cost" not in body and "Logistics costs" in body
    assert "planned" in body.lower() and "in_progress" not in body


def test_a_viewer_may_not_be_refused_as_owner(run, erin, bob):
    assert planned_action(run, bob, user=erin).owner == bob
    assert MembershipFactory._meta.model.objects.get(user=bob).role == Role.VIEWER
