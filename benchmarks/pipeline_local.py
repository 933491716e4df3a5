"""Benchmark: wall time of `kfstack pipelines run train-and-deploy --local` on digits.

Run as a script: `python benchmarks/pipeline_local.py [--runs N] [--check]`. Each run is the CLI in
a fresh process with a fresh workdir (empty registry: every step of the gate runs except
reject-candidate, and v1 becomes champion after its endpoint test).
Target: median <= 15 s; checked (exit 1 when missed) only with --check or BENCH_CHECK=1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `benchmarks.timing` when run as a script

from benchmarks.timing import Measurement, add_arguments, check_requested, exit_code

TARGET_SECONDS = 15.0


def run_once() -> tuple[float, dict[str, Any], float]:
    """One CLI run in a fresh process and workdir: (wall seconds, summary, test accuracy).

    A fresh process counts every import, as a user typing the command would see it.
    """
    with tempfile.TemporaryDirectory(prefix="kfstack-bench-") as workdir:
        command = [sys.executable, "-c", "from kfstack.cli import main; main()", "pipelines",
                   "run", "train-and-deploy", "--local", "--workdir", workdir, "--json"]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"run failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    summary = json.loads(done.stdout)
    return elapsed, summary, summary["metrics"]["accuracy"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser, default_runs=1)
    args = parser.parse_args()
    times = []
    for index in range(args.runs):
        elapsed, summary, accuracy = run_once()
        times.append(elapsed)
        detail = f"promoted v{summary['registered_version']}, steps {summary['seconds']:.1f} s"
        print(f"run {index + 1}: {elapsed:.1f} s (accuracy {accuracy:.4f}; {detail})")
    measurement = Measurement("train-and-deploy", tuple(times), TARGET_SECONDS)
    verdict = "within" if measurement.met else "over"
    low, high = measurement.spread
    print(f"train-and-deploy local run: {measurement.median:.1f} s median of {len(times)} "
          f"(min {low:.1f}, max {high:.1f}; {verdict} the {TARGET_SECONDS:.0f} s target; "
          f"{os.cpu_count()} CPUs)")
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not _site_packages_precompiled():
        print("note: PYTHONDONTWRITEBYTECODE is set and the installed packages have no bytecode "
              "caches (e.g. installed by uv without --compile-bytecode), so every step recompiles "
              "kfp, scikit-learn and MLflow; `pip install` precompiles and runs about 2x faster")
    return exit_code([measurement], check_requested(args.check))


def _site_packages_precompiled() -> bool:
    import sklearn

    return any(Path(sklearn.__file__).parent.glob("__pycache__/*.pyc"))


if __name__ == "__main__":
    sys.exit(main())
