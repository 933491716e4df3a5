"""Mutual TLS per namespace: the specs validate against Istio's CRD schema, exceptions are STRICT but on
their ports, carry their reason, and exist before the namespace turns STRICT."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pulumi
import pulumi_kubernetes as k8s
import pytest

from modules.mesh_mtls import (
    REASON_ANNOTATION,
    MeshMtls,
    MeshMtlsArgs,
    PlaintextPorts,
    exception_spec,
    strict_spec,
)

PEER_AUTHENTICATION = "kubernetes:security.istio.io/v1:PeerAuthentication"
WEBHOOK = PlaintextPorts("webhook", {"app": "webhook"}, (8443,), "the API server calls it")


def _schema(crd_dir: Path) -> dict:
    return json.loads((crd_dir / "security.istio.io" / "PeerAuthentication_v1.json").read_text())[
        "openAPIV3Schema"
    ]


def test_specs_validate_against_the_crd_schema(crd_dir: Path) -> None:
    schema = _schema(crd_dir)
    for spec in (strict_spec(), exception_spec(WEBHOOK)):
        jsonschema.validate(
            {"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "spec": spec}, schema
        )
    with pytest.raises(jsonschema.ValidationError):  # the schema is strict enough to catch a bad mode
        jsonschema.validate({"spec": {"mtls": {"mode": "SOMETIMES"}}}, schema)


def test_an_exception_is_strict_but_on_its_ports() -> None:
    spec = exception_spec(PlaintextPorts("s3", {"app": "seaweedfs"}, (8111, 8333), "why"))
    assert spec == {
        "selector": {"matchLabels": {"app": "seaweedfs"}},
        "mtls": {"mode": "STRICT"},
        "portLevelMtls": {"8111": {"mode": "PERMISSIVE"}, "8333": {"mode": "PERMISSIVE"}},
    }
    with pytest.raises(ValueError, match="s3: no ports"):
        exception_spec(PlaintextPorts("s3", {"app": "seaweedfs"}, (), "why"))


def test_the_namespace_turns_strict_after_its_exceptions_and_the_crds(record) -> None:
    def program() -> None:
        provider = k8s.Provider("k8s", kubeconfig="/dev/null", context="t")
        crds = k8s.helm.v3.Release("istio-base", chart="base", opts=pulumi.ResourceOptions(provider=provider))
        MeshMtls(
            "mtls",
            MeshMtlsArgs("kubeflow", (WEBHOOK,)),
            opts=pulumi.ResourceOptions(provider=provider, depends_on=[crds]),
        )

    recording = record(program)
    base = recording.named("istio-base")
    strict, webhook = recording.named("mtls-strict"), recording.named("mtls-webhook")
    assert strict.inputs["metadata"] == {"name": "default", "namespace": "kubeflow"}
    assert strict.inputs["spec"] == {"mtls": {"mode": "STRICT"}}
    assert webhook.inputs["metadata"] == {
        "name": "webhook",
        "namespace": "kubeflow",
        "annotations": {REASON_ANNOTATION: "the API server calls it"},
    }
    assert base.urn in strict.dependencies and base.urn in webhook.dependencies
    assert webhook.urn in strict.dependencies
    assert len(recording.find(PEER_AUTHENTICATION)) == 2
