"""STRICT mutual TLS in `kubeflow` (sidecar-injected), with PERMISSIVE ports exactly where clients
without a sidecar must reach an injected Kubeflow Pipelines pod (kubeflow/manifests 26.03):

- the API server (no sidecar) calls KFP's cache webhook `cache-webhook-kubeflow` on cache-server:8443;
- `metadata-envoy` (`sidecar.istio.io/inject: "false"`) proxies the UI's gRPC-web to metadata-grpc:8080;
- the pipelines profile controller (no sidecar) creates each profile's SeaweedFS key through the IAM
  API (`AWS_ENDPOINT_URL` :8111) and sets the bucket's lifecycle through S3 (`S3_ENDPOINT_URL` :8333);
- pipeline pods that opt out of the sidecar call the KFP API (8887 gRPC, 8888 HTTP); their other two
  services are already listed (metadata-grpc 8080, the object store's 9000 -> SeaweedFS 8333).

The mesh itself stays PERMISSIVE (no policy in the root namespace istio-system): profile namespaces
(created by the profile controller, injected) and namespaces kfstack does not own keep Istio's default.
The PodDefault webhook and the pipelines profile controller's sync hook need nothing: their pods have
no sidecar, so no PeerAuthentication applies to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ComponentSpec
from stacks.components.cluster import Cluster
from stacks.context import StackContext

if TYPE_CHECKING:
    import pulumi_kubernetes as k8s

    from modules.mesh_mtls import PlaintextPorts
    from stacks.components.istio import Mesh

NAMESPACE = "kubeflow"

SPEC = ComponentSpec(
    name="kubeflow-mtls",
    summary="STRICT mTLS in kubeflow; PERMISSIVE on the KFP ports sidecar-less clients call",
)


def pipelines_exceptions() -> tuple[PlaintextPorts, ...]:
    """KFP's pods that clients without a sidecar call, by their pod labels and container ports."""
    from modules.mesh_mtls import PlaintextPorts

    return (
        PlaintextPorts(
            "cache-server-webhook",
            {"app": "cache-server"},
            (8443,),
            "the Kubernetes API server calls the cache-webhook-kubeflow admission webhook",
        ),
        PlaintextPorts(
            "metadata-grpc-from-envoy",
            {"component": "metadata-grpc-server"},
            (8080,),
            "metadata-envoy (no sidecar) proxies gRPC-web to metadata-grpc-service:8080; "
            "pipeline pods without a sidecar read and write metadata here",
        ),
        PlaintextPorts(
            "seaweedfs-from-profile-controller",
            {"app": "seaweedfs"},
            (8111, 8333),
            "the pipelines profile controller (no sidecar) calls SeaweedFS's IAM (8111) and S3 (8333) APIs; "
            "pipeline pods without a sidecar use S3 through seaweedfs:9000 (8333)",
        ),
        PlaintextPorts(
            "ml-pipeline-from-pipeline-pods",
            {"app": "ml-pipeline"},
            (8887, 8888),
            "pipeline pods without a sidecar call the KFP API (gRPC 8887, HTTP 8888); the API "
            "authenticates them by their ServiceAccount token",
        ),
    )


def build_kubeflow_mtls(
    stack: StackContext,
    cluster: Cluster,
    mesh: Mesh | None,
    namespaces: Mapping[str, k8s.core.v1.Namespace],
) -> pulumi.Resource | None:
    """The `kubeflow` namespace's PeerAuthentications; None without Istio or without any Kubeflow part."""
    from stacks.components.kubeflow_roles import KUBEFLOW_PARTS

    components = stack.config.components
    if mesh is None or not any(components.enabled(key) for key in KUBEFLOW_PARTS):
        return None
    from modules.mesh_mtls import MeshMtls, MeshMtlsArgs

    exceptions = pipelines_exceptions() if components.enabled("kubeflowPipelines") else ()
    return MeshMtls(
        "kubeflow-mtls",
        MeshMtlsArgs(NAMESPACE, exceptions),
        opts=pulumi.ResourceOptions.merge(
            cluster.options(), pulumi.ResourceOptions(depends_on=[mesh.base, namespaces[NAMESPACE]])
        ),
    )
