"""A workaround that lets kfp.local evaluate the conditions the kfp compiler emits.

kfp 2.16's local ConditionEvaluator substitutes `pipelinechannel--...` references and then
`eval`s the expression as Python, but the compiler writes CEL such as
`inputs.parameter_values['pipelinechannel--task-Output'] == true`; the eval fails and the
condition silently counts as False, so every `dsl.If` branch is skipped. We rewrite the CEL
form into the Python form the evaluator expects, only for the duration of a local run.

The evaluator also resolves only `<task>-Output` and `<task>--<output>` channels, while the
compiler names a NamedTuple output's channel `<task>-<output>`; we rewrite those to the
double-dash form after finding which split names a task output in the run's IO store.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

_CEL_PARAMETER = re.compile(r"inputs\.parameter_values\['(pipelinechannel--[A-Za-z0-9_\-]+)'\]")


def cel_to_python(condition: str) -> str:
    """`inputs.parameter_values['pipelinechannel--x'] == true` -> `pipelinechannel--x == True`."""
    python = _CEL_PARAMETER.sub(r"\1", condition)
    python = re.sub(r"\btrue\b", "True", python)
    python = re.sub(r"\bfalse\b", "False", python)
    return python.replace("&&", " and ").replace("||", " or ")


def named_outputs_to_double_dash(condition: str, has_output: Any) -> str:
    """`pipelinechannel--task-name-out` -> `pipelinechannel--task-name--out` when
    `has_output(task, output)`; other references are left as they are."""

    def rewrite(match: re.Match[str]) -> str:
        ref = match.group(0).removeprefix("pipelinechannel--")
        if "--" in ref or ref.endswith("-Output"):
            return match.group(0)
        parts = ref.split("-")
        for cut in range(len(parts) - 1, 0, -1):
            task, output = "-".join(parts[:cut]), "-".join(parts[cut:])
            if has_output(task, output):
                return f"pipelinechannel--{task}--{output}"
        return match.group(0)

    return re.sub(r"pipelinechannel--[A-Za-z0-9_\-]+", rewrite, condition)


@contextlib.contextmanager
def kfp_local_conditions() -> Iterator[None]:
    """Patch kfp.local's condition evaluator to understand the compiler's CEL, then restore."""
    from kfp.local.orchestrator import enhanced_dag_orchestrator as orchestrator

    evaluator = orchestrator.ConditionEvaluator
    original = evaluator.__dict__["evaluate_condition"]

    def evaluate_condition(condition: str, io_store: Any) -> bool:
        def has_output(task: str, output: str) -> bool:
            try:
                io_store.get_task_output(task, output)
            except Exception:  # kfp.local raises ValueError for unknown outputs
                return False
            return True

        python = named_outputs_to_double_dash(cel_to_python(condition), has_output)
        return bool(original.__func__(python, io_store))

    evaluator.evaluate_condition = staticmethod(evaluate_condition)
    try:
        yield
    finally:
        evaluator.evaluate_condition = original
