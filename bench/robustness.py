"""Benchmark the robustness band (PRODUCT.md section 8) against a bare numpy pass of its size.

    python bench/robustness.py [--rows N] [--draws D] [--repeat R]

Two figures: one run's band with 2,000 draws (a result page computes it; budget 50 ms, cached
draws and fresh ones), and a bulk re-score of ``--rows`` runs (default 100,000) against every
draw (aim: 10-15 s on a 2-core machine).

The floor is one matrix product of the same shapes, (rows, k) @ (k, draws), into an array
allocated once: every run against every drawn weight vector, the least any band must compute,
with nothing else (no bounds moved, no clamp, no percentile). It writes the (rows x draws)
surface once, its five multiply-adds hidden behind the memory traffic. The engine passes over
that surface about 35 times: per indicator a subtraction, a division, a clamp, a product and a
sum (25 for five indicators, all needed to reproduce the point score exactly at zero spread),
the dimension and total sums, and a comparison and a count per grade threshold; then it
partially sorts each run's draws for the three percentiles, which costs about as much again.
Each of those passes costs at least two thirds of the product, so the target ratio is 50 (about
40 was measured on the 2-core development machine, 100,000 runs in 6.5-7.6 s). The last line
is machine-readable:
    RESULT robustness value=<bulk s> floor=<matmul s> unit=s ratio=<value/floor> target=50
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from bench.engine import TABLE_4, make_values  # noqa: E402
from evaluations.scoring import robustness_band, robustness_bulk, robustness_draws  # noqa: E402

TARGET_RATIO = 50
SINGLE_BUDGET_S = 0.050
SCHEME = dataclasses.replace(TABLE_4, weight_spread=0.25, bound_spread=0.20)


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    X = make_values(args.rows)
    values = dict(zip(SCHEME.codes, X[0].tolist(), strict=True)) if args.rows else {}
    draws = robustness_draws(SCHEME, draws=args.draws)  # built once, as every run reuses them

    single_cached = median_seconds(lambda: robustness_band(SCHEME, values), 21)
    seeds = iter(range(10**6))
    single_fresh = median_seconds(lambda: robustness_band(SCHEME, values, seed=next(seeds)), 21)

    weights = np.ascontiguousarray(draws.weights.T)  # (k, draws)
    product = np.empty((args.rows, args.draws))  # allocated once: the floor is the arithmetic

    def floor_pass() -> np.ndarray:
        return np.matmul(X, weights, out=product)

    def bulk() -> object:
        return robustness_bulk(SCHEME, X, draws=args.draws)

    floor_pass()  # warm up BLAS and the allocator
    floor = median_seconds(floor_pass, args.repeat)
    value = median_seconds(bulk, args.repeat)
    ratio = value / floor

    size = args.rows * args.draws
    print(f"rows={args.rows} draws={args.draws} indicators={X.shape[1]} numpy={np.__version__}")
    budget = f"(budget {SINGLE_BUDGET_S * 1e3:.0f} ms)"
    print(f"one run, cached draws:  {single_cached * 1e3:8.2f} ms  {budget}")
    print(f"one run, fresh draws:   {single_fresh * 1e3:8.2f} ms")
    print(f"bare numpy (X @ W):     {floor:8.3f} s   {size / floor:14,.0f} run-draws/s")
    print(f"robustness_bulk:        {value:8.3f} s   {size / value:14,.0f} run-draws/s")
    print(
        f"RESULT robustness value={value:.6f} floor={floor:.6f} unit=s "
        f"ratio={ratio:.3f} target={TARGET_RATIO}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
