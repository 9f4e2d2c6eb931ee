"""Benchmark the PDF report: render time and memory for a report with many indicator rows.

    python bench/pdf.py [--rows 50] [--repeat 10] [--languages en zh-hans]

The report is built in memory (no database): a synthetic run with ``--rows`` indicators in ten
dimensions, its methodology appendix and chart, rendered through the real template, stylesheet,
safe URL fetcher and time limit. PRODUCT issue 6: a PDF that takes more than about a second is
built in a Celery task rather than in the request, which is what the app does (see
evaluations/reports/pdf.py). Wall time depends on the machine's load, so the CPU time of the
process is printed too. The last line is machine-readable (value: the slowest language's median):
    RESULT pdf value=<median s> floor=0 unit=s ratio=0 target=1
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cbec_site.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")  # development defaults: no secret key needed

import django  # noqa: E402

django.setup()

from django.utils import timezone, translation  # noqa: E402

from enterprises.models import Enterprise  # noqa: E402
from evaluations import charts  # noqa: E402
from evaluations.models import (  # noqa: E402
    Dimension,
    EvaluationRun,
    Indicator,
    RunDimension,
    RunIndicator,
    WeightScheme,
)
from evaluations.reports import ReportData, methodology  # noqa: E402
from evaluations.reports.pdf import render_pdf, render_report, report_html  # noqa: E402
from evaluations.selectors import DimensionLine, IndicatorLine, RunPage  # noqa: E402

TARGET = 1.0
DIMENSIONS = 10


def synthetic_report(rows: int, seed: int = 2025) -> ReportData:
    """A succeeded run with ``rows`` indicators, equal weights, values spread over the bounds."""
    rng = random.Random(seed)
    dimensions = [
        Dimension(code=f"dim_{d}", name=f"Dimension {d + 1}", name_zh=f"维度{d + 1}", order=d)
        for d in range(min(DIMENSIONS, rows))
    ]
    weight = 1 / rows
    specs, values, lines = [], {}, []
    for i in range(rows):
        dimension = dimensions[i % len(dimensions)]
        code = f"indicator_{i:02d}"
        worst, best = (100.0, 0.0) if i % 2 else (0.0, 100.0)
        value = round(rng.uniform(0, 100), 2)
        s = min(max((value - worst) / (best - worst), 0.0), 1.0)
        specs.append(
            {
                "code": code,
                "dimension": dimension.code,
                "weight": weight,
                "worst": worst,
                "best": best,
                "min_value": 0.0,
                "max_value": 100.0,
            }
        )
        values[code] = value
        indicator = Indicator(
            code=code,
            dimension=dimension,
            name=f"Indicator number {i + 1} with a realistic name",
            name_zh=f"第{i + 1}项指标（物流与供应链）",
            unit="% of sales revenue",
            unit_zh="占销售收入的百分比（%）",
        )
        row = RunIndicator(
            code=code,
            dimension=dimension.code,
            value=value,
            normalized=s,
            score=100 * s,
            weight=weight,
            contribution=100 * weight * s,
            potential_gain=100 * weight * (1 - s),
        )
        lines.append(IndicatorLine(row, indicator, rng.uniform(-5, 5)))
    dim_lines = []
    for dimension in dimensions:
        members = [line.row for line in lines if line.row.dimension == dimension.code]
        total = sum(m.weight for m in members)
        score = sum(m.contribution for m in members) / total
        row = RunDimension(code=dimension.code, weight=total, score=score)
        dim_lines.append(DimensionLine(row, dimension, rng.uniform(-5, 5)))
    overall = sum(line.row.contribution for line in lines)
    scheme = WeightScheme(slug="bench", name="Benchmark scheme", version=1)
    run = EvaluationRun(
        pk=1,
        year=2025,
        quarter=4,
        scheme=scheme,
        scheme_slug="bench",
        scheme_version=1,
        scheme_snapshot={
            "slug": "bench",
            "version": 1,
            "indicators": specs,
            "grade_bands": [
                {"grade": "A", "min_score": 85.0, "label": "leading"},
                {"grade": "B", "min_score": 70.0, "label": "advanced"},
                {"grade": "C", "min_score": 55.0, "label": "developing"},
                {"grade": "D", "min_score": 40.0, "label": "emerging"},
                {"grade": "E", "min_score": 0.0, "label": "at_risk"},
            ],
        },
        values=values,
        status=EvaluationRun.Status.SUCCEEDED,
        overall=overall,
        grade="C",
        created_at=timezone.now(),
        finished_at=timezone.now(),
    )
    chart = charts.bar_chart([(d.dimension.localized("name"), d.row.score) for d in dim_lines])
    page = RunPage(run, dim_lines, lines, chart, None, None)
    enterprise = Enterprise(pk=1, name="Benchmark Trading Co., Ltd. 杭州示例贸易有限公司")
    return ReportData(
        enterprise=enterprise,
        run=run,
        page=page,
        methodology=methodology(run, page),
        profile=[("Location", "Hangzhou, Zhejiang")],
    )


def measure(rows: int, repeat: int, language: str) -> tuple[float, float, float, int, int, int]:
    """Median and fastest wall s, median CPU s, Python peak bytes of one render (tracemalloc),
    process peak RSS bytes so far (Python, Pango, fonts), PDF bytes."""
    with translation.override(language):
        data = synthetic_report(rows)
        pdf = render_report(data)  # warm up: fonts, templates, CSS
        times, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            render_report(data)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        tracemalloc.start()  # slows Python down several times: a generous time limit
        render_pdf(report_html(data), seconds=600)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return statistics.median(times), min(times), statistics.median(cpu), peak, rss, len(pdf)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--languages", nargs="+", default=["en", "zh-hans"])
    args = parser.parse_args(argv)

    medians = []
    print(f"rows={args.rows} repeat={args.repeat}")
    for language in args.languages:
        median, fastest, cpu, peak, rss, size = measure(args.rows, args.repeat, language)
        medians.append(median)
        print(
            f"{language:8} median {median * 1e3:7.0f} ms  fastest {fastest * 1e3:7.0f} ms  "
            f"cpu median {cpu * 1e3:7.0f} ms  python peak {peak / 2**20:5.1f} MiB  "
            f"peak RSS {rss / 2**20:4.0f} MiB  pdf {size / 1024:6.1f} KiB"
        )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs")
    value = max(medians)
    verdict = "could be served directly" if value < TARGET else "build it in a Celery task"
    print(f"slowest median {value:.3f} s against a {TARGET:g} s target: {verdict}")
    print(f"RESULT pdf value={value:.6f} floor=0 unit=s ratio=0 target={TARGET:g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
