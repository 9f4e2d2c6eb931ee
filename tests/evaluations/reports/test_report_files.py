"""A PDF is a ReportFile rendered on the reports queue: progress meanwhile, one file per report,
failures readable and retried, stuck renders and expired files swept by beat."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core import dispatch
from evaluations.models import EvaluationRun, ReportFile
from evaluations.reports import pdf
from evaluations.services import reports
from evaluations.services.rendering import report_file_render
from evaluations.services.runs import run_execute
from tests.factories import AssessmentFactory, submitted_run

pytestmark = pytest.mark.django_db
Status = ReportFile.Status


def _url(name, run) -> str:
    return reverse(f"evaluations:{name}", kwargs={"pk": run.enterprise_id, "run_pk": run.pk})


@pytest.fixture
def sent(monkeypatch):
    """Hold the tasks instead of running them: the (name, args) of each one sent."""
    calls = []
    monkeypatch.setattr(dispatch, "send", lambda name, *args, **kw: calls.append((name, args)))
    return calls


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """``report_file_request`` as a view calls it, with what it sends after the commit sent."""

    def request(run, user, language="en", **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            report = reports.report_file_request(run=run, user=user, language=language, **kwargs)
        report.refresh_from_db()
        return report

    return request


def _render(sent, index=-1) -> str:
    """What the reports worker does with the message sent."""
    name, (report_id,) = sent[index]
    assert name == "evaluations.tasks.render_report"
    return report_file_render(report_file_id=report_id)


def test_the_page_shows_progress_until_a_worker_has_built_the_file(
    run, bob, client_for, sent, django_capture_on_commit_callbacks
):
    client = client_for(bob)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(_url("run-pdf", run))
    assert page.status_code == 200
    html = page.content.decode()
    assert "PDF report" in html and "Waiting for a worker" in html
    assert f'hx-get="{_url("run-pdf-status", run)}"' in html
    assert '<meta http-equiv="refresh" content="2">' in html  # without JavaScript
    assert len(sent) == 1

    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url("run-pdf", run))
        client.get(_url("run-pdf-status", run))
    assert len(sent) == 1  # asking again does not build it twice
    assert ReportFile.objects.count() == 1

    assert _render(sent) == Status.READY
    report = ReportFile.objects.get()
    assert (report.run_id, report.requested_by_id, report.language) == (run.pk, bob.pk, "en")
    assert report.expires_at > timezone.now()

    status = client.get(_url("run-pdf-status", run), headers={"HX-Request": "true"})
    # The download starts by itself, once: an event static/js/pdf-ready.js acts on, with the
    # ready state swapped in for the polling card (an HX-Redirect to the attachment left the
    # card in place, polling and downloading again every second; issue 15).
    assert json.loads(status["HX-Trigger"]) == {"pdf-ready": {"url": _url("run-pdf", run)}}
    ready = status.content.decode()
    assert "hx-get" not in ready and "hx-trigger" not in ready
    assert "Your PDF report is ready; the download starts by itself." in ready
    assert "Waiting for a worker" not in ready
    download = client.get(_url("run-pdf", run))
    assert download["Content-Disposition"] == (
        'attachment; filename="alice-trading-co-2025-Q4-evaluation.pdf"'
    )
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_another_member_gets_the_same_file_and_an_outsider_nothing(
    run, alice, bob, charlie, client_for, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(bob).get(_url("run-pdf", run))
    _render(sent)
    response = client_for(alice).get(_url("run-pdf", run))
    assert response["Content-Type"] == "application/pdf" and len(sent) == 1
    assert client_for(charlie).get(_url("run-pdf", run)).status_code == 404
    assert client_for(charlie).get(_url("run-pdf-status", run)).status_code == 404
    assert client_for(charlie).post(_url("run-pdf-retry", run)).status_code == 404


def test_each_language_has_its_own_file(run, bob, client_for, sent):
    client = client_for(bob)
    client.get(_url("run-pdf", run))
    client.get(_url("run-pdf", run), headers={"accept-language": "zh-hans"})
    assert sorted(ReportFile.objects.values_list("language", flat=True)) == ["en", "zh-hans"]


def test_an_edited_profile_makes_the_file_again(run, bob, sent, ask):
    first = ask(run, bob)
    report_file_render(report_file_id=first.pk)
    assert ReportFile.objects.get().is_ready
    run.enterprise.name = "Alice Trading Group"
    run.enterprise.save()
    again = ask(run, bob)
    assert again.pk == first.pk and again.status == Status.QUEUED and not again.file


def test_the_worker_checks_access_again(run, charlie, sent, ask):
    report = reports.report_file_request(
        run=run, user=charlie, language="en"
    )  # as if a view had let it
    assert report_file_render(report_file_id=report.pk) == Status.FAILED
    report.refresh_from_db()
    assert report.error == "You may not read this report." and not report.file


def test_a_failure_is_shown_and_can_be_tried_again(
    run, bob, client_for, sent, monkeypatch, django_capture_on_commit_callbacks
):
    client = client_for(bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url("run-pdf", run))

    def slow(*args, **kwargs):
        raise pdf.PdfTimeout("too slow")

    monkeypatch.setattr(pdf, "render_pdf", slow)
    assert _render(sent) == Status.FAILED
    page = client.get(_url("run-pdf", run)).content.decode()
    assert "The report took too long to prepare." in page
    assert f'action="{_url("run-pdf-retry", run)}"' in page
    assert len(sent) == 1  # a failure is not retried behind the person's back
    status = client.get(_url("run-pdf-status", run), headers={"HX-Request": "true"})
    assert status.status_code == 286  # htmx stops polling

    monkeypatch.undo()
    monkeypatch.setattr(dispatch, "send", lambda name, *args, **kw: sent.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(_url("run-pdf-retry", run))
    assert retried.status_code == 302 and retried["Location"] == _url("run-pdf", run)
    assert len(sent) == 2 and _render(sent) == Status.READY


def test_a_render_that_failed_for_someone_else_is_tried_again_for_a_new_reader(
    run, alice, bob, sent, ask
):
    failed = ask(run, alice)
    reports.report_file_fail(failed.pk, "the worker stopped")
    again = ask(run, bob)
    assert again.status == Status.QUEUED and again.requested_by == bob


def test_a_broker_that_is_down_is_a_readable_failure(
    run, bob, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(dispatch, "send", down)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(bob).get(_url("run-pdf", run))
    page = client_for(bob).get(_url("run-pdf", run)).content.decode()
    assert "No worker could be reached" in page


def test_a_killed_render_is_failed_by_the_sweep_and_can_be_retried_at_once(
    run, bob, sent, settings, ask
):
    report = ask(run, bob)
    # A worker took it and was killed by its hard time limit: the row says "running" for ever.
    ReportFile.objects.filter(pk=report.pk).update(
        status=Status.RUNNING,
        started_at=timezone.now() - timedelta(seconds=settings.REPORT_RENDER_TIME_LIMIT + 31),
    )
    assert reports.report_files_sweep() == {"failed": 1, "expired": 0}
    report.refresh_from_db()
    assert report.is_failed and "not prepared in time" in report.error
    retried = ask(run, bob, retry=True)
    assert retried.status == Status.QUEUED and sent[-1] == (reports.RENDER, (report.pk,))
    assert _render(sent) == Status.READY


def test_a_render_queued_too_long_is_failed_by_the_sweep(run, bob, sent, settings, ask):
    report = ask(run, bob)
    later = timezone.now() + settings.REPORT_QUEUED_STALE + timedelta(seconds=1)
    assert reports.report_files_sweep(now=later)["failed"] == 1
    report.refresh_from_db()
    assert report.is_failed


def test_a_redelivered_message_of_a_running_render_does_nothing(run, bob, sent, ask):
    """A worker lost mid-render redelivers its message: the row says running, so the copy
    leaves it to the sweep (which fails it past the limit) instead of rendering twice."""
    report = ask(run, bob)
    ReportFile.objects.filter(pk=report.pk).update(status=Status.RUNNING)
    assert report_file_render(report_file_id=report.pk) == Status.RUNNING
    assert not ReportFile.objects.get().file


def test_a_redelivered_render_stores_nothing_twice(run, bob, sent, ask):
    report = ask(run, bob)
    assert report_file_render(report_file_id=report.pk) == Status.READY
    first = ReportFile.objects.get().file.name
    assert report_file_render(report_file_id=report.pk) == Status.READY
    assert ReportFile.objects.get().file.name == first
    assert ReportFile.objects.count() == 1


def test_an_expired_file_is_deleted_by_the_sweep_and_made_again_when_asked(run, bob, sent, ask):
    report = ask(run, bob)
    report_file_render(report_file_id=report.pk)
    report.refresh_from_db()
    storage, name = report.file.storage, report.file.name
    assert storage.exists(name)
    later = report.expires_at + timedelta(seconds=1)
    assert reports.report_files_sweep(now=later) == {"failed": 0, "expired": 1}
    assert not storage.exists(name) and not ReportFile.objects.exists()
    assert ask(run, bob).status == Status.QUEUED


def test_a_fresh_result_is_rendered_ahead_of_the_first_click(
    enterprise, alice, client_for, settings, sent, django_capture_on_commit_callbacks
):
    settings.REPORT_PRERENDER = True
    with translation.override("zh-hans"):
        run = submitted_run(AssessmentFactory(enterprise=enterprise), alice, execute=False)
    assert run.language == "zh-hans"
    with django_capture_on_commit_callbacks(execute=True):
        assert run_execute(run.pk)
    report = ReportFile.objects.get(run=run)
    assert (report.language, report.requested_by) == ("zh-hans", alice)
    assert _render(sent) == Status.READY
    response = client_for(alice).get(_url("run-pdf", run), headers={"accept-language": "zh-hans"})
    assert response["Content-Type"] == "application/pdf"  # no waiting at all


def test_a_rescored_run_is_not_rendered_ahead(run, settings, sent):
    settings.REPORT_PRERENDER = True
    EvaluationRun.objects.filter(pk=run.pk).update(origin=EvaluationRun.Origin.RESCORE)
    assert reports.report_file_prerender(run_id=run.pk) is None


def test_workers_know_the_tasks_and_their_queues():
    """A worker imports its tasks at start (a fresh interpreter: nothing imported by other
    tests); each task must be known and routed to its own queue."""
    code = (
        "import django; django.setup()\n"
        "from cbec_site.celery import app\n"
        "app.loader.import_default_modules()\n"
        "for name in ('evaluations.tasks.run_evaluation', 'evaluations.tasks.render_report',\n"
        "             'core.tasks.deliver_mail', 'evaluations.tasks.sweep_report_files'):\n"
        "    print(name in app.tasks, app.amqp.router.route({}, name)['queue'].name)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cbec_site.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.stdout.split("\n")[:4] == [
        "True evaluations",
        "True reports",
        "True mail",
        "True evaluations",
    ], result.stderr[-2000:]
