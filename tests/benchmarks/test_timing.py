"""benchmarks/timing.py: medians of the runs, and a non-zero exit only when a target check is asked for."""

import argparse
import itertools

import pytest

from benchmarks.timing import Measurement, add_arguments, check_requested, exit_code, measure


def test_median_and_spread_of_the_runs() -> None:
    measurement = Measurement("prod", (2.4, 1.9, 2.0, 5.0, 1.95))
    assert measurement.median == 2.0
    assert measurement.spread == (1.9, 5.0)


def test_median_of_an_even_number_of_runs_is_the_mean_of_the_middle_two() -> None:
    assert Measurement("x", (1.0, 4.0, 2.0, 3.0)).median == 2.5


def test_one_slow_outlier_does_not_miss_the_target() -> None:
    # the old benchmark compared each figure directly; the median absorbs one noisy run
    measurement = Measurement("prod", (1.98, 2.02, 1.97, 3.5, 1.99), target=2.0)
    assert measurement.met is True
    assert measurement.verdict() == "2.0 ok"


def test_a_median_over_the_target_is_missed() -> None:
    measurement = Measurement("prod", (2.1, 2.2, 1.9), target=2.0)
    assert measurement.met is False
    assert measurement.verdict() == "2.0 MISSED"


def test_a_case_without_target_is_neither_met_nor_missed() -> None:
    measurement = Measurement("dev", (9.0,))
    assert measurement.met is None
    assert measurement.verdict() == "-"


def test_measure_calls_the_run_once_per_repetition() -> None:
    calls = itertools.count()
    measurement = measure("dev", lambda: float(next(calls)), runs=3)
    assert measurement.seconds == (0.0, 1.0, 2.0)
    with pytest.raises(ValueError, match="at least 1"):
        measure("dev", lambda: 0.0, runs=0)


def test_exit_code_is_zero_unless_checking() -> None:
    missed = [Measurement("prod", (3.0,), target=2.0), Measurement("dev", (1.0,))]
    met = [Measurement("prod", (1.0,), target=2.0)]
    assert exit_code(missed, check=False) == 0
    assert exit_code(missed, check=True) == 1
    assert exit_code(met, check=True) == 0


@pytest.mark.parametrize(
    ("flag", "environ", "expected"),
    [
        (False, {}, False),
        (True, {}, True),
        (False, {"BENCH_CHECK": "1"}, True),
        (False, {"BENCH_CHECK": "yes"}, True),
        (False, {"BENCH_CHECK": "0"}, False),
        (False, {"BENCH_CHECK": "false"}, False),
        (False, {"BENCH_CHECK": ""}, False),
    ],
)
def test_check_is_asked_for_by_flag_or_environment(flag: bool, environ: dict[str, str], expected: bool) -> None:
    assert check_requested(flag, environ) is expected


def test_script_options() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser, default_runs=5)
    assert vars(parser.parse_args([])) == {"runs": 5, "check": False}
    assert vars(parser.parse_args(["--runs", "3", "--check"])) == {"runs": 3, "check": True}
    with pytest.raises(SystemExit):
        parser.parse_args(["--runs", "0"])
