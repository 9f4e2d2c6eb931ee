"""``manage.py seed_bench``: many enterprises with evaluated periods, for the benchmarks.

    manage.py seed_bench [--enterprises 10000] [--runs 100000] [--members 10] [--reset]

Enterprises are named "Bench enterprise NNNNNN"; they get ``runs / enterprises`` submitted
quarterly assessments on average, alternately half and one and a half times as many (the latest
ending in 2026 Q2), each with one succeeded run under the
default scheme and its dimension and indicator rows, scored by the bulk engine. One bench user,
``bench@example.com`` (staff, superuser, password ``cbec-bench-2026``), owns the first
``--members`` enterprises, as an analyst who follows a few.

Idempotent: bench data of the same size is left as it is; of another size, ``--reset`` deletes
it first (it refuses otherwise). On PostgreSQL rows are written with COPY, elsewhere with
``bulk_create``. Needs DJANGO_DEBUG (it sets a known password) unless ``--force``.
"""

from __future__ import annotations

import time

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import User
from enterprises.models import Enterprise, Membership, Role
from evaluations.models import Assessment, EvaluationRun, RunDimension, RunIndicator
from evaluations.scoring import scheme_to_dict, score_bulk
from evaluations.services import default_scheme, scheme_spec
from evaluations.services.rescore import (
    DIMENSION_COLUMNS,
    INDICATOR_COLUMNS,
    copy_instances,
    copy_rows,
    dimension_rows,
    indicator_rows,
)

PREFIX = "Bench enterprise "
BENCH_USER = "bench@example.com"
BENCH_PASSWORD = "cbec-bench-2026"
LAST_PERIOD = (2026, 2)
PROVINCES = ("zhejiang", "guangdong", "jiangsu", "fujian", "shanghai", "shandong")
SIZES = ("micro", "small", "medium", "large")
# Value ranges per indicator (uniform): a little past the default scheme's bounds both ways.
RANGES = {
    "logistics_cost": (3.0, 35.0),
    "npd_cycle": (10.0, 200.0),
    "tech_update_speed": (0.0, 30.0),
    "market_response_time": (5.0, 100.0),
    "environmental_impact_score": (0.0, 100.0),
}


