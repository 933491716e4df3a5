"""Determined (optional, off by default; upstream unmaintained since 2025-03): resource pools mapped to
the GPU node pools, its PostgreSQL on the cluster's ReadWriteOnce class, generated database password,
and its own Istio ingress gateway behind the Kubeflow login."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.istio import SPEC as ISTIO_SPEC
from stacks.components.istio import Mesh, gateway_service
from stacks.components.storage import Storage
from stacks.config.environment import EnvironmentConfig
from stacks.config.instance_types import gpu_instance
from stacks.context import StackContext

if TYPE_CHECKING:
    from modules.gpu import PoolPlacement

SPEC = ComponentSpec(
    name="determined",
    summary="Determined master and PostgreSQL, one resource pool per GPU node pool (unmaintained upstream)",
    key="determined",
    charts=(ChartSource("determined", pinned_by="determined"),),
)

DB_PASSWORD_LENGTH = 32
LOCAL_PORT = 8090
"""The local port of the Determined gateway's port-forward (the Kubeflow gateway's is 8080)."""


def login_gateway_apps(config: EnvironmentConfig) -> tuple[str, ...]:
    """The `app` labels of the ingress gateways besides the Kubeflow one that serve the login (route
    `/dex/`, `/oauth2/` and call oauth2-proxy): the Determined gateway's when Determined is on."""
    if not config.components.enabled("determined"):
        return ()
    from modules.determined_gateway import DETERMINED_GATEWAY_LABELS

    return (DETERMINED_GATEWAY_LABELS["app"],)


def max_slots_per_pod(config: EnvironmentConfig) -> int:
    """`maxSlotsPerPod`: the configured value, else the GPU count every GPU instance type divides into
    (the greatest common divisor, as the chart advises for mixed node sizes); 1 when GPUs are
    time-sliced (one shared GPU per pod) or a pool lists a type kfstack does not know."""
    configured = config.components.determined.max_slots_per_pod
    if configured is not None:
        return configured
    if config.components.nvidia_device_plugin.time_slicing_replicas > 1:
        return 1
    counts = []
    for pool in config.node_pools.values():
        if not pool.gpu:
            continue
        for instance_type in pool.instance_types:
            known = gpu_instance(instance_type)
            if known is None:
                return 1
            counts.append(known.gpus)
    return math.gcd(*counts) if counts else 1


def build_determined(
    stack: StackContext,
    cluster: Cluster,
    storage: Storage,
    placements: Mapping[str, PoolPlacement],
    mesh: Mesh | None,
    after: Sequence[pulumi.Resource],
) -> pulumi.Resource | None:
    """Determined and its gateway after `after` (node pools, oauth2-proxy) and the storage; returns
    the release (None when off)."""
    config = stack.config
    components = config.components
    if not components.enabled("determined"):
        return None
    password = components.determined.initial_user_password
    # the config requires a password, a GPU pool, Istio and oauth2-proxy when Determined is on
    assert password is not None and placements and mesh is not None
    from modules.credentials import random_secret
    from modules.determined import Determined, DeterminedArgs, determined_images

    opts = pulumi.ResourceOptions.merge(
        cluster.options(), pulumi.ResourceOptions(depends_on=[*after, *storage.ready])
    )
    # PostgreSQL takes the password only when it initialises its volume: keep it as long as the volume
    db_password = random_secret("determined-db-password", DB_PASSWORD_LENGTH, stack.stateful(opts))
    (chart,) = SPEC.charts
    version = components.pin("determined").app_version
    determined = Determined(
        "determined",
        DeterminedArgs(
            chart=chart.pinned(components),
            version=version,
            images=determined_images(config.images.mirror(), version),
            gpu_pools=placements,
            max_slots_per_pod=max_slots_per_pod(config),
            cluster_name=stack.cluster_name,
            storage_class=storage.rwo_class,
            db_storage_size=components.determined.db_storage_size,
            db_password=db_password.result,
            initial_user_password=password.as_output(),
        ),
        opts=opts,
        # the release owns the database's PersistentVolumeClaim (the chart always renders its own)
        release_opts=stack.stateful(),
    )
    _build_gateway(stack, cluster, mesh, [determined.namespace, *after])
    return determined.release


def _build_gateway(
    stack: StackContext, cluster: Cluster, mesh: Mesh, after: Sequence[pulumi.Resource]
) -> None:
    """Determined's ingress gateway, its certificate, route and session check; exports how to reach it."""
    from modules.determined import DETERMINED_NAMESPACE, MASTER_HOST, MASTER_PORT
    from modules.determined_gateway import (
        DETERMINED_GATEWAY_RELEASE,
        DeterminedGateway,
        DeterminedGatewayArgs,
    )

    config = stack.config
    tls = config.gateway.tls
    hostname = config.components.determined.hostname
    service_type, annotations = gateway_service(stack)
    gateway_chart = next(chart for chart in ISTIO_SPEC.charts if chart.name == "gateway")
    issuer = [mesh.issuer] if mesh.issuer is not None else []
    DeterminedGateway(
        "determined-gateway",
        DeterminedGatewayArgs(
            chart=gateway_chart.pinned(config.components),
            service_type=service_type,
            service_annotations=annotations,
            hostname=hostname,
            namespace=DETERMINED_NAMESPACE,
            master_host=MASTER_HOST,
            master_port=MASTER_PORT,
            issuer_name=mesh.issuer_name,
            existing_secret=config.components.determined.tls_secret_name,
            acme=tls.mode == "acme",
        ),
        opts=pulumi.ResourceOptions.merge(
            cluster.options(),
            pulumi.ResourceOptions(
                depends_on=[
                    mesh.base,
                    mesh.istiod_release,
                    mesh.gateway_release,
                    mesh.namespace,
                    *issuer,
                    *after,
                ]
            ),
        ),
    )
    if service_type == "ClusterIP":
        context = f"--context {cluster.context} " if cluster.context else ""
        pulumi.export(
            "determinedPortForward",
            f"kubectl {context}-n istio-system port-forward svc/{DETERMINED_GATEWAY_RELEASE} {LOCAL_PORT}:80",
        )
    url = f"https://{hostname}/det/" if hostname else f"http://localhost:{LOCAL_PORT}/det/"
    pulumi.export("determinedUrl", url)
