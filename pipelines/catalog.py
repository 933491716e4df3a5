"""The pipelines kfstack ships: listing, lookup and deterministic compilation.

Cheap to import: kfp and the pipeline modules load only when a pipeline is built.
"""

from __future__ import annotations

import importlib
import inspect
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kfp.dsl.graph_component import GraphComponent

    from pipelines.placement import PipelineTarget

# name -> module defining NAME, DESCRIPTION, STEPS and build(target).
_MODULES = {
    "train-and-deploy": "pipelines.train_and_deploy",
    "retrain": "pipelines.retrain",
}


class UnknownPipelineError(KeyError):
    """Raised for a pipeline name that is not in the catalog."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class PipelineInfo:
    """One shipped pipeline: name, description, task names and its builder."""

    name: str
    description: str
    steps: tuple[str, ...]
    build: Callable[[PipelineTarget], GraphComponent]

    @property
    def pipeline(self) -> GraphComponent:
        """The pipeline function built for the default target."""
        from pipelines.placement import DEFAULT_TARGET

        return self.build(DEFAULT_TARGET)

    @property
    def default_parameters(self) -> dict[str, Any]:
        """Parameter name -> default value, in signature order."""
        signature = inspect.signature(self.pipeline.pipeline_func)
        return {name: p.default for name, p in signature.parameters.items()}


def _info(module_name: str) -> PipelineInfo:
    module = importlib.import_module(module_name)
    return PipelineInfo(module.NAME, module.DESCRIPTION, tuple(module.STEPS), module.build)


def pipeline_names() -> list[str]:
    """The names of all shipped pipelines (no imports)."""
    return list(_MODULES)


def list_pipelines() -> list[PipelineInfo]:
    """Every shipped pipeline."""
    return [_info(module) for module in _MODULES.values()]


def get_pipeline(name: str) -> PipelineInfo:
    """The pipeline called `name`; UnknownPipelineError lists the known names."""
    if name not in _MODULES:
        raise UnknownPipelineError(
            f"unknown pipeline {name!r}; known pipelines: {', '.join(_MODULES)}")
    return _info(_MODULES[name])


def compile_pipeline(name: str, target: PipelineTarget | None = None) -> str:
    """The pipeline's IR YAML for `target` (default: DEFAULT_TARGET), its steps in `target`'s
    runtime image.

    Byte-identical across runs and processes for the same code, kfp version and target;
    a content hash of this text names pipeline versions.
    """
    from kfp import compiler

    from pipelines.placement import DEFAULT_TARGET, apply_runtime_image

    target = target or DEFAULT_TARGET
    pipeline = get_pipeline(name).build(target)
    apply_runtime_image(pipeline, target.runtime_image)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pipeline.yaml"
        compiler.Compiler().compile(pipeline, str(path))
        return path.read_text()
