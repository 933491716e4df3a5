"""Helpers for the KFP resource tests (fixtures are in conftest.py).

No `from __future__ import annotations` here: kfp reads the component signature at runtime.
"""

import functools
import textwrap
from dataclasses import dataclass, field
from typing import Any

from modules.kfp.connection import KfpConnection

NAMESPACE = "team-a"


@dataclass
class Sleeps:
    """A sleep that records instead of waiting."""

    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def props(connection: KfpConnection, **inputs: Any) -> dict[str, Any]:
    """Provider props as the dynamic host passes them: connection, credentials and `inputs`."""
    return {**connection.provider_props(), **{k: v for k, v in inputs.items() if v is not None}}


@functools.cache
def compiled_spec(message: str = "hello") -> str:
    """The IR YAML of a tiny real pipeline (kfp's compiler), parameterised so specs can differ."""
    import tempfile
    from pathlib import Path

    from kfp import compiler, dsl

    @dsl.component(base_image="python:3.11-slim")
    def say(text: str) -> str:
        return text

    def body(text: str = message) -> None:
        say(text=text)

    body.__name__ = "kfstack_test_pipeline"
    pipeline = dsl.pipeline(name="kfstack-test-pipeline")(body)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pipeline.yaml"
        compiler.Compiler().compile(pipeline, str(path))
        return path.read_text()


MINIMAL_SPEC = textwrap.dedent(
    """\
    pipelineInfo:
      name: minimal
    root:
      dag:
        tasks: {}
    schemaVersion: 2.1.0
    sdkVersion: kfp-2.16.1
    """
)
