"""Determined (determined-ai/determined 0.38.1, the last release; upstream unmaintained since 2025-03):
its namespace, the Helm release with the chart's own PostgreSQL, one resource pool per GPU node pool,
and network policies that keep the master to its gateway (`modules/determined_gateway.py`) and the
namespace, and the database to the master.

The chart takes both credentials only as plain values (`db.password`, `initialUserPassword`): it writes
them into the master's config Secret and the database Deployment's environment, and Helm keeps the values
in its release Secret. kfstack passes them as Pulumi secrets, so plans and previews show `[secret]`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from modules.determined_gateway import DETERMINED_GATEWAY_LABELS
from modules.gpu import PoolPlacement
from modules.helm import HelmChart, helm_release
from modules.images import ImageMirror
from modules.kubeflow_gateway import gateway_ingress_policy
from modules.options import child_options

DETERMINED_NAMESPACE = "determined"
RELEASE_NAME = "determined"
MASTER_PORT = 8080
MASTER_CONTAINER_PORT = 8081
"""The chart's master listens on 8081 (`determined.masterPort`); its Service maps MASTER_PORT to it."""
MASTER_SERVICE = f"determined-master-service-{RELEASE_NAME}"
"""The chart names every object `determined-<part>-<release>`."""
MASTER_HOST = f"{MASTER_SERVICE}.{DETERMINED_NAMESPACE}.svc.cluster.local"
MASTER_POD_LABELS = {"app": f"determined-master-{RELEASE_NAME}"}
DB_POD_LABELS = {"app": f"determined-db-{RELEASE_NAME}"}
DB_PORT = 5432
AUX_POOL = "default"
"""The CPU pool for auxiliary tasks (TensorBoards, CPU notebooks, zero-slot commands)."""

MASTER_IMAGE = "docker.io/determinedai/determined-master"
TASK_IMAGE = "docker.io/determinedai/pytorch-ngc"
"""The chart's default CPU and GPU task image (defaultImages.cpuImage/gpuImage), tagged as the release."""
ROCM_TASK_IMAGE = "docker.io/determinedai/environments:rocm-5.6-pytorch-1.3-tf-2.10-rocm-mpich-0736b6d"
POSTGRES_IMAGE = "docker.io/library/postgres:16.9"
"""The chart defaults to postgres:10.14 (end of life since 2022); Determined asks for 13 or later."""
KUBE_SCHEDULER_IMAGE = "k8s.gcr.io/scheduler-plugins/kube-scheduler:v0.18.9"
"""Only run with `defaultScheduler: coscheduler` (kfstack leaves it off); mirrored all the same."""


@dataclass(frozen=True)
class DeterminedImages:
    """Every image the chart runs or configures for the pods it starts, as pulled."""

    master_registry: str
    """The chart's `imageRegistry`: where `determined-master:<version>` is pulled from."""
    task: str
    rocm_task: str
    postgres: str
    kube_scheduler: str


def determined_images(mirror: ImageMirror, version: str) -> DeterminedImages:
    """The images of Determined `version`, rewritten by `mirror`."""
    master = mirror.image(f"{MASTER_IMAGE}:{version}")
    owner = master.repository.rpartition("/")[0]
    return DeterminedImages(
        master_registry=f"{master.registry}/{owner}",
        task=mirror(f"{TASK_IMAGE}:{version}"),
        rocm_task=mirror(ROCM_TASK_IMAGE),
        postgres=mirror(POSTGRES_IMAGE),
        kube_scheduler=mirror(KUBE_SCHEDULER_IMAGE),
    )


def placement_pod_spec(placement: PoolPlacement) -> dict[str, Any]:
    """A Determined custom pod spec that lands task pods on one node pool."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "spec": {"nodeSelector": dict(placement.node_selector), "tolerations": list(placement.tolerations)},
    }


def resource_pools(gpu_pools: Mapping[str, PoolPlacement]) -> list[dict[str, Any]]:
    """Determined's `resource_pools`: AUX_POOL on untainted nodes, then one pool per GPU node pool whose
    task pods (GPU and CPU) carry that pool's node selector and tolerations."""
    pools: list[dict[str, Any]] = [
        {"pool_name": AUX_POOL, "description": "CPU tasks on the untainted (system) nodes"}
    ]
    for name, placement in gpu_pools.items():
        spec = placement_pod_spec(placement)
        pools.append(
            {
                "pool_name": name,
                "description": f"GPU node pool {name}",
                "task_container_defaults": {"gpu_pod_spec": spec, "cpu_pod_spec": spec},
            }
        )
    return pools


@dataclass(frozen=True)
class DeterminedArgs:
    """Chart, images, pools and database settings as the config validated them."""

    chart: HelmChart
    version: str
    images: DeterminedImages
    gpu_pools: Mapping[str, PoolPlacement]
    max_slots_per_pod: int
    cluster_name: str
    storage_class: str
    db_storage_size: str
    db_password: pulumi.Input[str]
    initial_user_password: pulumi.Input[str]


