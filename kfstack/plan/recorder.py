"""Run a Pulumi program in-process under the mock runtime and record every registration.

`MockMonitor` only hands type, name and inputs to `Mocks.new_resource`; parents, dependencies,
providers, protect flags and secret markers are on the raw request, so the recording monitor
reads them there before delegating.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast, get_args

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import settings as pulumi_settings

from kfstack.plan.binaries import Tool, find_tool
from stacks.components import mock_calls, mock_templates
from stacks.config.secrets import REDACTED
from stacks.mock_values import DEFAULT_MOCK_REGION, planned_region

SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
ASSET_SIGS = {"c44067f5952c0a294b673a41bacd8c17", "0def7320c3a5731c473e5ecbe6d01bc7"}
SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
UNKNOWN_VALUE = "[unknown]"
"""How a plan shows a value not known until the engine creates something."""


@dataclass
class RecordedResource:
    """One registration as the engine would have received it (secrets already redacted)."""

    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    dependencies: list[str]
    provider: str
    protect: bool
    retain_on_delete: bool
    inputs: dict[str, Any]
    secret_paths: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)
    """Input paths the engine would leave alone on update (not part of the plan file)."""

    def to_json(self) -> dict[str, Any]:
        """The plan-file form (stable key order is applied when serialised)."""
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "dependencies": self.dependencies,
            "provider": self.provider,
            "protect": self.protect,
            "retainOnDelete": self.retain_on_delete,
            "inputs": self.inputs,
        }


def find_resources(
    resources: list[RecordedResource], type_: str, name: str | None = None
) -> list[RecordedResource]:
    """The recorded resources of `type_` (and logical `name`, if given)."""
    return [r for r in resources if r.type == type_ and (name is None or r.name == name)]


def _plain(value: Any, path: str, secrets: list[str]) -> Any:
    """Protobuf Struct value -> plain Python, with secrets redacted and integral floats as ints."""
    if isinstance(value, struct_pb2.Value):
        kind = value.WhichOneof("kind")
        if kind == "struct_value":
            return _plain(value.struct_value, path, secrets)
        if kind == "list_value":
            return [_plain(v, f"{path}[{i}]", secrets) for i, v in enumerate(value.list_value.values)]
        if kind == "number_value":
            number = value.number_value
            return int(number) if number.is_integer() else number
        if kind == "string_value":
            return UNKNOWN_VALUE if value.string_value == UNKNOWN else value.string_value
        if kind == "bool_value":
            return value.bool_value
        return None
    fields = value.fields
    sig = fields[SPECIAL_SIG_KEY].string_value if SPECIAL_SIG_KEY in fields else None
    if sig == SECRET_SIG:
        secrets.append(path)
        return REDACTED
    if sig == RESOURCE_SIG:
        return {"urn": fields["urn"].string_value}
    if sig == OUTPUT_SIG:
        if fields["secret"].bool_value if "secret" in fields else False:
            secrets.append(path)
            return REDACTED
        return _plain(fields["value"], path, secrets) if "value" in fields else UNKNOWN_VALUE
    if sig in ASSET_SIGS:
        return {k: _plain(v, f"{path}.{k}", secrets) for k, v in fields.items() if k != SPECIAL_SIG_KEY}
    return {k: _plain(fields[k], f"{path}.{k}" if path else k, secrets) for k in sorted(fields)}


def _without_provider_code(inputs: dict[str, Any]) -> dict[str, Any]:
    """Drop a dynamic resource's serialised provider (`__provider`): code, not configuration."""
    return {k: v for k, v in inputs.items() if k != "__provider"}


def _provider_urn(reference: str) -> str:
    """Provider references are `urn::id`; the plan keeps the URN."""
    return reference.rsplit("::", 1)[0] if reference else ""


def _locate_tool(tool: str) -> Path:
    """The executable a mock call asks for (only the tools the plan knows how to find)."""
    if tool not in get_args(Tool):
        raise ValueError(f"a mock call asked for {tool!r}; the plan provides {', '.join(get_args(Tool))}")
    return find_tool(cast(Tool, tool))


