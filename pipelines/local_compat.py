"""A workaround that lets kfp.local evaluate the conditions the kfp compiler emits.

kfp 2.16's local ConditionEvaluator substitutes `pipelinechannel--...` references and then
`eval`s the expression as Python, but the compiler writes CEL such as
`inputs.parameter_values['pipelinechannel--task-Output'] == true`; the eval fails and the
condition silently counts as False, so every `dsl.If` branch is skipped. We rewrite the CEL
form into the Python form the evaluator expects, only for the duration of a local run.
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


@contextlib.contextmanager
def kfp_local_conditions() -> Iterator[None]:
    """Patch kfp.local's condition evaluator to understand the compiler's CEL, then restore."""
    from kfp.local.orchestrator import enhanced_dag_orchestrator as orchestrator

    evaluator = orchestrator.ConditionEvaluator
    original = evaluator.__dict__["evaluate_condition"]

    def evaluate_condition(condition: str, io_store: Any) -> bool:
        return bool(original.__func__(cel_to_python(condition), io_store))

    evaluator.evaluate_condition = staticmethod(evaluate_condition)
    try:
        yield
    finally:
        evaluator.evaluate_condition = original
