"""Pipeline parameters from the command line: parse `k=v`, coerce, and validate up front.

Everything here runs before any step, so bad input fails fast with one clear message.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pipelines.steps import data, model, serving

# Set by the local runner itself; a user override would make the run lie about what it did.
LOCAL_MANAGED = ("registry_uri", "dry_run", "endpoint_url")


class ParameterError(ValueError):
    """One or more pipeline parameters are invalid; the message lists every problem."""


def parse_assignments(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """["k=v", ...] -> {"k": "v"}; a pair without "=" is an error."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--param expects KEY=VALUE, got {pair!r}")
        result[key.strip()] = value
    return result


def _coerce(name: str, raw: Any, default: Any) -> Any:
    if not isinstance(raw, str) or isinstance(default, str):
        return raw
    try:
        if isinstance(default, bool):
            lowered = raw.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return lowered in ("true", "1", "yes")
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
    except ValueError:
        raise ParameterError(
            f"{name}: expected {type(default).__name__}, got {raw!r}") from None
    return raw


def resolve_parameters(
    defaults: dict[str, Any], overrides: dict[str, Any], *, local: bool = False
) -> dict[str, Any]:
    """Defaults updated with coerced overrides, validated; raises ParameterError."""
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {', '.join(unknown)}; known: {', '.join(defaults)}")
    managed = sorted(set(overrides) & set(LOCAL_MANAGED)) if local else []
    if managed:
        raise ParameterError(f"{', '.join(managed)} are set by local runs and cannot be "
                             "overridden with --local")
    values = dict(defaults)
    for name, raw in overrides.items():
        values[name] = _coerce(name, raw, defaults[name])
    uri = values.get("dataset_uri")
    if isinstance(uri, str) and "://" not in uri:
        values["dataset_uri"] = str(Path(uri).resolve())  # steps may run in another cwd
    problems = validation_problems(values)
    if problems:
        raise ParameterError("invalid parameters:\n  - " + "\n  - ".join(problems))
    return values


def validation_problems(values: dict[str, Any]) -> list[str]:
    """Every problem with a full parameter set (empty when valid)."""
    problems: list[str] = []

    def check(name: str, ok: bool, message: str) -> None:
        if name in values and not ok:
            problems.append(f"{name}={values[name]!r}: {message}")

    get = values.get
    if "dataset_uri" in values:
        problem = data.dataset_uri_problem(values["dataset_uri"])
        check("dataset_uri", problem is None, problem or "")
    check("metric", get("metric") in model.METRIC_DIRECTIONS,
          f"unknown metric; evaluate produces {', '.join(model.METRIC_DIRECTIONS)}")
    check("direction", get("direction") in model.DIRECTIONS,
          f"must be one of {', '.join(model.DIRECTIONS)}")
    check("min_endpoint_accuracy", _in_range(get("min_endpoint_accuracy"), 0.0, 1.0, True),
          "threshold must be between 0 and 1")
    check("quality_floor", _in_range(get("quality_floor"), 0.0, 1e6, True),
          "must be >= 0 (a lower bound for maximized metrics, an upper bound for log_loss)")
    check("rollout_timeout_seconds", _positive(get("rollout_timeout_seconds")), "must be >= 1")
    check("test_size", _in_range(get("test_size"), 0.0, 1.0, False),
          "must be strictly between 0 and 1")
    check("max_iter", _positive(get("max_iter")), "must be >= 1")
    check("golden_set_size", _positive(get("golden_set_size")), "must be >= 1")
    check("learning_rate_init", _in_range(get("learning_rate_init"), 0.0, 10.0, False),
          "must be > 0")
    check("alpha", _in_range(get("alpha"), 0.0, 1e6, True), "must be >= 0")
    check("endpoint_timeout_seconds", _in_range(get("endpoint_timeout_seconds"), 0, 300, True)
          and get("endpoint_timeout_seconds") != 0, "must be in (0, 300]")
    check("protocol", get("protocol") in ("v1", "v2"), "must be v1 or v2")
    check("model_name", _valid(lambda: serving.service_name(str(get("model_name")))),
          "needs letters to derive a DNS-1035 InferenceService name")
    check("hidden_layers", _valid(lambda: model.parse_hidden_layers(str(get("hidden_layers")))),
          "must be comma-separated positive integers, e.g. 256,64")
    check("window_end", not get("window_end") or _valid(
        lambda: datetime.fromisoformat(str(get("window_end")))), "must be an ISO 8601 date")
    for name in ("model_name", "alias", "challenger_alias", "experiment_name", "registry_uri"):
        check(name, bool(get(name)), "must not be empty")
    check("challenger_alias", get("challenger_alias") != get("alias"),
          "must differ from alias (the champion's)")
    return problems


def _in_range(value: Any, low: float, high: float, inclusive: bool) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return low <= value <= high if inclusive else low < value < high


def _positive(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _valid(build: Any) -> bool:
    try:
        build()
    except ValueError:
        return False
    return True
