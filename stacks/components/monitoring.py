"""Monitoring: kube-prometheus-stack (Prometheus, Alertmanager, Grafana behind the login at `/grafana/`),
what it scrapes beyond the chart's defaults (KServe predictors, the KFP API server), kfstack's alert rules
and dashboards.

Volumes: Prometheus and Alertmanager claim theirs through the chart's volumeClaimTemplates, which Pulumi
does not own and so cannot protect. Where the environment keeps its state (prod), those claims use a
StorageClass of their own with reclaimPolicy Retain, which each PV keeps from its provisioning: deleting
a claim, the release or the namespace leaves the EBS volume behind. Grafana's claim is created here,
protected and retained in prod.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from stacks.component_spec import ChartSource, ComponentSpec
from stacks.components.cluster import Cluster
from stacks.components.istio import Mesh
from stacks.components.storage import Storage
from stacks.context import StackContext

SPEC = ComponentSpec(
    name="monitoring",
    summary="kube-prometheus-stack: Prometheus, Alertmanager, Grafana at /grafana/, alerts and dashboards",
    key="monitoring",
    charts=(ChartSource("kube-prometheus-stack", pinned_by="monitoring"),),
    crd_groups=("monitoring.coreos.com",),
)

RETAINED_CLASS = "gp3-monitoring-retain"
"""The StorageClass of monitoring's claims where state is protected (EKS)."""
GRAFANA_ADMIN_PASSWORD_LENGTH = 32


@dataclass(frozen=True)
class MonitoringStack:
    """What the DCGM exporter needs: the namespace and the release that installs the CRDs."""

    release: pulumi.Resource
    namespace: str


def build_monitoring(
    stack: StackContext,
    cluster: Cluster,
    mesh: Mesh | None,
    storage: Storage,
    after: list[pulumi.Resource],
) -> MonitoringStack | None:
    """kube-prometheus-stack after `after` (the login), then its monitors, rules and dashboards."""
    config = stack.config
    if not config.components.enabled("monitoring"):
        return None
    assert mesh is not None  # the config requires Istio and oauth2-proxy
    from modules.alert_rules import AlertRules
    from modules.credentials import random_secret
    from modules.grafana_dashboards import GrafanaDashboards
    from modules.monitoring import (
        GRAFANA_PATH,
        MONITORING_NAMESPACE,
        Monitoring,
        MonitoringArgs,
        MonitoringStorage,
    )
    from modules.scrape_targets import ScrapeTargets, custom_resource_rules, custom_resource_state

    settings = config.components.monitoring
    opts = cluster.options()
    storage_class = storage.rwo_class
    if cluster.eks is not None and config.protect_stateful_resources:
        import pulumi_kubernetes as k8s

        from modules.storage_classes import gp3_storage_class

        manifest = gp3_storage_class(RETAINED_CLASS, False, "Retain")
        k8s.storage.v1.StorageClass(
            "monitoring-storage-class",
            metadata=manifest["metadata"],
            provisioner=manifest["provisioner"],
            parameters=manifest["parameters"],
            reclaim_policy=manifest["reclaimPolicy"],
            volume_binding_mode=manifest["volumeBindingMode"],
            allow_volume_expansion=manifest["allowVolumeExpansion"],
            # not protected, like the other classes: each PV keeps the reclaim policy it was made with
            opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=storage.ready)),
        )
        storage_class = RETAINED_CLASS
    password = random_secret("grafana-admin-password", GRAFANA_ADMIN_PASSWORD_LENGTH, opts)
    (chart,) = SPEC.charts
    monitoring = Monitoring(
        "monitoring",
        MonitoringArgs(
            chart=chart.pinned(config.components),
            mirror=config.images.mirror(),
            storage=MonitoringStorage(
                storage_class=storage_class,
                prometheus_size=settings.prometheus_storage,
                alertmanager_size=settings.alertmanager_storage,
                grafana_size=settings.grafana_storage,
                retention=settings.retention,
                retention_size=settings.retention_size,
            ),
            root_url=mesh.dashboard_url.rstrip("/") + GRAFANA_PATH,
            admins=tuple(settings.grafana_admins),
            admin_password=pulumi.Output.secret(password.result),
            custom_resource_state=custom_resource_state(),
            custom_resource_rules=custom_resource_rules(),
        ),
        opts=pulumi.ResourceOptions.merge(
            opts, pulumi.ResourceOptions(depends_on=[mesh.base, mesh.gateway_release, *storage.ready, *after])
        ),
        claim_options=stack.stateful,
    )
    after_release = pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(depends_on=[monitoring.release])
    )
    ScrapeTargets("monitoring-targets", opts=after_release)
    AlertRules("kfstack-alerts", opts=after_release)
    gpu = any(pool.gpu for pool in config.node_pools.values())
    GrafanaDashboards(
        "grafana-dashboards",
        gpu=gpu,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[monitoring.namespace])),
    )
    pulumi.export("grafanaUrl", mesh.dashboard_url.rstrip("/") + GRAFANA_PATH)
    return MonitoringStack(monitoring.release, MONITORING_NAMESPACE)
