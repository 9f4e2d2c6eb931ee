"""Benchmark a programme's spreadsheet import: 1,000 rows validated (PRODUCT.md section 10).

    python bench/programme_import.py [--rows N] [--repeat R]

On PostgreSQL (its own scratch database, ``cbec_bench_programmes``): an organisation's
programme that N enterprises joined; its XLSX template for one period, filled in with a value in
every indicator cell (a third of the rows with the environmental checklist instead of the
score, yes/no in the template's words); then ``programmes.services.imports.import_validate``,
the whole check of every row and cell (reading the file, the header, every number, yes/no,
range, the enterprises that joined and their assessments of the period).

- value: the median time of R validations of the N-row file; the budget is 5 s for 1,000 rows.
- floor: openpyxl alone reading every cell of the same file (read-only), the least any
  validation must do.
- also printed: writing the N drafts (one transaction, rolled back), for information.

The last line is machine-readable:
    RESULT programme_import value=<s> floor=<s> unit=s ratio=<value/floor> target=<5 s / floor>
and the script fails when the value is over 5 s.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import statistics
import time

from common import Bench, log, quick, result

BUDGET_S = 5.0
ORGANISATION = "Import bench association"
PERIOD = "2026Q3"


def world(rows: int):
    """The organisation, its programme and ``rows`` enterprises that joined (made once)."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from enterprises.models import (
        Enterprise,
        Grant,
        Membership,
        OperationMode,
        Organisation,
        OrganisationMembership,
    )
    from evaluations.services import default_scheme
    from programmes.models import Invitee, Programme

    organisation, _created = Organisation.objects.get_or_create(
        name=ORGANISATION, defaults={"kind": "association"}
    )
    manager, _created = User.objects.get_or_create(
        email="import-bench@example.com", defaults={"email_verified_at": timezone.now()}
    )
    OrganisationMembership.objects.get_or_create(
        organisation=organisation, user=manager, defaults={"role": "manager"}
    )
    programme, _created = Programme.objects.get_or_create(
        organisation=organisation,
        name=f"Import bench {rows}",
        defaults={
            "scheme": default_scheme(),
            "periods": [PERIOD],
            "deadline": timezone.localdate(),
            "link_base": "http://127.0.0.1",
        },
    )
    have = programme.invitees.count()
    if have < rows:
        log(f"making {rows - have} enterprises that joined")
        b2c = OperationMode.objects.get(code="b2c")
        with transaction.atomic():
            made = Enterprise.objects.bulk_create(
                Enterprise(name=f"Import bench {programme.pk}-{i}") for i in range(have, rows)
            )
            Enterprise.operation_modes.through.objects.bulk_create(
                Enterprise.operation_modes.through(enterprise_id=e.pk, operationmode_id=b2c.pk)
                for e in made
            )
            Membership.objects.bulk_create(
                Membership(enterprise=e, user=manager, role="owner") for e in made
            )
            grants = Grant.objects.bulk_create(
                Grant(
                    enterprise=e,
                    organisation=organisation,
                    source="programme",
                    periods=[PERIOD],
                )
                for e in made
            )
            Invitee.objects.bulk_create(
                Invitee(
                    programme=programme,
                    enterprise=e,
                    name=e.name,
                    email=f"contact{e.pk}@example.com",
                    status="joined",
                    grant=g,
                    token_hash=hashlib.sha256(f"bench-{e.pk}".encode()).hexdigest(),
                )
                for e, g in zip(made, grants, strict=True)
            )
    return manager, programme


def filled_template(programme) -> bytes:
    from openpyxl import load_workbook

    from programmes.services import imports

    built = imports.import_template(programme=programme, period=PERIOD, language="en")
    book = load_workbook(io.BytesIO(built.content))
    sheet = book.worksheets[0]
    keys = [col.key for col in imports.columns(programme)]
    rng = random.Random(16)
    for number, row in enumerate(sheet.iter_rows(min_row=2), start=2):
        if row[0].value is None:
            break
        values = {
            "logistics_cost": round(rng.uniform(5, 30), 1),
            "npd_cycle": rng.randint(14, 180),
            "tech_update_speed": rng.randint(0, 24),
            "market_response_time": rng.randint(7, 90),
        }
        if number % 3:
            values["environmental_impact_score"] = round(rng.uniform(20, 90), 1)
        else:
            values.update(
                green_packaging_pct=rng.randint(0, 100),
                low_carbon_shipping_pct=rng.randint(0, 100),
                renewable_electricity_pct=rng.randint(0, 100),
                emissions_reported=rng.choice(["yes", "no"]),
                reduction_target=rng.choice([True, False]),
                returns_programme="no",
            )
        for key, value in values.items():
            row[keys.index(key)].value = value
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


class Upload(io.BytesIO):
    name = "values.xlsx"


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100 if quick() else 1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bench = Bench("cbec_bench_programmes").prepare()
    bench.django()

    from django.db import transaction
    from openpyxl import load_workbook

    from programmes.services import imports

    manager, programme = world(args.rows)
    content = filled_template(programme)
    log(f"template filled: {args.rows} rows, {len(content) / 1024:.0f} KB")

    def floor():
        book = load_workbook(io.BytesIO(content), read_only=True)
        count = sum(1 for row in book.worksheets[0].iter_rows() for _cell in row)
        book.close()
        return count

    def validate():
        report, rows = imports.import_validate(
            programme=programme, period=PERIOD, upload=Upload(content)
        )
        assert report.ok, report.problems[:3]
        return len(rows)

    floor_s, cells = timed(floor, args.repeat)
    value_s, rows = timed(validate, args.repeat)
    log(f"{rows} rows ({cells} cells) validated in {value_s:.2f} s; openpyxl alone {floor_s:.2f} s")

    start = time.perf_counter()
    with transaction.atomic():
        report = imports.import_drafts(
            programme=programme, period=PERIOD, upload=Upload(content), user=manager
        )
        written = time.perf_counter() - start
        transaction.set_rollback(True)
    log(f"writing {report.written} drafts (one transaction, rolled back) took {written:.2f} s")
    print(f"{rows} rows validated in {value_s:.2f} s (budget {BUDGET_S:g} s)", flush=True)
    result("programme_import", value_s, floor_s, "s", BUDGET_S / floor_s if floor_s else 0)
    return 0 if value_s <= BUDGET_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
