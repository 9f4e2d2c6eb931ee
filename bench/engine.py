"""Benchmark the bulk scoring path against the bare numpy arithmetic it wraps.

    python bench/engine.py [--rows N] [--repeat R]

The floor is the three lines anyone would write; the engine adds validation, dimension scores,
grades, potential gains and read-only results, and must stay within 3x of that floor.
The last line is machine-readable:
    RESULT engine value=<bulk s> floor=<bare s> unit=s ratio=<value/floor> target=3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from evaluations.scoring import IndicatorSpec, SchemeSpec, score_bulk  # noqa: E402

TABLE_4 = SchemeSpec(
    slug="ye-2025-table-4",
    version=1,
    indicators=(
        IndicatorSpec("logistics_cost", "operational_efficiency", 0.25, 30, 5, 0, 100),
        IndicatorSpec("npd_cycle", "innovation_capacity", 0.15, 180, 14),
        IndicatorSpec("tech_update_speed", "innovation_capacity", 0.10, 0, 24),
        IndicatorSpec("market_response_time", "market_adaptability", 0.20, 90, 7),
        IndicatorSpec("environmental_impact_score", "sustainability", 0.30, 0, 100, 0, 100),
    ),
)
TARGET_RATIO = 3


def make_values(rows: int, seed: int = 20250) -> np.ndarray:
    """Valid (rows, 5) values, C-ordered as a caller would build them, a little past the bounds."""
    rng = np.random.default_rng(seed)
    high = np.array([60.0, 365.0, 52.0, 180.0, 100.0])
    return rng.uniform(0.0, 1.0, size=(rows, 5)) * high


def median_seconds(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm up: plan cache, allocator
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    X = make_values(args.rows)
    inds = TABLE_4.indicators
    worst = np.array([i.worst for i in inds], dtype=float)
    best = np.array([i.best for i in inds], dtype=float)
    w = np.array([i.weight for i in inds], dtype=float)

    def bare() -> np.ndarray:
        s = np.clip((X - worst) / (best - worst), 0, 1)
        c = s * w
        return 100 * c.sum(axis=1)

    def bulk() -> object:
        return score_bulk(TABLE_4, X)

    # Same numbers both ways (the floor has no validation, grades or dimensions).
    reference, result = bare(), score_bulk(TABLE_4, X)
    max_diff = float(np.max(np.abs(reference - result.overall))) if args.rows else 0.0

    floor = median_seconds(bare, args.repeat)
    value = median_seconds(bulk, args.repeat)
    ratio = value / floor

    print(f"rows={args.rows} indicators={len(inds)} repeat={args.repeat} numpy={np.__version__}")
    print(f"bare numpy (3 lines):  {floor * 1e3:9.2f} ms  {args.rows / floor:14,.0f} assessments/s")
    print(f"score_bulk (all data): {value * 1e3:9.2f} ms  {args.rows / value:14,.0f} assessments/s")
    print(f"max |overall difference| vs bare: {max_diff:.3g}")
    print(
        f"RESULT engine value={value:.6f} floor={floor:.6f} unit=s "
        f"ratio={ratio:.3f} target={TARGET_RATIO}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
