"""URLs under ``bench.settings``: the product's own, plus the floors the benchmarks compare with.

- ``/bench/floor/``: the site's base layout rendered empty for the logged-in user (same
  middleware, session, context processors and navigation as every page);
- ``/bench/floor/submit/`` (POST): saves one row and, after the commit, sends a no-op task that
  writes one row: the least a submission that goes through Redis and a worker can cost.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from bench.tasks import floor_task

FLOOR_TABLE = "bench_floor"


@require_GET
def floor_page(request: HttpRequest) -> HttpResponse:
    """Logged-in users (LoginRequiredMiddleware, like every page): base.html, empty."""
    return render(request, "base.html")


@require_POST
def floor_submit(request: HttpRequest) -> HttpResponse:
    """Logged-in users: one row saved, one task sent after the commit, a redirect."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {FLOOR_TABLE} (created_at) VALUES (%s) RETURNING id",
                [timezone.now()],
            )
            (row_id,) = cursor.fetchone()
        transaction.on_commit(lambda: floor_task.delay(row_id))
    return HttpResponseRedirect(f"/bench/floor/?row={row_id}")


urlpatterns = [
    path("bench/floor/", floor_page, name="bench-floor"),
    path("bench/floor/submit/", floor_submit, name="bench-floor-submit"),
    path("", include("cbec_site.urls")),
]
