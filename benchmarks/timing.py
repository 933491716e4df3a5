"""Shared by the benchmark scripts: medians of repeated runs, and the target check that decides the exit code.

A benchmark always reports; it fails (exit 1) only when asked to check its targets, with `--check` or
`BENCH_CHECK=1`, so noise on a busy machine never breaks `make bench`.
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass

CHECK_VARIABLE = "BENCH_CHECK"


@dataclass(frozen=True)
class Measurement:
    """The seconds of each run of one benchmark case, and the target its median must meet (None: none)."""

    name: str
    seconds: tuple[float, ...]
    target: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.seconds), max(self.seconds)

    @property
    def met(self) -> bool | None:
        """True/False against the target; None when the case has no target."""
        return None if self.target is None else self.median <= self.target

    def verdict(self) -> str:
        if self.target is None:
            return "-"
        return f"{self.target:.1f} {'ok' if self.met else 'MISSED'}"


def measure(name: str, run: Callable[[], float], runs: int, target: float | None = None) -> Measurement:
    """Call `run` (which returns the seconds of one run) `runs` times."""
    if runs < 1:
        raise ValueError("runs must be at least 1")
    return Measurement(name, tuple(run() for _ in range(runs)), target)


def check_requested(flag: bool, environ: Mapping[str, str] = os.environ) -> bool:
    """`--check`, or BENCH_CHECK set to anything but empty/0/false/no."""
    value = environ.get(CHECK_VARIABLE, "").strip().lower()
    return flag or value not in ("", "0", "false", "no")


def exit_code(measurements: list[Measurement], check: bool) -> int:
    """0 unless checking and some case with a target missed it."""
    if not check:
        return 0
    return 1 if any(m.met is False for m in measurements) else 0


def add_arguments(parser: argparse.ArgumentParser, default_runs: int) -> None:
    """The options every benchmark script takes: --runs and --check."""
    parser.add_argument(
        "--runs", type=_positive, default=default_runs, help=f"runs per case; the median is reported "
        f"(default {default_runs})"
    )
    parser.add_argument(
        "--check", action="store_true",
        help=f"exit 1 when a median misses its target (also: {CHECK_VARIABLE}=1); without it the exit "
        "code is 0 whatever the timings",
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
