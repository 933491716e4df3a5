"""kube-prometheus-stack in `monitoring`: Prometheus, Alertmanager and Grafana on system nodes, Grafana
behind the Kubeflow login at `/grafana/` (Istio's `kubeflow-userid` header through Grafana's auth proxy),
its admin password generated into a Secret, and every image pulled through the configured mirror."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from modules.helm import HelmChart, helm_release
from modules.images import ImageMirror, ImageRef
from modules.kubeflow_gateway import GATEWAY_REF, gateway_ingress_policy
from modules.options import child_options
from modules.vocabulary import GPU_PRESENT_LABEL

MONITORING_NAMESPACE = "monitoring"
RELEASE_NAME = "monitoring"
GRAFANA_PATH = "/grafana/"
GRAFANA_SERVICE = f"{RELEASE_NAME}-grafana"
GRAFANA_PORT = 80
GRAFANA_CONTAINER_PORT = 3000
GRAFANA_POD_LABELS = {"app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": RELEASE_NAME}
GRAFANA_ADMIN_SECRET = "grafana-admin"
GRAFANA_CLAIM = "grafana"
USER_HEADER = "kubeflow-userid"
"""Set by Istio at the gateway from the verified Dex token (modules/mesh_auth.py)."""
ROLE_HEADER = "X-Grafana-Role"
"""Set by Grafana's VirtualService to `Admin` for the configured admins, removed for everyone else."""
DASHBOARD_LABEL = "grafana_dashboard"
DASHBOARD_LABEL_VALUE = "1"
PROMETHEUS_DATASOURCE_UID = "prometheus"
"""The uid of the Prometheus datasource the chart provisions (grafana.sidecar.datasources.uid)."""

# Images of kube-prometheus-stack 88.5.3 and its subcharts (their values.yaml defaults); each is set
# explicitly so the mirror applies per source registry (global.imageRegistry would drop the source).
PROMETHEUS_IMAGE = "quay.io/prometheus/prometheus:v3.14.0-distroless"
ALERTMANAGER_IMAGE = "quay.io/prometheus/alertmanager:v0.34.0"
OPERATOR_IMAGE = "quay.io/prometheus-operator/prometheus-operator:v0.93.1"
CONFIG_RELOADER_IMAGE = "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.1"
THANOS_IMAGE = "quay.io/thanos/thanos:v0.42.4"
WEBHOOK_CERTGEN_IMAGE = "ghcr.io/jkroepke/kube-webhook-certgen:1.8.7"
GRAFANA_IMAGE = "docker.io/grafana/grafana:13.2.0"
GRAFANA_SIDECAR_IMAGE = "quay.io/kiwigrid/k8s-sidecar:2.10.1"
BUSYBOX_IMAGE = "docker.io/library/busybox:1.38.0"
KUBE_STATE_METRICS_IMAGE = "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0"
NODE_EXPORTER_IMAGE = "quay.io/prometheus/node-exporter:v1.12.1-distroless"

NOT_ON_GPU_NODES = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {"matchExpressions": [{"key": GPU_PRESENT_LABEL, "operator": "NotIn", "values": ["true"]}]}
            ]
        }
    }
}
"""Affinity keeping a pod off GPU nodes (also matches nodes without the label: system pools, kind)."""


def chart_image(ref: ImageRef) -> dict[str, str]:
    """`registry`/`repository`/`tag` as these charts take an image."""
    return {"registry": ref.registry, "repository": ref.repository, "tag": ref.version}


@dataclass(frozen=True)
class MonitoringStorage:
    """Volume sizes, the class their claims use, and Prometheus' retention."""

    storage_class: str
    prometheus_size: str
    alertmanager_size: str
    grafana_size: str
    retention: str
    retention_size: str


def _claim_template(storage_class: str, size: str) -> dict[str, Any]:
    return {
        "volumeClaimTemplate": {
            "spec": {
                "storageClassName": storage_class,
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": size}},
            }
        }
    }