def periods(count: int) -> list[tuple[int, int]]:
    """The ``count`` quarters ending at LAST_PERIOD, oldest first."""
    last = LAST_PERIOD[0] * 4 + LAST_PERIOD[1] - 1
    return [(q // 4, q % 4 + 1) for q in range(last - count + 1, last + 1)]


def history_lengths(n_enterprises: int, n_runs: int) -> list[int]:
    """Periods per enterprise, adding up to ``n_runs``: pairs of short and long histories
    (5 and 15 around an average of 10), so that pages are measured on both."""
    base, extra = divmod(n_runs, n_enterprises)
    spread = base // 2
    lengths = [base + (spread if i % 2 else -spread) for i in range(n_enterprises)]
    if n_enterprises % 2:
        lengths[-1] = base
    return [n + (i < extra) for i, n in enumerate(lengths)]


class Command(BaseCommand):
    help = "Seeds enterprises with evaluated assessments for the benchmarks (bench/*.py)."

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=10_000)
        parser.add_argument("--runs", type=int, default=100_000)
        parser.add_argument("--members", type=int, default=10, help="Enterprises the user owns.")
        parser.add_argument("--reset", action="store_true", help="Delete bench data first.")
        parser.add_argument("--seed", type=int, default=2025)
        parser.add_argument("--force", action="store_true", help="Run without DJANGO_DEBUG.")

    def handle(self, *args, enterprises: int, runs: int, members: int, reset: bool, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_bench sets a known password; run it with DJANGO_DEBUG=true.")
        if enterprises < 1 or runs < enterprises:
            raise CommandError("Need at least one enterprise and one run per enterprise.")
        scheme = default_scheme()
        if scheme is None:
            raise CommandError("No default scheme: run the migrations first.")
        start = time.perf_counter()
        existing = Enterprise.objects.filter(name__startswith=PREFIX)
        found = (
            existing.count(),
            EvaluationRun.objects.filter(
                enterprise__name__startswith=PREFIX, origin=EvaluationRun.Origin.SUBMISSION
            ).count(),
        )
        if found == (enterprises, runs) and not reset:
            self._user(members)
            self.stdout.write(
                f"Bench data already there: {enterprises:,} enterprises, {runs:,} runs"
            )
            return
        if found[0] and not reset:
            raise CommandError(
                f"Bench data of another size is there ({found[0]:,} enterprises, {found[1]:,} "
                "runs): add --reset to replace it."
            )
        with transaction.atomic():
            if found[0]:
                existing.delete()
            self._seed(scheme, enterprises, runs, options["seed"])
            self._user(members)
        self.stdout.write(
            f"Seeded {enterprises:,} enterprises and {runs:,} evaluated runs "
            f"in {time.perf_counter() - start:.1f} s ({connection.vendor})."
        )

    def _user(self, members: int) -> None:
        user = User.objects.filter(email=BENCH_USER).first()
        if user is None:
            user = User.objects.create_superuser(BENCH_USER, BENCH_PASSWORD, full_name="Bench")
        mine = Enterprise.objects.filter(name__startswith=PREFIX).order_by("name")[:members]
        have = set(user.memberships.values_list("enterprise_id", flat=True))
        Membership.objects.bulk_create(
            Membership(enterprise=e, user=user, role=Role.OWNER) for e in mine if e.pk not in have
        )

    def _seed(self, scheme, n_enterprises: int, n_runs: int, seed: int) -> None:
        spec = scheme_spec(scheme)
        snapshot = scheme_to_dict(spec)
        now = timezone.now()
        rng = np.random.default_rng(seed)
        per = history_lengths(n_enterprises, n_runs)

        enterprise_ids = self._insert(
            Enterprise,
            ("name", "platforms", "platforms_other", "target_markets", "size_band", "province",
             "city", "created_at", "updated_at"),
            (
                (f"{PREFIX}{i:06d}", [], "", "", SIZES[i % 4], PROVINCES[i % 6], "Bench City",
                 now, now)
                for i in range(n_enterprises)
            ),
        )  # fmt: skip
        owner_of = [e for e, count in zip(enterprise_ids, per, strict=True) for _ in range(count)]
        slots = [p for count in per for p in periods(count)]
        low = np.array([RANGES[code][0] for code in spec.codes])
        high = np.array([RANGES[code][1] for code in spec.codes])
        matrix = np.round(low + rng.random((n_runs, len(spec.codes))) * (high - low), 1)
        values = [dict(zip(spec.codes, row, strict=True)) for row in matrix.tolist()]

        assessment_ids = self._insert(
            Assessment,
            ("enterprise_id", "year", "quarter", "status", "values", "env_mode", "env_checklist",
             "created_at", "updated_at", "submitted_at"),
            (
                (e, y, q, Assessment.Status.SUBMITTED, v, Assessment.EnvMode.TYPED, {}, now, now,
                 now)
                for e, (y, q), v in zip(owner_of, slots, values, strict=True)
            ),
        )  # fmt: skip
        result = score_bulk(spec, matrix)
        run_ids = self._insert(
            EvaluationRun,
            ("assessment_id", "enterprise_id", "year", "quarter", "origin", "scheme_id",
             "scheme_slug", "scheme_version", "scheme_snapshot", "values", "status", "attempts",
             "error", "created_at", "sent_at", "started_at", "finished_at", "overall", "grade"),
            (
                (a, e, y, q, EvaluationRun.Origin.SUBMISSION, scheme.pk, spec.slug, spec.version,
                 snapshot, v, EvaluationRun.Status.SUCCEEDED, 1, "", now, now, now, now, o, g)
                for a, e, (y, q), v, o, g in zip(
                    assessment_ids, owner_of, slots, values, result.overall.tolist(),
                    result.grade.tolist(), strict=True,
                )
            ),
        )  # fmt: skip
        self._insert_results(RunDimension, DIMENSION_COLUMNS, dimension_rows(run_ids, result))
        self._insert_results(RunIndicator, INDICATOR_COLUMNS, indicator_rows(run_ids, result))

    def _insert(self, model, names, rows) -> list[int]:
        """Store rows of attribute values as new instances: COPY on PostgreSQL (every column,
        as the re-scoring writes them), bulk_create elsewhere; their ids, in order."""
        objs = [model(**dict(zip(names, row, strict=True))) for row in rows]
        if connection.vendor == "postgresql":
            copy_instances(model, objs)
        else:
            model.objects.bulk_create(objs, batch_size=2000)
        return [obj.pk for obj in objs]

    def _insert_results(self, model, columns, rows) -> None:
        """Result rows (tuples in ``columns`` order): COPY on PostgreSQL, else bulk_create."""
        if connection.vendor == "postgresql":
            copy_rows(model, columns, rows)
        else:
            model.objects.bulk_create(
                (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=5000
            )
