"""Benchmark `kfstack plan ENV`: wall time per environment, cold (a fresh process, as a user runs
it) and warm (in-process, imports excluded), with the resource and Kubernetes object counts.
Each figure is the median of --runs runs (min-max beside it).
Target (issue #10, platform in): `kfstack plan prod` cold median <= 2 s wall on 2 cores; checked
(exit 1 when missed) only with --check or BENCH_CHECK=1.

Usage: python benchmarks/plan.py [--runs N] [--check] [ENV ...]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `benchmarks.timing` when run as a script

from benchmarks.timing import Measurement, add_arguments, check_requested, exit_code, measure

ENVIRONMENTS = ("local", "dev", "staging", "prod")
TARGET_SECONDS = {"prod": 2.0}


def cold_seconds(environment: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kfstack", "plan", environment, "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def warm_seconds(environment: str) -> tuple[float, int, int]:
    from kfstack.plan.build import build_plan

    start = time.perf_counter()
    plan = build_plan(environment)
    return time.perf_counter() - start, len(plan.resources), len(plan.kubernetes_objects())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_arguments(parser, default_runs=5)
    parser.add_argument("environments", nargs="*", default=list(ENVIRONMENTS))
    args = parser.parse_args()
    warm_seconds(args.environments[0])  # pay imports once before timing warm runs
    print(f"{args.runs} runs per figure; median (min-max) seconds")
    print(f"{'env':<8} {'resources':>9} {'k8s objects':>11} {'cold':>18} {'warm':>18} {'target s':>11}")
    checked: list[Measurement] = []
    for env in args.environments:
        cold = measure(env, lambda env=env: cold_seconds(env), args.runs, TARGET_SECONDS.get(env))
        warm_runs = [warm_seconds(env) for _ in range(args.runs)]
        warm = Measurement(env, tuple(seconds for seconds, _, _ in warm_runs))
        checked.append(cold)
        _, resources, objects = warm_runs[0]
        print(
            f"{env:<8} {resources:>9} {objects:>11} {_figure(cold):>18} {_figure(warm):>18} "
            f"{cold.verdict():>11}"
        )
    check = check_requested(args.check)
    code = exit_code(checked, check)
    if not check:
        print("targets not checked (pass --check or set BENCH_CHECK=1 to fail on a missed target)")
    elif code:
        print("a target was missed (cold median over target)")
    return code


def _figure(measurement: Measurement) -> str:
    low, high = measurement.spread
    return f"{measurement.median:.2f} ({low:.2f}-{high:.2f})"


if __name__ == "__main__":
    sys.exit(main())
