"""Benchmark `kfstack plan ENV`: wall time per environment, cold (a fresh process, as a user runs
it) and warm (in-process, imports excluded), with the resource and Kubernetes object counts.
Target (issue #10, platform in): `kfstack plan prod` <= 2 s wall on 2 cores.

Usage: python benchmarks/plan.py [--runs N] [ENV ...]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

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
    parser.add_argument("--runs", type=int, default=5, help="repetitions per environment (median reported)")
    parser.add_argument("environments", nargs="*", default=list(ENVIRONMENTS))
    args = parser.parse_args()
    warm_seconds(args.environments[0])  # pay imports once before timing warm runs
    print(
        f"{'env':<8} {'resources':>9} {'k8s objects':>11} {'cold median s':>14} {'warm median s':>14} "
        f"{'target s':>9}"
    )
    missed = False
    for env in args.environments:
        cold = statistics.median(cold_seconds(env) for _ in range(args.runs))
        warm_runs = [warm_seconds(env) for _ in range(args.runs)]
        warm = statistics.median(t for t, _, _ in warm_runs)
        target = TARGET_SECONDS.get(env)
        flag = "" if target is None else ("ok" if cold <= target else "MISSED")
        missed |= flag == "MISSED"
        target_text = f"{target:.1f} {flag}" if target else "-"
        _, resources, objects = warm_runs[0]
        print(f"{env:<8} {resources:>9} {objects:>11} {cold:>14.2f} {warm:>14.2f} {target_text:>9}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
