"""The PDF report: an HTML template, rendered by WeasyPrint (``weasy``) within a time limit.

A render is bounded by killing the process that does it, never by an exception sent into it
(WeasyPrint catches broad exceptions in places, so such an exception can be swallowed):

- on a Celery worker (``IN_WORKER_POOL``) the task renders inline, and the task's hard time
  limit kills the pool process and frees its memory; the beat sweep then fails the report file,
  which may be asked for again at once (``services.reports``);
- anywhere else (the tests, a management command) the render runs in a child process, forked
  from a server that has WeasyPrint loaded already, and is killed at the deadline: ``PdfTimeout``.

Measured on the 2-CPU development machine: the report of Table 4's five indicators with its
recommendations takes 1.6 s in English and 2.0 s in Chinese (bench/pdf.py), so the page never
waits for it: a worker renders it (``evaluations.tasks.render_report``), ahead of the first
click for a fresh result.
"""

from __future__ import annotations

import logging
import multiprocessing
from functools import cache
from pathlib import Path

from celery.signals import worker_process_init
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from core.http import absolute_url
from evaluations.reports import weasy
from evaluations.reports.data import Built, ReportData, filename, report_data

TEMPLATE = "evaluations/report.html"
STYLESHEET = "css/report.css"

IN_WORKER_POOL = False  # true in a Celery pool process, whose hard time limit bounds a render


@worker_process_init.connect(weak=False)
def _in_worker_pool(**kwargs) -> None:
    global IN_WORKER_POOL
    IN_WORKER_POOL = True


class PdfError(RuntimeError):
    """The render failed; the message says why."""


class PdfTimeout(PdfError):
    """The render took longer than its time limit."""


def static_roots() -> tuple[str, ...]:
    """The directories whose files a report may use: STATICFILES_DIRS and STATIC_ROOT."""
    roots = [
        entry[1] if isinstance(entry, tuple | list) else entry
        for entry in settings.STATICFILES_DIRS
    ]
    if settings.STATIC_ROOT:
        roots.append(settings.STATIC_ROOT)
    return tuple(str(Path(root).resolve()) for root in roots)


def report_html(data: ReportData) -> str:
    """The report's HTML in the active language (also handy to look at in a browser)."""
    stylesheet = finders.find(STYLESHEET)
    return render_to_string(
        TEMPLATE,
        {
            "data": data,
            "run": data.run,
            "enterprise": data.enterprise,
            "page": data.page,
            "method": data.methodology,
            "methodology_url": absolute_url(reverse("methodology")),
            "in_pdf": True,  # no links a printed page cannot follow
            "stylesheet_url": Path(stylesheet).resolve().as_uri() if stylesheet else "",
            "document_title": _("Sustainability evaluation %(period)s · %(name)s")
            % {"period": data.run.period, "name": data.enterprise.name},
        },
    )


def render_pdf(html: str, *, seconds: float | None = None) -> bytes:
    """HTML to PDF bytes, reading only static files: inline on a worker (its hard time limit
    applies), else in a child process killed after ``seconds`` (PdfTimeout)."""
    if IN_WORKER_POOL:
        return weasy.write_pdf(html, weasy.StaticFilesFetcher(static_roots()))
    return _render_in_child(html, seconds or settings.REPORT_RENDER_TIME_LIMIT)


@cache
def _children() -> multiprocessing.context.BaseContext:
    """Children fork from a server that loaded WeasyPrint once, not from this (threaded)
    process: a fork of a threaded process may deadlock, and a fresh interpreter per report
    would pay WeasyPrint's import every time."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["evaluations.reports.weasy"])
    return context


def _render_in_child(html: str, seconds: float) -> bytes:
    context = _children()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=weasy.render_in_child, args=(sender, html, static_roots()), daemon=True
    )
    child.start()
    sender.close()  # only the child writes; its end closing means the child is gone
    try:
        if not receiver.poll(seconds):
            raise PdfTimeout(_("The report took longer than %(s)g s to prepare.") % {"s": seconds})
        status, payload, warnings = receiver.recv()
    except EOFError:
        raise PdfError(_("The process preparing the report stopped unexpectedly.")) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(timeout=5)
        receiver.close()
    for name, level, message in warnings:
        logging.getLogger(name).log(level, "%s", message)
    if status != "ok":
        raise PdfError(payload)
    return payload


def build(run, *, user, grant_id: int | None = None, check_code: str | None = None) -> Built:
    """The PDF report of a succeeded run, for someone who may read it (checked again here);
    with ``grant_id``, the shared variant under that grant, carrying its check address."""
    data = report_data(run, user=user, grant_id=grant_id, check_code=check_code)
    return Built(filename(data, "pdf"), "application/pdf", render_pdf(report_html(data)))
