"""One builder per platform component: each module maps the validated config to its modules'
typed args, creates them with the right options, returns typed outputs for later components,
and declares itself in a `SPEC` (see `stacks/component_spec.py`).

`stacks/program.py` calls the builders in install order. The declarations are collected here
for the plan checks and the mocks. Builders import their `modules.*` lazily, so collecting the
declarations stays cheap (an existing-cluster plan never imports the AWS SDK).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from stacks.component_spec import ComponentSpec, MockCall, MockTemplate
from stacks.config.environment import EnvironmentConfig
from stacks.config.versions import COMPONENT_KEYS, ComponentKey


@cache
def component_specs() -> tuple[ComponentSpec, ...]:
    """The declaration of every component, in module name order."""
    specs = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        spec = getattr(module, "SPEC", None)
        if not isinstance(spec, ComponentSpec):
            raise TypeError(f"{module.__name__} declares no SPEC (every builder module must)")
        specs.append(spec)
    return tuple(specs)


@cache
def mock_templates() -> dict[str, MockTemplate]:
    """Resource type -> mock outputs, from every component; each type is declared once."""
    templates: dict[str, MockTemplate] = {}
    owners: dict[str, str] = {}
    for spec in component_specs():
        for type_, template in spec.mock_outputs.items():
            if type_ in templates:
                raise ValueError(f"mock outputs for {type_} declared by both {owners[type_]} and {spec.name}")
            templates[type_], owners[type_] = template, spec.name
    return templates


@cache
def mock_calls() -> dict[str, MockCall]:
    """Provider function token -> how the mocks answer it, from every component; each token once."""
    calls: dict[str, MockCall] = {}
    owners: dict[str, str] = {}
    for spec in component_specs():
        for token, answer in spec.mock_calls.items():
            if token in calls:
                raise ValueError(f"mock call {token} declared by both {owners[token]} and {spec.name}")
            calls[token], owners[token] = answer, spec.name
    return calls


@cache
def replacement_paths() -> dict[str, tuple[str, ...]]:
    """Resource type -> input paths whose change replaces it, from every component; each type once."""
    rules: dict[str, tuple[str, ...]] = {}
    for spec in component_specs():
        for type_, paths in spec.replace_on.items():
            if type_ in rules:
                raise ValueError(f"replacement rules for {type_} declared twice (second: {spec.name})")
            rules[type_] = paths
    return rules


@dataclass(frozen=True)
class AbsentComponent:
    """A component that is switched on but installs nothing in this environment, and why."""

    key: ComponentKey
    reason: str

    def message(self) -> str:
        """One line for `kfstack plan` and `pulumi preview`."""
        return f"components.{self.key} is enabled but not installed: {self.reason}"


NOT_BUILT_YET = "this kfstack version cannot install it yet; set `enabled: false` to acknowledge"


def absent_components(config: EnvironmentConfig) -> Iterator[AbsentComponent]:
    """Every enabled component this environment does not install, in `kfstack:components` order."""
    by_key = {spec.key: spec for spec in component_specs() if spec.key is not None}
    for key in COMPONENT_KEYS:
        if not config.components.enabled(key):
            continue
        spec = by_key.get(key)
        if spec is None:
            yield AbsentComponent(key, NOT_BUILT_YET)
        elif spec.skip_reason is not None and (reason := spec.skip_reason(config)):
            yield AbsentComponent(key, reason)
