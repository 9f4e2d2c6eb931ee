"""The PDF report: an HTML template rendered by WeasyPrint, fetching only our static files.

Two guards make rendering safe whatever ends up in the HTML (an enterprise name, a future
template change):

- ``StaticFilesFetcher`` is the only way WeasyPrint may read anything. It serves ``file:`` URLs
  that resolve (after ``..`` and symbolic links) to a file inside the static directories, and
  ``data:`` URLs, which carry their bytes inline. Every other URL, ``http(s)`` to any address,
  ``ftp``, another file on the disk, is refused before a socket or a file is opened.
- ``time_limit`` stops a render that runs too long with ``PdfTimeout``.

Measured (median of 10 renders on the 2-CPU development machine, under load): the report of
Ye (2025) Table 4's five indicators with its recommendations takes 1.6 s in English and 2.0 s in
Chinese (1.0 and 1.2 s of CPU), and one with 50 indicator rows 2.6-2.9 s of CPU (bench/pdf.py),
with a peak of 0.3-0.8 GiB resident for Pango and the CJK fonts. That is more than the second a
web request may take, so the PDF is built in a Celery task (``build_pdf_task``) into a private
file that expires after ``lifetime()``; the page shows its progress, then serves the file. A job
is shared by everyone who asks for the same run, language and profile while its file lives, and
every download checks access again. Importing WeasyPrint takes about a second, so the web
process imports this module only when a PDF is asked for. (CSV: 30 ms, XLSX: 80 ms: direct.)
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import mimetypes
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import DataHandler, OpenerDirector, Request, url2pathname

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from evaluations.models import EvaluationRun
from evaluations.models.assessments import private_storage
from evaluations.reports import Built, ReportData, filename, report_data

TEMPLATE = "evaluations/report.html"
STYLESHEET = "css/report.css"
DEFAULT_TIME_LIMIT = 20.0  # seconds; a normal report takes a fraction of one

# WeasyPrint logs every rendering step at INFO; a report's log needs only its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class PdfTimeout(RuntimeError):
    """The render took longer than its time limit."""


class _Deadline(BaseException):
    """Raised inside the rendering thread; a BaseException so no ``except Exception`` in
    WeasyPrint swallows it. ``time_limit`` turns it into ``PdfTimeout``."""


def static_roots() -> tuple[Path, ...]:
    """The directories whose files a report may use: STATICFILES_DIRS and STATIC_ROOT."""
    roots = []
    for entry in settings.STATICFILES_DIRS:
        roots.append(entry[1] if isinstance(entry, tuple | list) else entry)
    if settings.STATIC_ROOT:
        roots.append(settings.STATIC_ROOT)
    return tuple(Path(root).resolve() for root in roots)


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint's fetcher, reduced to the static directories and inline ``data:`` URLs.

    ``refused`` lists the URLs it turned down (WeasyPrint only logs a warning and goes on
    without the resource, so a bad URL never breaks a report).
    """

    def __init__(self, roots: tuple[Path, ...] | None = None) -> None:
        # Not URLFetcher.__init__: it installs urllib's HTTP, HTTPS (loading the CA store takes
        # about 0.1 s) and FTP handlers, none of which may ever be used here. Without handlers,
        # even a direct call of ``open`` cannot reach the network.
        OpenerDirector.__init__(self)
        self._fail_on_errors = False  # read by weasyprint.urls.fetch: a refusal is a warning
        self.roots = tuple(Path(root).resolve() for root in roots) if roots else static_roots()
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":  # the bytes are in the URL itself
            inline = DataHandler().data_open(Request(url))
            return URLFetcherResponse(url, inline.read(), dict(inline.headers.items()))
        if scheme == "file" and parts.netloc in ("", "localhost"):
            path = self._allowed_path(parts.path)
            if path is not None:
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(
                    path.as_uri(), path.read_bytes(), {"Content-Type": content_type}
                )
        self.refused.append(url)
        raise ValueError(f"The report may only use the site's static files, not {url!r}")

    def _allowed_path(self, url_path: str) -> Path | None:
        try:
            path = Path(url2pathname(url_path)).resolve(strict=True)
        except (OSError, RuntimeError, ValueError):
            return None
        if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
            return path
        return None


# Threads inside a time limit whose deadline CPython dropped (see ``time_limit``).
_dropped: dict[int, threading.Event] = {}