def grafana_ini(root_url: str) -> dict[str, Any]:
    """grafana.ini: served under GRAFANA_PATH, users from the gateway's header, no anonymous or form login.

    Grafana's auth proxy (grafana.com/docs auth-proxy) signs users up on first visit; `headers` syncs
    the role from ROLE_HEADER, which only Grafana's VirtualService sets.
    """
    return {
        "server": {"root_url": root_url, "serve_from_sub_path": True},
        "auth": {"disable_login_form": True, "disable_signout_menu": True},
        "auth.anonymous": {"enabled": False},
        "auth.basic": {"enabled": False},
        "auth.proxy": {
            "enabled": True,
            "header_name": USER_HEADER,
            "header_property": "username",
            "headers": f"Email:{USER_HEADER} Role:{ROLE_HEADER}",
            "auto_sign_up": True,
            "enable_login_token": False,
        },
        "users": {"allow_sign_up": False, "auto_assign_org": True, "auto_assign_org_role": "Viewer"},
        "analytics": {"reporting_enabled": False, "check_for_updates": False},
    }


def monitoring_values(
    mirror: ImageMirror,
    storage: MonitoringStorage,
    root_url: str,
    custom_resource_state: dict[str, Any],
    custom_resource_rules: list[dict[str, Any]],
) -> dict[str, Any]:
    """Helm values of kube-prometheus-stack 88.5.3 (holds no secret: the admin password is a Secret)."""
    image = mirror.image
    placement = {"affinity": NOT_ON_GPU_NODES}
    return {
        "crds": {"enabled": True},
        "prometheusOperator": {
            **placement,
            "image": chart_image(image(OPERATOR_IMAGE)),
            "prometheusConfigReloader": {"image": chart_image(image(CONFIG_RELOADER_IMAGE))},
            "thanosImage": chart_image(image(THANOS_IMAGE)),
            "admissionWebhooks": {"patch": {**placement, "image": chart_image(image(WEBHOOK_CERTGEN_IMAGE))}},
        },
        "prometheus": {
            "prometheusSpec": {
                **placement,
                "image": chart_image(image(PROMETHEUS_IMAGE)),
                "retention": storage.retention,
                "retentionSize": storage.retention_size,
                "storageSpec": _claim_template(storage.storage_class, storage.prometheus_size),
                # select monitors and rules of every namespace and release, not only this chart's
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "podMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
                "probeSelectorNilUsesHelmValues": False,
                "scrapeConfigSelectorNilUsesHelmValues": False,
            }
        },
        "alertmanager": {
            "alertmanagerSpec": {
                **placement,
                "image": chart_image(image(ALERTMANAGER_IMAGE)),
                "storage": _claim_template(storage.storage_class, storage.alertmanager_size),
            }
        },
        "grafana": {
            **placement,
            "image": chart_image(image(GRAFANA_IMAGE)),
            "admin": {
                "existingSecret": GRAFANA_ADMIN_SECRET,
                "userKey": "admin-user",
                "passwordKey": "admin-password",
            },
            "grafana.ini": grafana_ini(root_url),
            "persistence": {"enabled": True, "type": "pvc", "existingClaim": GRAFANA_CLAIM},
            # a ReadWriteOnce volume: the old pod must let go of it before the new one starts
            "deploymentStrategy": {"type": "Recreate"},
            "initChownData": {"image": chart_image(image(BUSYBOX_IMAGE))},
            "sidecar": {
                "image": chart_image(image(GRAFANA_SIDECAR_IMAGE)),
                "dashboards": {
                    "label": DASHBOARD_LABEL,
                    "labelValue": DASHBOARD_LABEL_VALUE,
                    "searchNamespace": "ALL",
                },
            },
            "testFramework": {"enabled": False},
        },
        "kube-state-metrics": {
            **placement,
            "image": chart_image(image(KUBE_STATE_METRICS_IMAGE)),
            "customResourceState": {"enabled": True, "config": custom_resource_state},
            "rbac": {"extraRules": custom_resource_rules},
        },
        # the tag names the distroless variant itself: no second `-distroless` suffix from the chart
        "prometheus-node-exporter": {
            "image": {**chart_image(image(NODE_EXPORTER_IMAGE)), "distroless": False}
        },
    }


def grafana_route(admins: Sequence[str]) -> dict[str, Any]:
    """VirtualService spec: GRAFANA_PATH on the Kubeflow gateway to Grafana, Admin role for `admins`.

    Matching `@request.auth.claims.email` is Istio's JWT-claim routing (ingress gateways only): the
    route is chosen after the Dex token is verified. Every other request loses a client-sent ROLE_HEADER.
    """
    destination = [
        {
            "destination": {
                "host": f"{GRAFANA_SERVICE}.{MONITORING_NAMESPACE}.svc.cluster.local",
                "port": {"number": GRAFANA_PORT},
            }
        }
    ]
    http: list[dict[str, Any]] = []
    if admins:
        http.append(
            {
                "name": "grafana-admins",
                "match": [
                    {
                        "uri": {"prefix": GRAFANA_PATH},
                        "headers": {"@request.auth.claims.email": {"exact": email}},
                    }
                    for email in admins
                ],
                "headers": {"request": {"set": {ROLE_HEADER: "Admin"}}},
                "route": destination,
            }
        )
    http.append(
        {
            "name": "grafana",
            "match": [{"uri": {"prefix": GRAFANA_PATH}}],
            "headers": {"request": {"remove": [ROLE_HEADER]}},
            "route": destination,
        }
    )
    return {"gateways": [GATEWAY_REF], "hosts": ["*"], "http": http}