class RecordingMocks(pulumi.runtime.Mocks):
    """Mocks that echo inputs and add the outputs each component declares for its resource types
    (ids, ARNs, endpoints); anything undeclared only echoes its inputs. Provider functions are
    answered as the components declare (`mock_calls`), others with no outputs; what an answer says
    the plan cannot show is kept in `warnings`."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        template = mock_templates().get(args.typ)
        extra = template(args.name, args.inputs) if template else {}
        outputs = {**args.inputs, **extra}
        resource_id = args.resource_id or outputs.pop("id", None) or f"{args.name}-id"
        return resource_id, outputs

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict, list[tuple[str, str]]]:
        handler = mock_calls().get(args.token)
        if handler is None:
            return {}, []
        answer = handler(dict(args.args), _locate_tool)
        self.warnings.extend(w for w in answer.warnings if w not in self.warnings)
        self.errors.extend(e for e in answer.errors if e not in self.errors)
        return answer.outputs, []


class _Collect(logging.Handler):
    """Keeps the program's `pulumi.log` warnings and errors (the mock engine logs them here)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class ProgramRecord:
    """A program's registrations in order, and the warnings it logged."""

    resources: list[RecordedResource]
    warnings: list[str]
    errors: list[str] = field(default_factory=list)
    """What a provider function answered as a failure under the mocks (see MockCallAnswer.errors)."""


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """A MockMonitor that keeps every registration request, in order."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.records: list[RecordedResource] = []

    def RegisterResource(self, request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":
            secrets: list[str] = []
            self.records.append(
                RecordedResource(
                    urn=self.make_urn(request.parent, request.type, request.name),
                    type=request.type,
                    name=request.name,
                    parent=request.parent,
                    custom=bool(request.custom),
                    dependencies=sorted(set(request.dependencies)),
                    provider=_provider_urn(request.provider),
                    protect=bool(request.protect),
                    retain_on_delete=bool(request.retainOnDelete),
                    inputs=_without_provider_code(_plain(request.object, "", secrets)),
                    secret_paths=secrets,
                    ignore_changes=list(request.ignoreChanges),
                )
            )
        return super().RegisterResource(request)


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Tear the loop down as `asyncio.run` does: Pulumi resolves registrations on the loop's
    default executor, so its worker threads must finish before the loop closes."""
    try:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        asyncio.set_event_loop(None)
        loop.close()


class ProgramNeverRan(RuntimeError):
    """The program registered nothing: its callbacks did not run, so nothing was checked."""


def record_program(
    program: Callable[[], Any],
    stack: str,
    project: str = "kfstack",
    mocks: pulumi.runtime.Mocks | None = None,
    allow_empty: bool = False,
    region: str = DEFAULT_MOCK_REGION,
) -> ProgramRecord:
    """Run `program` under mocks on a fresh event loop; return its registrations and warnings.

    Mock ARNs, ids and endpoints are in `region` (the environment's AWS region). Global runtime
    state is reset afterwards, so calls are independent of each other.
    """
    monitor = RecordingMonitor(mocks or RecordingMocks())
    collected = _Collect()
    logger = logging.getLogger(f"kfstack.plan.{stack}")
    logger.propagate = False
    logger.addHandler(collected)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    ran = False
    # pulumi.dynamic's serialize_provider wraps pickle._Pickler._batch_setitems once per dynamic
    # resource and never unwraps it: over many plans in one process the chain exceeds the recursion
    # limit (and breaks other picklers, e.g. joblib's). Restored after each program.
    batch_setitems = pickle._Pickler._batch_setitems  # type: ignore[attr-defined]

    def run() -> None:
        nonlocal ran
        program()
        ran = True

    try:
        pulumi_settings.reset_options(project=project, stack=stack)
        pulumi.runtime.set_mocks(
            monitor.mocks, project=project, stack=stack, preview=False, logger=logger, monitor=monitor
        )
        with planned_region(region):
            pulumi.runtime.test(run)()
    finally:
        pulumi_settings.reset_options()
        _close_loop(loop)
        logger.removeHandler(collected)
        pickle._Pickler._batch_setitems = batch_setitems  # type: ignore[attr-defined]
    if not ran or (not monitor.records and not allow_empty):
        raise ProgramNeverRan(f"the program for stack '{stack}' registered no resources")
    mocks = monitor.mocks if isinstance(monitor.mocks, RecordingMocks) else None
    call_warnings, call_errors = (mocks.warnings, mocks.errors) if mocks else ([], [])
    return ProgramRecord(monitor.records, [*collected.messages, *call_warnings], list(call_errors))
