"""The PDF is built by a worker into a private file that expires; the page shows progress."""

import os
import subprocess
import sys
import time

import pytest
from django.urls import reverse
from django.utils import translation

from evaluations.models.assessments import private_storage
from evaluations.reports import pdf

pytestmark = pytest.mark.django_db


def _url(name, run) -> str:
    return reverse(f"evaluations:{name}", kwargs={"pk": run.enterprise_id, "run_pk": run.pk})


@pytest.fixture
def sent(monkeypatch):
    """Hold the tasks instead of running them eagerly: the arguments of each one sent."""
    calls = []
    monkeypatch.setattr(pdf.build_pdf_task, "delay", lambda *args: calls.append(args))
    return calls


def test_the_page_shows_progress_until_a_worker_has_built_the_file(run, bob, client_for, sent):
    client = client_for(bob)
    page = client.get(_url("run-pdf", run))
    assert page.status_code == 200
    html = page.content.decode()
    assert "PDF report" in html and "Waiting for a worker" in html
    assert f'hx-get="{_url("run-pdf-status", run)}"' in html
    assert '<meta http-equiv="refresh" content="2">' in html  # without JavaScript
    assert len(sent) == 1

    client.get(_url("run-pdf", run))
    client.get(_url("run-pdf-status", run))
    assert len(sent) == 1  # asking again does not build it twice

    key, run_id, user_id, language = sent[0]
    assert (run_id, user_id, language) == (run.pk, bob.pk, "en")
    assert pdf.build_pdf_task.run(key, run_id, user_id, language) == "ready"  # the worker

    status = client.get(_url("run-pdf-status", run), headers={"HX-Request": "true"})
    assert status.status_code == 286  # htmx stops polling
    assert f'href="{_url("run-pdf", run)}"' in status.content.decode()
    download = client.get(_url("run-pdf", run))
    assert download["Content-Disposition"] == (
        'attachment; filename="alice-trading-co-2025-Q4-evaluation.pdf"'
    )
    assert download["Cache-Control"] == "private, no-store"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_another_member_gets_the_same_file_and_an_outsider_nothing(
    run, alice, bob, charlie, client_for, sent
):
    client_for(bob).get(_url("run-pdf", run))
    pdf.build_pdf_task.run(*sent[0])
    response = client_for(alice).get(_url("run-pdf", run))
    assert response["Content-Type"] == "application/pdf" and len(sent) == 1
    assert client_for(charlie).get(_url("run-pdf", run)).status_code == 404
    assert client_for(charlie).get(_url("run-pdf-status", run)).status_code == 404


def test_each_language_has_its_own_file(run, bob, client_for, sent):
    client = client_for(bob)
    client.get(_url("run-pdf", run))
    client.get(_url("run-pdf", run), headers={"accept-language": "zh-hans"})
    assert [args[3] for args in sent] == ["en", "zh-hans"]


def test_an_edited_profile_makes_a_new_file(run):
    with translation.override("en"):
        before = pdf.job_key(run, "en")
        run.enterprise.name = "Alice Trading Group"
        run.enterprise.save()
        assert pdf.job_key(run, "en") != before


def test_the_worker_checks_access_again(run, charlie, sent):
    job = pdf.pdf_job_start(run, user=charlie, language="en")  # as if a view had let it pass
    finished = pdf.pdf_job_run(job.key, run.pk, charlie.pk, "en")
    assert finished.failed and not finished.path
    assert finished.error == "You may not read this report."


def test_a_failure_is_shown_and_can_be_retried(run, bob, client_for, sent, monkeypatch):
    client = client_for(bob)
    client.get(_url("run-pdf", run))

    def slow(*args, **kwargs):
        raise pdf.PdfTimeout("too slow")

    monkeypatch.setattr(pdf, "render_report", slow)
    assert pdf.build_pdf_task.run(*sent[0]) == "failed"
    page = client.get(_url("run-pdf", run)).content.decode()
    assert "The report took too long to prepare." in page and "?retry=1" in page
    assert len(sent) == 1
    monkeypatch.undo()
    monkeypatch.setattr(pdf.build_pdf_task, "delay", lambda *args: sent.append(args))
    client.get(_url("run-pdf", run) + "?retry=1")
    assert len(sent) == 2


def test_a_broker_that_is_down_is_a_readable_failure(run, bob, client_for, monkeypatch):
    def down(*args):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(pdf.build_pdf_task, "delay", down)
    page = client_for(bob).get(_url("run-pdf", run)).content.decode()
    assert "No worker could be reached" in page


def test_a_stored_file_expires(run, bob, settings, sent):
    job = pdf.pdf_job_start(run, user=bob, language="en")
    ready = pdf.pdf_job_run(job.key, run.pk, bob.pk, "en")
    storage = private_storage()
    assert ready.ready and storage.exists(ready.path)
    assert ready.expires_at is not None
    old = time.time() - pdf.lifetime().total_seconds() - 3600
    os.utime(storage.path(ready.path), (old, old))
    pdf._remove_expired_files()  # runs whenever a new job starts
    assert not storage.exists(ready.path)
    assert pdf.pdf_job(ready.key) is None  # its entry without its file counts as none


def test_the_worker_knows_the_task():
    """A worker imports its tasks at start (a fresh interpreter: nothing imported by other tests);
    the PDF task must be among them, or every PDF would wait for ever."""
    code = (
        "import django; django.setup()\n"
        "from cbec_site.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print('evaluations.reports.build_pdf' in app.tasks)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cbec_site.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.stdout.strip().splitlines()[-1:] == ["True"], result.stderr[-2000:]
