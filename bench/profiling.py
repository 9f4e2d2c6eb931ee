"""Profile the paths the benchmarks measure, in this process, on the bench database.

    python bench/profiling.py submit|worker|result|dashboard|render [--n 30] [--top 25]

Run after bench/submit.py or bench/pages.py has seeded ``cbec_bench`` (production settings, as
the benchmarks run). For each path: the SQL statements of one request (Django's
``CaptureQueriesContext``), the median in-process time of ``--n`` more, the time spent in each
template (pages), and cProfile's heaviest functions by cumulative time. The notes in
bench/README.md were made with it.

- ``submit``: the submit POST of a complete draft (Django's test client, the bench's owner);
- ``worker``: ``run_execute`` of the runs those POSTs queued (what the evaluations worker does);
- ``result`` / ``dashboard``: the pages of bench/pages.py for its logged-in analyst;
- ``render``: a real run's PDF drawn as the reports worker draws it (template, then WeasyPrint).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from collections import Counter

from common import Bench

PROFILE_PREFIX = "Profile bench "


def client_for(email: str):
    from django.test import Client

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(email=email), "django.contrib.auth.backends.ModelBackend")
    return client


def show_queries(label: str, call) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    total = sum(float(q["time"]) for q in queries.captured_queries) * 1e3
    print(f"{label}: {len(queries)} statements, {total:.1f} ms in the database")
    for query in queries.captured_queries:
        print(f"  {float(query['time']) * 1e3:5.1f} ms  {query['sql'][:110]}")


def timed(calls, profile: cProfile.Profile) -> list[float]:
    times = []
    for call in calls:
        start = time.perf_counter()
        profile.enable()
        call()
        profile.disable()
        times.append(time.perf_counter() - start)
    return times


def template_times():
    """Wrap Template.render: seconds per template name (nested templates counted in each)."""
    from django.template import base

    spent: Counter[str] = Counter()
    original = base.Template.render

    def render(self, context):
        start = time.perf_counter()
        try:
            return original(self, context)
        finally:
            spent[self.origin.template_name] += time.perf_counter() - start

    base.Template.render = render
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", choices=["submit", "worker", "result", "dashboard", "render"])
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)

    Bench("cbec_bench").django()
    profile = cProfile.Profile()
    spent = template_times()
    if args.path in ("submit", "worker"):
        import submit

        targets = submit.prepare(args.n + 4, prefix=PROFILE_PREFIX)
        client = client_for(submit.SUBMIT_USER)

        def post(target):
            path = f"/enterprises/{target[0]}/assessments/{target[1]}/"
            response = client.post(path, submit.SUBMIT_FIELDS)
            assert response.status_code == 302, response.status_code

        for target in targets[:3]:
            post(target)
        if args.path == "submit":
            show_queries("submit POST", lambda: post(targets[3]))
            times = timed([lambda t=t: post(t) for t in targets[4:]], profile)
        else:
            from evaluations.models import EvaluationRun
            from evaluations.services import runs

            for target in targets[3:]:
                post(target)
            queued = list(
                EvaluationRun.objects.filter(
                    enterprise__name__startswith=PROFILE_PREFIX, status="queued"
                ).values_list("pk", flat=True)
            )
            runs.run_execute(queued[0])
            show_queries("run_execute", lambda: runs.run_execute(queued[1]))
            times = timed([lambda r=r: runs.run_execute(r) for r in queued[2:]], profile)
        Bench("cbec_bench").purge_broker()  # the tasks these sent: nobody is to take them
    elif args.path in ("result", "dashboard"):
        import pages

        client = client_for(pages.BENCH_USER)
        urls = pages.targets()[args.path]
        for url in urls:
            client.get(url)
        show_queries(f"GET {urls[0]}", lambda: client.get(urls[0]))
        spent.clear()
        chosen = [urls[i % len(urls)] for i in range(args.n)]
        times = timed([lambda u=url: client.get(u) for url in chosen], profile)
    else:
        from django.utils import translation
        from submit import SUBMIT_USER

        from accounts.models import User
        from evaluations.models import EvaluationRun
        from evaluations.reports import weasy
        from evaluations.reports.data import report_data
        from evaluations.reports.pdf import report_html, static_roots

        user = User.objects.get(email=SUBMIT_USER)
        run = EvaluationRun.objects.filter(created_by=user, status="succeeded").last()
        with translation.override(run.language or "en"):
            html = report_html(report_data(run, user=user))
            weasy.write_pdf(html, weasy.StaticFilesFetcher(static_roots()))  # warm up
            times = timed(
                [lambda: weasy.write_pdf(html, weasy.StaticFilesFetcher(static_roots()))]
                * max(1, args.n // 10),
                profile,
            )
    print(
        f"{args.path}: median {statistics.median(times) * 1e3:.1f} ms in this process "
        f"(n={len(times)})"
    )
    if spent:
        for name, seconds in spent.most_common(10):
            print(f"  template {name:50} {seconds / len(times) * 1e3:6.1f} ms per request")
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