def _watch_dropped_deadlines() -> None:
    """Chain a ``sys.unraisablehook`` that notices a dropped ``_Deadline`` (once per hook)."""
    previous = sys.unraisablehook
    if getattr(previous, "watches_pdf_deadlines", False):
        return

    def hook(unraisable) -> None:
        previous(unraisable)  # first the usual report, so a new delivery cannot interrupt it
        if unraisable.exc_type is _Deadline:
            event = _dropped.get(threading.get_ident())
            if event is not None:
                event.set()

    hook.watches_pdf_deadlines = True
    sys.unraisablehook = hook


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``PdfTimeout`` in this thread once ``seconds`` have passed.

    A watchdog thread raises ``_Deadline`` asynchronously in the rendering thread (CPython's
    ``PyThreadState_SetAsyncExc``), so it works in any thread: a threaded development server,
    a Celery worker, a test. It interrupts Python code between two steps; a single long call
    into Pango finishes first, then the exception arrives. If it lands in a weakref callback or
    a ``__del__`` during the render, CPython drops it as "unraisable" (seen in CI); a chained
    unraisable hook notices, and only then does the watchdog deliver it again, so no extra
    copy can reach code after the block. Keep the guarded block to calls (as ``render_pdf``
    does): CPython does not route an asynchronous exception raised at the backward jump of a
    loop written directly in the ``with`` block to that frame's handlers.
    """
    ident = threading.get_ident()
    target = ctypes.c_ulong(ident)
    lock = threading.Lock()
    armed = [True]
    done = threading.Event()
    dropped = _dropped[ident] = threading.Event()
    _watch_dropped_deadlines()

    def watch() -> None:
        if done.wait(seconds):
            return
        while True:
            with lock:
                if not armed[0]:
                    return
                dropped.clear()
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(_Deadline))
            while not dropped.wait(0.05):  # deliver again only if this one was dropped
                if done.is_set():
                    return

    watchdog = threading.Thread(target=watch, name="pdf-time-limit", daemon=True)
    try:
        watchdog.start()
        try:
            yield
        finally:
            with lock:
                armed[0] = False  # after this, the watchdog can no longer fire into us
            done.set()
            _dropped.pop(ident, None)
    except _Deadline:
        raise PdfTimeout(f"The PDF took longer than {seconds:g} s to render.") from None


def render_pdf(
    html: str,
    *,
    base_url: str | None = None,
    seconds: float | None = None,
    fetcher: StaticFilesFetcher | None = None,
) -> bytes:
    """HTML to PDF bytes with the safe fetcher, within the time limit (PdfTimeout past it)."""
    limit = seconds or getattr(settings, "REPORT_PDF_TIME_LIMIT", DEFAULT_TIME_LIMIT)
    fetcher = fetcher or StaticFilesFetcher()
    with time_limit(limit):
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
        return document.write_pdf()


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
            "stylesheet_url": Path(stylesheet).resolve().as_uri() if stylesheet else "",
            "document_title": _("Sustainability evaluation %(period)s · %(name)s")
            % {"period": data.run.period, "name": data.enterprise.name},
        },
    )


def render_report(data: ReportData) -> bytes:
    return render_pdf(report_html(data))


def build(run, *, user) -> Built:
    """The PDF report of a succeeded run, for a member of its enterprise or staff."""
    data = report_data(run, user=user)
    return Built(filename(data, "pdf"), "application/pdf", render_report(data))


# --- Built in the background ------------------------------------------------------------------

logger = logging.getLogger(__name__)
DIRECTORY = "reports"
QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"
QUEUED_FOR = 120  # seconds a job may wait for a worker before asking again sends it anew


def lifetime() -> timedelta:
    """How long a built PDF is kept, and served at once, before it has to be built again."""
    return getattr(settings, "REPORT_PDF_TTL", timedelta(minutes=15))


@dataclass
class PdfJob:
    """A PDF being built, or built and stored until it expires (kept in the shared cache)."""

    key: str
    state: str = QUEUED
    queued_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    path: str = ""  # in private storage, once ready
    filename: str = ""
    error: str = ""

    @property
    def ready(self) -> bool:
        return self.state == READY

    @property
    def failed(self) -> bool:
        return self.state == FAILED

    @property
    def waited(self) -> int:
        """Seconds since it was asked for (shown while it is being prepared)."""
        return int((self.finished_at or time.time()) - self.queued_at)

    @property
    def expires_at(self) -> datetime | None:
        if self.finished_at is None:
            return None
        return datetime.fromtimestamp(self.finished_at, tz=UTC) + lifetime()


def job_key(run, language: str) -> str:
    """Same run, same language, same profile: the same file. A new result or an edited profile
    (``updated_at``) makes another key, so nobody downloads a stale report."""
    parts = (
        run.pk,
        run.finished_at.isoformat() if run.finished_at else "",
        run.enterprise.updated_at.isoformat(),
        language,
    )
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"evaluations:report-pdf:{digest}"


def _save(job: PdfJob, timeout: float) -> None:
    cache.set(job.key, asdict(job), timeout=timeout)


def pdf_job(key: str) -> PdfJob | None:
    """The job under ``key``; a ready job whose file has gone counts as none."""
    raw = cache.get(key)
    if raw is None:
        return None
    job = PdfJob(**raw)
    if job.ready and not private_storage().exists(job.path):
        cache.delete(key)
        return None
    return job


def pdf_job_start(run, *, user, language: str, retry: bool = False) -> PdfJob:
    """The run's PDF job in ``language``: the existing one, or a new one sent to a worker.

    ``cache.add`` makes the start atomic: of two people asking at once, one sends the task.
    """
    key = job_key(run, language)
    existing = pdf_job(key)
    if existing is not None and not (retry and existing.failed):
        return existing
    if existing is not None:
        cache.delete(key)
    job = PdfJob(key=key, queued_at=time.time())
    if cache.add(key, asdict(job), timeout=QUEUED_FOR):
        _remove_expired_files()
        try:
            build_pdf_task.delay(key, run.pk, user.pk, language)
        except Exception as error:  # noqa: BLE001 - broker down: say so, a retry sends again
            logger.warning("report PDF %s not sent: %s", key, error)
            _fail(job, _("No worker could be reached. Try again in a moment."))
    return pdf_job(key) or job


def _fail(job: PdfJob, reason: str) -> None:
    job.state, job.error, job.finished_at = FAILED, reason, time.time()
    _save(job, timeout=60)  # a failure is shown for a minute, then asking again starts anew


def pdf_job_run(key: str, run_id: int, user_id: int, language: str) -> PdfJob:
    """Build the PDF of one job and store it (the worker's part; idempotent)."""
    job = pdf_job(key) or PdfJob(key=key, queued_at=time.time())
    if job.ready:
        return job  # a redelivered message: the file is there already
    job.state, job.started_at = RUNNING, time.time()
    _save(job, timeout=lifetime().total_seconds())
    with translation.override(language):  # the report and any message in the asker's language
        try:
            run = EvaluationRun.objects.select_related("scheme", "enterprise").get(pk=run_id)
            user = get_user_model().objects.get(pk=user_id)
            built = build(run, user=user)  # checks access again, on the worker
        except (Http404, PermissionDenied, EvaluationRun.DoesNotExist):
            _fail(job, _("You may not read this report."))
            return job
        except PdfTimeout:
            _fail(job, _("The report took too long to prepare."))
            return job
        except Exception:
            logger.exception("report PDF %s failed", key)
            _fail(job, _("The report could not be prepared; the error has been logged."))
            return job
    name = f"{DIRECTORY}/{uuid.uuid4().hex}.pdf"
    job.path = private_storage().save(name, ContentFile(built.content))
    job.filename, job.state, job.finished_at = built.filename, READY, time.time()
    _save(job, timeout=lifetime().total_seconds())
    return job


def _remove_expired_files() -> None:
    """Delete stored reports older than their lifetime (cheap: a handful of files)."""
    storage = private_storage()
    if not storage.exists(DIRECTORY):
        return
    limit = timezone.now() - lifetime() - timedelta(minutes=5)  # its cache entry went first
    for name in storage.listdir(DIRECTORY)[1]:
        path = f"{DIRECTORY}/{name}"
        try:
            if storage.get_modified_time(path) < limit:
                storage.delete(path)
        except FileNotFoundError:
            pass  # removed meanwhile by another process


@shared_task(name="evaluations.reports.build_pdf", acks_late=True, reject_on_worker_lost=True)
def build_pdf_task(key: str, run_id: int, user_id: int, language: str) -> str:
    """Thin: build and store one report PDF; returns its state."""
    return pdf_job_run(key, run_id, user_id, language).state