def determined_values(args: DeterminedArgs) -> dict[str, Any]:
    """Helm values: mirrored images, the pools, the chart's PostgreSQL on `storage_class`, no telemetry.

    The master Service is a NodePort (the chart offers LoadBalancer or NodePort, never ClusterIP): no
    cloud load balancer, and master_policy() keeps what reaches the pods to the Determined gateway and
    the namespace.
    """
    images = args.images
    task_images = {"cpuImage": images.task, "gpuImage": images.task}
    return {
        "imageRegistry": images.master_registry,
        "detVersion": args.version,
        "defaultImages": {
            "postgreSQL": images.postgres,
            "kubeScheduler": images.kube_scheduler,
            **task_images,
            "rocmImage": images.rocm_task,
        },
        "taskContainerDefaults": dict(task_images),
        "useNodePortForMaster": True,
        "masterCpuRequest": "500m",
        "masterMemRequest": "1Gi",
        "maxSlotsPerPod": args.max_slots_per_pod,
        "initialUserPassword": pulumi.Output.secret(args.initial_user_password),
        "db": {
            "name": "determined",
            "user": "determined",
            "password": pulumi.Output.secret(args.db_password),
            "port": DB_PORT,
            "storageSize": args.db_storage_size,
            "storageClassName": args.storage_class,
            "cpuRequest": "250m",
            "memRequest": "1Gi",
        },
        "resourcePools": resource_pools(args.gpu_pools),
        "defaultAuxResourcePool": AUX_POOL,
        "defaultComputeResourcePool": next(iter(args.gpu_pools), AUX_POOL),
        "resourceManager": {"defaultNamespace": DETERMINED_NAMESPACE, "clusterName": args.cluster_name},
        "telemetry": {"enabled": False},
    }


def master_policy() -> dict[str, Any]:
    """NetworkPolicy spec: only the Determined gateway (behind the login) and pods of the namespace
    (Determined's task pods) reach the master. Node-port traffic comes from node addresses, which no
    peer here selects."""
    return gateway_ingress_policy(
        MASTER_POD_LABELS,
        MASTER_CONTAINER_PORT,
        also_from=[{"podSelector": {}}],
        gateway_app=DETERMINED_GATEWAY_LABELS["app"],
    )


def db_policy() -> dict[str, Any]:
    """NetworkPolicy spec: only the master reaches PostgreSQL."""
    return {
        "podSelector": {"matchLabels": dict(DB_POD_LABELS)},
        "ingress": [
            {
                "from": [{"podSelector": {"matchLabels": dict(MASTER_POD_LABELS)}}],
                "ports": [{"port": DB_PORT, "protocol": "TCP"}],
            }
        ],
        "policyTypes": ["Ingress"],
    }


def task_policy() -> dict[str, Any]:
    """NetworkPolicy spec: every other pod of the namespace (tasks) is reached only from the namespace
    (distributed training between a task's pods, the master proxying notebooks and TensorBoards)."""
    return {
        "podSelector": {"matchExpressions": [{"key": "determined-system", "operator": "DoesNotExist"}]},
        "ingress": [{"from": [{"podSelector": {}}]}],
        "policyTypes": ["Ingress"],
    }


class Determined(pulumi.ComponentResource):
    """Determined in DETERMINED_NAMESPACE. `release_opts` are merged into the release's options (e.g.
    protect and retain in prod, since the release owns the database volume)."""

    namespace: k8s.core.v1.Namespace
    release: k8s.helm.v3.Release

    def __init__(
        self,
        name: str,
        args: DeterminedArgs,
        opts: pulumi.ResourceOptions | None = None,
        release_opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("kfstack:determined:Determined", name, None, opts)
        child = child_options(self, opts)
        self.namespace = k8s.core.v1.Namespace(
            f"ns-{DETERMINED_NAMESPACE}",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=DETERMINED_NAMESPACE),
            opts=child,
        )
        in_namespace = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=[self.namespace])
        )
        policies: Sequence[tuple[str, dict[str, Any]]] = (
            ("master", master_policy()),
            ("db", db_policy()),
            ("tasks", task_policy()),
        )
        for part, spec in policies:
            k8s.networking.v1.NetworkPolicy(
                f"{name}-{part}-ingress",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=f"determined-{part}-ingress", namespace=DETERMINED_NAMESPACE
                ),
                spec=cast(Any, spec),
                opts=in_namespace,
            )
        self.release = helm_release(
            name,
            args.chart,
            DETERMINED_NAMESPACE,
            determined_values(args),
            pulumi.ResourceOptions.merge(in_namespace, release_opts),
            release_name=RELEASE_NAME,
        )
        self.register_outputs({})
