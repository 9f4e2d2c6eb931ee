"""Benchmark "submit to result": the submit POST until the run's result is stored by a worker.

    python bench/submit.py [--sequential N] [--burst B] [--users U]

On PostgreSQL (``cbec_bench``, seeded as for bench/pages.py) with Redis as the broker, gunicorn
(2 workers), a Celery worker on the evaluations queue (2 prefork processes) and one on the
reports queue (1 process at nice 10, as the Procfile: it pre-renders each fresh result's PDF),
all with production settings.

- value: a logged-in owner POSTs "submit" on a complete draft (the assessment form, as a
  browser sends it); the time runs from the POST until the worker has stored the run's result
  (the run's ``finished_at``, written in the worker's transaction).
- floor, measured the same way in the same run, alternating with the value: a POST through the
  same middleware and session to a bare view (``bench/floor_urls.py``) that saves one row and,
  after the commit, sends a no-op task that writes one row; until that row's time stamp.

Two figures: the median of N one-at-a-time submissions (target: within 2x of the floor's
median), then B submissions in a burst from U concurrent users: all must be done, none lost
(one succeeded run with 4 + 5 result rows each), at a throughput within 2x of the floor's
burst. The last two lines:
    RESULT submit_latency value=<ms> floor=<ms> unit=ms ratio=<value/floor> target=2
    RESULT submit_burst value=<s per 1000> floor=<s per 1000> unit=s/1000 ratio=… target=2
(the burst as seconds per 1,000 submissions, so that a ratio above 1 is slower, as elsewhere).
"""

from __future__ import annotations

import argparse
import http.client
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode, urlsplit

from common import Bench, log, median, percentile, quick, result

TARGET_RATIO = 2
SUBMIT_USER = "bench-submit@example.com"
SUBMIT_PREFIX = "Submit bench "
PERIODS = 40
VALUES = {
    "logistics_cost": 12.5,
    "npd_cycle": 60.0,
    "tech_update_speed": 10.0,
    "market_response_time": 21.0,
    "environmental_impact_score": 64.0,
}


@dataclass
class Login:
    cookie: str
    csrf: str


