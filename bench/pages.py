"""Benchmark the busiest pages on a large database against the site's own empty page.

    python bench/pages.py [--rate R] [--seconds S] [--users U]

On PostgreSQL (``cbec_bench``: ``seed_bench``, 10,000 enterprises and 100,000 evaluated runs; a
tenth with QUICK=1), served by gunicorn (2 sync workers, production settings) to a logged-in
analyst who owns ten of the enterprises (with 5 or 15 periods each) and is staff:

- the dashboard of an enterprise, the result page of its latest run, the admin's scheme list;
- the floor: ``/bench/floor/``, the site's base layout rendered empty for the same user (same
  middleware, session, context processors and navigation), from ``bench/floor_urls.py``.

1. Query counts, in this process with Django's test client: each page must issue as many
   queries for an enterprise with 15 periods as for one with 5 (for a result with and without
   an earlier period; for the scheme list with one more scheme).
2. Load: U users (threads) send requests for one page at a fixed rate R (an open model like
   wrk2: each request has a due time and its latency counts from then, so a slow response
   delays nobody's clock); the pages (floor included) take turns in short rounds, S seconds
   each in all, so that the machine's background load falls on all of them alike. Median and
   p95 per page; any non-200 is an error.
   Target: p95 within 3x of the floor's p95, no errors. One line per page:
       RESULT pages_<page> value=<p95 ms> floor=<floor p95 ms> unit=ms ratio=… target=3
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from common import Bench, log, median, percentile, quick, result

TARGET_RATIO = 3
BENCH_USER = "bench@example.com"


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def session_cookie(email: str) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def targets() -> dict[str, list[str]]:
    """The URLs per page: the bench user's enterprises, the latest run of each."""
    from accounts.models import User
    from evaluations.models import EvaluationRun

    user = User.objects.get(email=BENCH_USER)
    enterprises = list(
        user.memberships.order_by("enterprise__name").values_list("enterprise_id", flat=True)
    )
    latest = []
    for pk in enterprises:
        run = (
            EvaluationRun.objects.filter(enterprise_id=pk, status="succeeded", origin="submission")
            .order_by("-year", "-quarter", "-created_at")
            .values_list("pk", flat=True)
            .first()
        )
        latest.append(f"/enterprises/{pk}/runs/{run}/")
    return {
        "floor": ["/bench/floor/"],
        "dashboard": [f"/enterprises/{pk}/dashboard/" for pk in enterprises],
        "result": latest,
        "admin_schemes": ["/admin/evaluations/weightscheme/"],
    }


# --- 1. query counts -----------------------------------------------------------------------------


