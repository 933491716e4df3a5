"""Drive Pulumi's real Python dynamic-provider host (`python -m pulumi.dynamic`) the way the engine does.

The engine starts the `pulumi-resource-pulumi-python` plugin, a shim that runs
`python -u -m pulumi.dynamic <engine address>`, reads the gRPC port the host prints on its first
stdout line, and then calls the ResourceProvider service: GetPluginInfo, Configure, then
Check/Diff/Create/Read/Update/Delete with property Structs whose `__provider` is the provider
serialised by `pulumi.dynamic.dynamic.serialize_provider` (dill, base64).

The host (pulumi 3.272) ignores its engine-address argument; a minimal Engine service still
listens there, so the process sees exactly what the engine would give it, and any log call it
made would be recorded. Because the host answers Configure with `acceptSecrets: false`, the
engine sends it plain values (secrets stripped) and unknowns as the UNKNOWN sentinel string;
`engine_view` does the same to outputs before they are passed back.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import engine_pb2_grpc, provider_pb2, provider_pb2_grpc

from modules.kfp.base import KfpProvider

SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
SIG_KEY = "4dabf18193072939515e22adb298388d"


class FakeEngine(engine_pb2_grpc.EngineServicer):
    """The engine's logging service, recording what a plugin logs."""

    def __init__(self) -> None:
        self.logs: list[str] = []

    def Log(self, request: Any, context: Any) -> empty_pb2.Empty:
        self.logs.append(request.message)
        return empty_pb2.Empty()


def to_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(values)
    return struct


def from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct)


def engine_view(values: Any) -> Any:
    """What the engine sends a provider that does not accept secrets: secret values unwrapped."""
    if isinstance(values, dict):
        if values.get(SIG_KEY) == SECRET_SIG:
            return engine_view(values["value"])
        return {k: engine_view(v) for k, v in values.items()}
    if isinstance(values, list):
        return [engine_view(v) for v in values]
    return values


class DynamicProviderHost:
    """One `python -m pulumi.dynamic` process and a gRPC client for it."""

    def __init__(self, cwd: Path) -> None:
        self.engine = FakeEngine()
        self._engine_server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        engine_pb2_grpc.add_EngineServicer_to_server(self.engine, self._engine_server)
        engine_port = self._engine_server.add_insecure_port("127.0.0.1:0")
        self._engine_server.start()
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        env["PULUMI_PROJECT"] = "kfstack"
        # cwd is a scratch folder: the provider module must come from the installed package.
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic", f"127.0.0.1:{engine_port}"],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert self.process.stdout is not None
        first_line = self.process.stdout.readline().decode().strip()
        if not first_line.isdigit():
            self.close()
            raise RuntimeError(f"dynamic provider host did not print its port: {first_line!r}")
        self.port = int(first_line)
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self.stub = provider_pb2_grpc.ResourceProviderStub(self._channel)

    def close(self) -> str:
        """Stop the host; its stderr (for failure messages)."""
        if hasattr(self, "_channel"):
            self._channel.close()
        self.process.terminate()
        try:
            _, stderr = self.process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, stderr = self.process.communicate()
        self._engine_server.stop(0)
        return stderr.decode(errors="replace")

    # the engine's calls ----------------------------------------------------------------------
    def handshake(self) -> tuple[str, bool]:
        """GetPluginInfo + Configure, as the engine does first; (version, acceptSecrets)."""
        info = self.stub.GetPluginInfo(empty_pb2.Empty())
        configured = self.stub.Configure(
            provider_pb2.ConfigureRequest(args=to_struct({}), acceptSecrets=True, acceptResources=True)
        )
        return info.version, configured.acceptSecrets

    def check(self, urn: str, olds: dict[str, Any], news: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        response = self.stub.Check(
            provider_pb2.CheckRequest(urn=urn, olds=to_struct(olds), news=to_struct(news))
        )
        return from_struct(response.inputs), list(response.failures)

    def diff(self, urn: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return self.stub.Diff(
            provider_pb2.DiffRequest(id=id_, urn=urn, olds=to_struct(olds), news=to_struct(news))
        )

    def create(self, urn: str, properties: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        response = self.stub.Create(provider_pb2.CreateRequest(urn=urn, properties=to_struct(properties)))
        return response.id, from_struct(response.properties)

    def read(
        self, urn: str, id_: str, properties: dict[str, Any]
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        response = self.stub.Read(provider_pb2.ReadRequest(id=id_, urn=urn, properties=to_struct(properties)))
        return response.id, from_struct(response.properties), from_struct(response.inputs)

    def update(self, urn: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        response = self.stub.Update(
            provider_pb2.UpdateRequest(id=id_, urn=urn, olds=to_struct(olds), news=to_struct(news))
        )
        return from_struct(response.properties)

    def delete(self, urn: str, id_: str, properties: dict[str, Any]) -> None:
        self.stub.Delete(provider_pb2.DeleteRequest(id=id_, urn=urn, properties=to_struct(properties)))


def registered_inputs(provider: KfpProvider, inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs as a program registers them: plus `__provider`, serialised as pulumi.dynamic does."""
    return {**inputs, "__provider": serialize_provider(provider)}


def urn(type_name: str, name: str) -> str:
    return f"urn:pulumi:test::kfstack::pulumi-python:dynamic/kfp:{type_name}::{name}"


UNKNOWN = rpc.UNKNOWN