def login(email: str) -> Login:
    """A session for ``email`` (as after logging in) and a CSRF token, without the login form."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.middleware.csrf import CSRF_ALLOWED_CHARS
    from django.utils.crypto import get_random_string

    from accounts.models import User

    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = get_random_string(32, CSRF_ALLOWED_CHARS)
    return Login(cookie=f"sessionid={session.session_key}; csrftoken={csrf}", csrf=csrf)


def prepare(total: int, prefix: str = SUBMIT_PREFIX) -> list[tuple[int, int]]:
    """``total`` complete drafts owned by the submit user, in enterprises named ``prefix``…
    (those of an earlier run deleted first): (enterprise id, assessment id)."""
    from accounts.models import User
    from enterprises.models import Enterprise, Membership, Role
    from evaluations.models import Assessment

    user = User.objects.filter(email=SUBMIT_USER).first()
    if user is None:
        user = User.objects.create_user(SUBMIT_USER, None, full_name="Submit bench")
    Enterprise.objects.filter(name__startswith=prefix).delete()  # the previous run's
    count = -(-total // PERIODS)
    enterprises = Enterprise.objects.bulk_create(
        Enterprise(name=f"{prefix}{i:03d}", created_by=user) for i in range(count)
    )
    Membership.objects.bulk_create(
        Membership(enterprise=e, user=user, role=Role.OWNER) for e in enterprises
    )
    drafts = Assessment.objects.bulk_create(
        Assessment(
            enterprise=enterprises[i // PERIODS],
            year=2001 + (i % PERIODS) // 4,
            quarter=i % 4 + 1,
            values=dict(VALUES),
            created_by=user,
            updated_by=user,
        )
        for i in range(total)
    )
    return [(a.enterprise_id, a.pk) for a in drafts]


def prepare_floor() -> None:
    from django.db import connection

    from bench.floor_urls import FLOOR_TABLE
    from bench.tasks import FLOOR_DONE_TABLE

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} "
            "(id bigserial PRIMARY KEY, created_at timestamptz NOT NULL)"
        )
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {FLOOR_DONE_TABLE} (id bigserial PRIMARY KEY, "
            "floor_id bigint NOT NULL, done_at timestamptz NOT NULL)"
        )
        cursor.execute(f"TRUNCATE {FLOOR_TABLE}, {FLOOR_DONE_TABLE}")


class Client:
    """One user's connection to gunicorn (re-opened when the sync worker closes it)."""

    def __init__(self, base: str, auth: Login, language: str = "en") -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.auth = auth
        self.language = language  # Accept-Language: the run's language, its PDF's language
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def post(self, path: str, fields: dict) -> str:
        """POST the form; the redirect's Location (a 302 is what both paths answer)."""
        body = urlencode({**fields, "csrfmiddlewaretoken": self.auth.csrf})
        headers = {
            "Cookie": self.auth.cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept-Language": self.language,
            "Referer": f"http://{self.host}:{self.port}{path}",
        }
        try:
            self.conn.request("POST", path, body, headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # a closed keep-alive connection: once more on a new one
            self.conn.request("POST", path, body, headers)
            response = self.conn.getresponse()
        response.read()
        if response.status != 302:
            raise RuntimeError(f"POST {path}: HTTP {response.status}")
        return response.getheader("Location")


SUBMIT_FIELDS = {**VALUES, "env_mode": "typed", "submit": "1"}


def submit(client: Client, target: tuple[int, int]) -> int:
    enterprise_id, assessment_id = target
    location = client.post(
        f"/enterprises/{enterprise_id}/assessments/{assessment_id}/", SUBMIT_FIELDS
    )
    return int(location.rstrip("/").split("/")[-1])  # /enterprises/<pk>/runs/<run_pk>/


def floor(client: Client, _target=None) -> int:
    location = client.post("/bench/floor/submit/", {})
    return int(location.rsplit("=", 1)[-1])  # /bench/floor/?row=<id>


def done_times(kind: str, ids: list[int]) -> dict[int, datetime]:
    """When each id's result was stored (only those done)."""
    from django.db import connection

    from evaluations.models import EvaluationRun

    if kind == "submit":
        return dict(
            EvaluationRun.objects.filter(pk__in=ids, status="succeeded").values_list(
                "pk", "finished_at"
            )
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT floor_id, done_at FROM bench_floor_done WHERE floor_id = ANY(%s)", [ids]
        )
        return dict(cursor.fetchall())


def wait_done(kind: str, ids: list[int], timeout: float) -> dict[int, datetime]:
    deadline = time.monotonic() + timeout
    while True:
        found = done_times(kind, ids)
        if len(found) == len(ids) or time.monotonic() > deadline:
            return found
        time.sleep(0.001 if len(ids) == 1 else 0.05)


def one_at_a_time(client: Client, kind: str, target) -> float:
    send = submit if kind == "submit" else floor
    start = time.time()
    pk = send(client, target)
    found = wait_done(kind, [pk], 30)
    if pk not in found:
        raise RuntimeError(f"{kind} {pk} not done within 30 s")
    return (found[pk].timestamp() - start) * 1e3


def burst(base: str, auth: Login, kind: str, targets: list, users: int) -> tuple[float, list]:
    """All targets sent by ``users`` threads at once; seconds from the first POST to the last
    stored result, and the ids."""
    send = submit if kind == "submit" else floor
    pending = list(reversed(targets))
    lock = threading.Lock()
    ids: list[int] = []
    errors: list[str] = []

    def user() -> None:
        client = Client(base, auth)
        while True:
            with lock:
                if not pending:
                    return
                target = pending.pop()
            try:
                pk = send(client, target)
            except Exception as error:  # noqa: BLE001 - counted and reported as lost
                errors.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                ids.append(pk)

    threads = [threading.Thread(target=user) for _ in range(users)]
    start = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    posted = time.time() - start
    found = wait_done(kind, ids, 180)
    if errors or len(found) != len(targets):
        raise SystemExit(
            f"{kind} burst: {len(targets) - len(found)} of {len(targets)} not done "
            f"({len(errors)} POST errors: {errors[:3]})"
        )
    seconds = max(t.timestamp() for t in found.values()) - start
    log(f"{kind:6} burst of {len(targets)}: POSTs {posted:.2f} s, all stored in {seconds:.2f} s")
    return seconds, ids


def check_none_lost(run_ids: list[int], assessments: list[int]) -> None:
    """Each submitted assessment has exactly one run, succeeded, with 4 + 5 result rows."""
    from django.db.models import Count

    from evaluations.models import EvaluationRun

    runs = EvaluationRun.objects.filter(assessment_id__in=assessments)
    assert runs.count() == len(assessments) == len(set(run_ids)), (runs.count(), len(run_ids))
    per_run = runs.annotate(
        dims=Count("dimensions", distinct=True), inds=Count("indicators", distinct=True)
    ).values_list("status", "dims", "inds")
    assert set(per_run) == {("succeeded", 4, 5)}, set(per_run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", type=int, default=20 if quick() else 60)
    parser.add_argument("--burst", type=int, default=50 if quick() else 500)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--enterprises", type=int, default=1_000 if quick() else 10_000)
    parser.add_argument("--runs", type=int, default=10_000 if quick() else 100_000)
    args = parser.parse_args(argv)

    bench = Bench("cbec_bench").prepare()
    bench.seed(enterprises=args.enterprises, runs=args.runs)
    bench.django()
    prepare_floor()
    targets = prepare(args.sequential + 3 + args.burst)
    auth = login(SUBMIT_USER)
    bench.purge_broker()
    base = bench.gunicorn(workers=2)
    bench.worker(concurrency=2)
    # Pre-rendering on, as deployed: each fresh result's PDF is rendered on the reports queue
    # by its own worker (the Procfile's: one process, nice 10), competing for the same cores.
    bench.worker(concurrency=1, queues=("reports",), nice=10)

    client = Client(base, auth)
    for target in targets[:3]:  # warm up both paths (imports, connections, caches)
        one_at_a_time(client, "submit", target)
        one_at_a_time(client, "floor", None)
    latencies: dict[str, list[float]] = {"submit": [], "floor": []}
    for target in targets[3 : 3 + args.sequential]:
        latencies["floor"].append(one_at_a_time(client, "floor", None))
        latencies["submit"].append(one_at_a_time(client, "submit", target))
    for kind, values in latencies.items():
        log(
            f"{kind:6} one at a time (n={len(values)}): median {median(values):.1f} ms, "
            f"p95 {percentile(values, 95):.1f} ms"
        )

    burst_targets = targets[3 + args.sequential :]
    floor_seconds, _ = burst(base, auth, "floor", [None] * args.burst, args.users)
    submit_seconds, run_ids = burst(base, auth, "submit", burst_targets, args.users)
    check_none_lost(run_ids, [a for _e, a in burst_targets])
    log(f"none lost: {len(run_ids)} runs succeeded once, each with 4 + 5 result rows")
    print(
        f"burst throughput: submissions {args.burst / submit_seconds:.1f}/s, "
        f"floor {args.burst / floor_seconds:.1f}/s"
    )
    result(
        "submit_latency",
        median(latencies["submit"]),
        median(latencies["floor"]),
        "ms",
        TARGET_RATIO,
    )
    per_1000 = 1000 / args.burst
    result(
        "submit_burst", submit_seconds * per_1000, floor_seconds * per_1000, "s/1000", TARGET_RATIO
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