def grafana_gateway_only_policy() -> dict[str, Any]:
    """NetworkPolicy spec: only the ingress gateway reaches Grafana, which trusts its USER_HEADER."""
    return gateway_ingress_policy(GRAFANA_POD_LABELS, GRAFANA_CONTAINER_PORT)


@dataclass(frozen=True)
class MonitoringArgs:
    """Chart, mirror, storage, Grafana's URL and admins, the generated admin password, and the CRs
    (monitors, rules, dashboards) to create once the chart installed the monitoring.coreos.com CRDs."""

    chart: HelmChart
    mirror: ImageMirror
    storage: MonitoringStorage
    root_url: str
    admins: tuple[str, ...]
    admin_password: pulumi.Input[str]
    custom_resource_state: dict[str, Any]
    custom_resource_rules: list[dict[str, Any]]


class Monitoring(pulumi.ComponentResource):
    """kube-prometheus-stack and Grafana's route. `claim_options` wraps the Grafana claim's options
    (the caller protects it in prod). Pass in `opts.depends_on` what installs the Istio CRDs."""

    namespace: k8s.core.v1.Namespace
    release: k8s.helm.v3.Release

    def __init__(
        self,
        name: str,
        args: MonitoringArgs,
        opts: pulumi.ResourceOptions | None = None,
        claim_options: Callable[[pulumi.ResourceOptions], pulumi.ResourceOptions] = lambda o: o,
    ) -> None:
        super().__init__("kfstack:monitoring:Monitoring", name, None, opts)
        child = child_options(self, opts)
        # node-exporter needs the host's network and PID namespace: no restricted Pod Security here
        self.namespace = k8s.core.v1.Namespace(
            f"ns-{MONITORING_NAMESPACE}",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=MONITORING_NAMESPACE),
            opts=child,
        )
        in_namespace = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=[self.namespace])
        )
        admin = k8s.core.v1.Secret(
            f"{name}-grafana-admin",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=GRAFANA_ADMIN_SECRET, namespace=MONITORING_NAMESPACE),
            type="Opaque",
            string_data={"admin-user": "admin", "admin-password": pulumi.Output.secret(args.admin_password)},
            opts=in_namespace,
        )
        claim = k8s.core.v1.PersistentVolumeClaim(
            f"{name}-grafana-data",
            # the class binds on first consumer: without skipAwait the claim would wait for Grafana,
            # which waits for the release, which waits for the claim
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=GRAFANA_CLAIM,
                namespace=MONITORING_NAMESPACE,
                annotations={"pulumi.com/skipAwait": "true"},
            ),
            spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                access_modes=["ReadWriteOnce"],
                storage_class_name=args.storage.storage_class,
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(
                    requests={"storage": args.storage.grafana_size}
                ),
            ),
            opts=claim_options(in_namespace),
        )
        self.release = helm_release(
            name,
            args.chart,
            MONITORING_NAMESPACE,
            monitoring_values(
                args.mirror,
                args.storage,
                args.root_url,
                args.custom_resource_state,
                args.custom_resource_rules,
            ),
            pulumi.ResourceOptions.merge(in_namespace, pulumi.ResourceOptions(depends_on=[admin, claim])),
            release_name=RELEASE_NAME,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-grafana-route",
            api_version="networking.istio.io/v1",
            kind="VirtualService",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="grafana", namespace=MONITORING_NAMESPACE),
            spec=grafana_route(args.admins),
            opts=in_namespace,
        )
        k8s.networking.v1.NetworkPolicy(
            f"{name}-grafana-gateway-only",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="grafana-gateway-only", namespace=MONITORING_NAMESPACE),
            spec=cast(Any, grafana_gateway_only_policy()),
            opts=in_namespace,
        )
        self.register_outputs({})