def query_counts() -> bool:
    """Each page's query count for a small and a large case; True when all are constant."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from evaluations.models import EvaluationRun, WeightScheme
    from evaluations.services import default_scheme, scheme_clone

    user = User.objects.get(email=BENCH_USER)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    def count(url: str) -> int:
        client.get(url)  # warm: the first request of a process fills caches
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(queries)

    by_size: dict[int, int] = {}
    for membership in user.memberships.all():
        periods = membership.enterprise.runs.count()
        by_size.setdefault(periods, membership.enterprise_id)
    small, large = min(by_size), max(by_size)
    cases = {
        "dashboard": [
            (f"{n} periods", f"/enterprises/{by_size[n]}/dashboard/") for n in (small, large)
        ]
    }
    runs = EvaluationRun.objects.filter(enterprise_id=by_size[large], origin="submission")
    oldest = runs.order_by("year", "quarter").first()
    newest = runs.order_by("-year", "-quarter").first()
    cases["result"] = [
        ("no earlier period", f"/enterprises/{oldest.enterprise_id}/runs/{oldest.pk}/"),
        ("an earlier period", f"/enterprises/{newest.enterprise_id}/runs/{newest.pk}/"),
    ]
    admin_url = "/admin/evaluations/weightscheme/"
    constant = True
    for page, pairs in cases.items():
        counts = [(label, count(url)) for label, url in pairs]
        constant &= _report(page, counts)
    schemes = WeightScheme.objects.count()
    before = count(admin_url)
    draft = scheme_clone(scheme=default_scheme())
    after = count(admin_url)
    draft.delete()
    constant &= _report(
        "admin_schemes", [(f"{schemes} schemes", before), (f"{schemes + 1} schemes", after)]
    )
    return constant


def _report(page: str, counts: list[tuple[str, int]]) -> bool:
    same = len({n for _label, n in counts}) == 1
    shown = ", ".join(f"{label}: {n}" for label, n in counts)
    print(f"queries {page:14} {shown} -> {'constant' if same else 'NOT CONSTANT'}")
    return same


# --- 2. load -------------------------------------------------------------------------------------


def load(
    base: str, cookie: str, urls: dict[str, list[str]], rate: float, seconds: float, users: int
) -> dict[str, Load]:
    """Requests due every 1/rate s, the pages taking turns, spread over ``users`` threads;
    each latency counts from the request's due time."""
    parts = urlsplit(base)
    total = int(rate * seconds)
    pages = list(urls)
    schedule = [
        (
            pages[i % len(pages)],
            urls[pages[i % len(pages)]][(i // len(pages)) % len(urls[pages[i % len(pages)]])],
        )
        for i in range(total)
    ]
    counter = itertools.count()
    out = {page: Load() for page in pages}
    lock = threading.Lock()
    start = time.perf_counter() + 0.2

    def user() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        headers = {"Cookie": cookie}
        while True:
            i = next(counter)
            if i >= total:
                break
            page, url = schedule[i]
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                conn.request("GET", url, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (http.client.HTTPException, OSError) as error:
                conn.close()
                status = f"{type(error).__name__}"
            elapsed = time.perf_counter() - due
            with lock:
                out[page].latencies.append(elapsed * 1e3)
                if status != 200:
                    out[page].errors.append(f"{url}: {status}")

    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=1_000 if quick() else 10_000)
    parser.add_argument("--runs", type=int, default=10_000 if quick() else 100_000)
    parser.add_argument("--rate", type=float, default=10.0, help="requests per second")
    parser.add_argument("--seconds", type=float, default=6.0 if quick() else 30.0, help="per page")
    parser.add_argument("--rounds", type=int, default=4 if quick() else 6)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args(argv)

    bench = Bench("cbec_bench").prepare()
    bench.seed(enterprises=args.enterprises, runs=args.runs)
    bench.django()
    constant = query_counts()
    log("query counts measured")
    cookie = session_cookie(BENCH_USER)
    urls = targets()
    base = bench.gunicorn(workers=2)
    started = time.perf_counter()
    load(base, cookie, urls, rate=20, seconds=3, users=2)  # warm both workers on every page
    log(f"gunicorn started and warmed up in {time.perf_counter() - started:.1f} s")

    # Each page alone at the fixed rate, in short turns (floor, dashboard, result, admin, floor,
    # ...), so that the machine's background load falls on all of them alike.
    figures = {page: Load() for page in urls}
    for _round in range(args.rounds):
        for page, page_urls in urls.items():
            turn = load(
                base, cookie, {page: page_urls}, args.rate, args.seconds / args.rounds, args.users
            )[page]
            figures[page].latencies += turn.latencies
            figures[page].errors += turn.errors
    for page, figure in figures.items():
        lat = figure.latencies
        log(
            f"{page:14} {len(lat)} requests: median {median(lat):6.1f} ms, "
            f"p95 {percentile(lat, 95):6.1f} ms, max {max(lat):6.1f} ms, "
            f"errors {len(figure.errors)}"
        )
    floor = figures.pop("floor")
    floor_p95 = percentile(floor.latencies, 95)
    ok = constant and not floor.errors
    for page, figure in figures.items():
        if figure.errors:
            print(f"errors on {page}: {len(figure.errors)}, e.g. {figure.errors[:3]}")
        result(f"pages_{page}", percentile(figure.latencies, 95), floor_p95, "ms", TARGET_RATIO)
        ok &= not figure.errors
    return 0 if ok else 1  # a miss is in the RESULT line; errors or changing query counts fail


if __name__ == "__main__":
    raise SystemExit(main())
