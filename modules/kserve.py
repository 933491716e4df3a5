"""KServe: the CRD chart, the controller chart (kserve/kserve `charts/kserve-resources`) configured for
the Kubeflow gateway, its default ClusterServingRuntimes with every image through the image mirror, and
the serving namespace the pipelines deploy InferenceServices to (model-server account, deploy Role)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from modules.helm import HelmChart, helm_release
from modules.images import ImageMirror, ImageRef
from modules.kubeflow_gateway import GATEWAY_REF, ISTIO_INGRESS_CLASS
from modules.options import child_options
from modules.vocabulary import MODEL_SERVER_ACCOUNT, KServeDeploymentMode

KSERVE_NAMESPACE = "kserve"
"""Where the controller, its webhooks and their cert-manager Issuer live (not a serving namespace)."""
DEPLOYER_ROLE = "kfstack-inferenceservice-deployer"
"""The Role the pipeline runner gets in the serving namespace."""
DEFAULT_DOMAIN = "example.com"
"""The chart's ingress domain, kept when the gateway has no hostname (local: send a Host header)."""
DOMAIN_TEMPLATE = "{{ .Name }}-{{ .Namespace }}.{{ .IngressDomain }}"
"""The chart's default host of an InferenceService in Standard mode."""
KNATIVE_LOCAL_GATEWAY = "knative-serving/knative-local-gateway"
KNATIVE_LOCAL_GATEWAY_SERVICE = "knative-local-gateway.istio-system.svc.cluster.local"
"""Knative's in-cluster gateway (kubeflow/manifests common/knative overlays/gateways)."""

S3_REGION_ANNOTATION = "serving.kserve.io/s3-region"
S3_HTTPS_ANNOTATION = "serving.kserve.io/s3-usehttps"
"""Service-account annotations KServe turns into the storage initializer's S3 settings."""

DEPLOYER_RULES: tuple[dict[str, Any], ...] = (
    {
        "apiGroups": ["serving.kserve.io"],
        "resources": ["inferenceservices"],
        # pipelines/steps/rollout.py: get, create or replace (update), then get until the new
        # generation is rolled out (the status is read from the object, not the status subresource)
        "verbs": ["get", "list", "watch", "create", "update"],
    },
    {
        # pipelines/steps/rollout.py (Standard mode): the predictor Deployment's rollout, read by label
        "apiGroups": ["apps"],
        "resources": ["deployments"],
        "verbs": ["list"],
    },
)

# The images the 0.16.0 chart renders or writes into `inferenceservice-config`, as its values.yaml
# names them; `{version}` is KServe's release tag. (values path, source reference)
CHART_IMAGES: tuple[tuple[str, str], ...] = (
    ("controller", "docker.io/kserve/kserve-controller:{version}"),
    ("agent", "docker.io/kserve/agent:{version}"),
    ("router", "docker.io/kserve/router:{version}"),
    ("storage", "docker.io/kserve/storage-initializer:{version}"),
    ("localmodel.controller", "docker.io/kserve/kserve-localmodel-controller:{version}"),
    ("localmodel.agent", "docker.io/kserve/kserve-localmodelnode-agent:{version}"),
)
SERVING_RUNTIME_IMAGES: tuple[tuple[str, str], ...] = (
    ("tensorflow", "docker.io/tensorflow/serving:2.6.2"),
    ("mlserver", "docker.io/seldonio/mlserver:1.5.0"),
    ("sklearnserver", "docker.io/kserve/sklearnserver:{version}"),
    ("xgbserver", "docker.io/kserve/xgbserver:{version}"),
    # the chart appends `-gpu` to this tag for the multi-node runtime
    ("huggingfaceserver", "docker.io/kserve/huggingfaceserver:{version}"),
    ("tritonserver", "nvcr.io/nvidia/tritonserver:23.05-py3"),
    ("pmmlserver", "docker.io/kserve/pmmlserver:{version}"),
    ("paddleserver", "docker.io/kserve/paddleserver:{version}"),
    ("lgbserver", "docker.io/kserve/lgbserver:{version}"),
    ("torchserve", "docker.io/pytorch/torchserve-kfs:0.9.0"),
)
RUNTIMES_WITHOUT_IMAGE = ("huggingfaceserver_multinode",)
"""Runtimes whose image is another runtime's (they only carry `disabled`)."""
ART_EXPLAINER = "docker.io/kserve/art-explainer:{version}"
RBAC_PROXY = "quay.io/brancz/kube-rbac-proxy:v0.18.0"


@dataclass(frozen=True)
class KServeIngress:
    """How InferenceServices are reached from outside: the host domain and the URL scheme."""

    domain: str
    url_scheme: str


def _snake(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A PolicyRule dict with the SDK's argument names (`apiGroups` -> `api_groups`)."""
    return {"api_groups" if key == "apiGroups" else key: value for key, value in rule.items()}


def _image(ref: ImageRef) -> dict[str, str]:
    """`image` (registry/repository) and `tag` as the chart's image values take them."""
    return {"image": f"{ref.registry}/{ref.repository}", "tag": ref.version}


def _nested(path: str, value: dict[str, Any]) -> dict[str, Any]:
    for part in reversed(path.split(".")):
        value = {part: value}
    return value


def _merge(into: dict[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in other.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def kserve_images(version: str, mirror: ImageMirror) -> dict[str, Any]:
    """The `kserve:` values that set every image of the chart, each through `mirror`."""
    values: dict[str, Any] = {}
    for path, source in CHART_IMAGES:
        _merge(values, _nested(path, _image(mirror.image(source.format(version=version)))))
    runtimes: dict[str, Any] = {}
    for runtime, source in SERVING_RUNTIME_IMAGES:
        runtimes[runtime] = {**_image(mirror.image(source.format(version=version))), "disabled": False}
    for runtime in RUNTIMES_WITHOUT_IMAGE:
        runtimes[runtime] = {"disabled": False}
    art = mirror.image(ART_EXPLAINER.format(version=version))
    runtimes["art"] = {"image": f"{art.registry}/{art.repository}", "defaultVersion": art.version}
    values["servingruntime"] = runtimes
    _merge(values, {"controller": {"rbacProxyImage": mirror(RBAC_PROXY)}})
    return values


def kserve_values(
    version: str,
    deployment_mode: KServeDeploymentMode,
    ingress: KServeIngress,
    mirror: ImageMirror,
    s3_region: str | None = None,
) -> dict[str, Any]:
    """Values of the `kserve` chart: the mode, ingress through the Istio ingress gateway (Standard: an
    Ingress of class `istio` per InferenceService; Knative: VirtualServices on the Kubeflow gateway),
    the default serving runtimes enabled, every image through `mirror`."""
    gateway: dict[str, Any] = {
        "domain": ingress.domain,
        "domainTemplate": DOMAIN_TEMPLATE,
        "urlScheme": ingress.url_scheme,
        # Standard mode creates an Ingress per InferenceService; the Istio ingress gateway serves it,
        # behind the gateway's login like every other route
        "disableIngressCreation": False,
        "disableIstioVirtualHost": False,
        "ingressGateway": {
            "enableGatewayApi": False,
            "createGateway": False,
            "gateway": GATEWAY_REF,
            "className": ISTIO_INGRESS_CLASS,
        },
        "localGateway": {
            "gateway": KNATIVE_LOCAL_GATEWAY,
            "gatewayService": KNATIVE_LOCAL_GATEWAY_SERVICE,
        },
    }
    values: dict[str, Any] = {
        "controller": {"deploymentMode": deployment_mode, "gateway": gateway},
        "localmodel": {"enabled": False},
    }
    if s3_region is not None:
        values["storage"] = {"s3": {"region": s3_region, "useHttps": "1"}}
    return {"kserve": _merge(values, kserve_images(version, mirror))}


def model_server_annotations(s3_region: str | None) -> dict[str, str]:
    """The model-server account's annotations: the bucket's region for the storage initializer."""
    if s3_region is None:
        return {}
    return {S3_REGION_ANNOTATION: s3_region, S3_HTTPS_ANNOTATION: "1"}


def serving_namespace_labels(istio_injection: bool) -> dict[str, str]:
    """Labels of a serving namespace kfstack creates: sidecar injection like profile namespaces."""
    return {"istio-injection": "enabled"} if istio_injection else {}


def inference_service_url(ingress: KServeIngress, namespace: str) -> str:
    """How a Standard-mode InferenceService's external URL looks (`<name>` stands for its name)."""
    return f"{ingress.url_scheme}://<name>-{namespace}.{ingress.domain}"


@dataclass(frozen=True)
class KServeArgs:
    """The pinned charts and version, the mode, ingress, image mirror and the serving namespace."""

    crd_chart: HelmChart
    chart: HelmChart
    version: str
    """KServe's release tag (`v0.16.0`), the tag of its own images."""
    deployment_mode: KServeDeploymentMode
    ingress: KServeIngress
    mirror: ImageMirror
    serving_namespace: str
    create_serving_namespace: bool
    """False when something else creates it (the profile controller, the platform namespaces)."""
    istio_injection: bool
    deployer_namespace: str
    deployer_account: str
    """The service account that deploys InferenceServices (the pipeline runner)."""
    s3_region: str | None = None
    """The artifact bucket's region when model servers read it (EKS with the bucket)."""
    serving_namespace_ready: tuple[pulumi.Resource, ...] = ()
    """What makes the serving namespace usable when kfstack does not create it (its Profile): only the
    objects in that namespace wait for it."""


class KServe(pulumi.ComponentResource):
    """KServe and its serving namespace. Pass in `opts.depends_on` cert-manager, the Istio CRDs and
    gateway, and Knative (Knative mode)."""

    namespace: k8s.core.v1.Namespace
    crd_release: k8s.helm.v3.Release
    release: k8s.helm.v3.Release
    model_server: k8s.core.v1.ServiceAccount

    def __init__(self, name: str, args: KServeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("kfstack:serving:KServe", name, None, opts)
        child = child_options(self, opts)
        self.namespace = k8s.core.v1.Namespace(
            f"ns-{KSERVE_NAMESPACE}",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=KSERVE_NAMESPACE),
            opts=child,
        )
        in_namespace = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=[self.namespace])
        )
        self.crd_release = helm_release(
            f"{name}-crd", args.crd_chart, KSERVE_NAMESPACE, {}, in_namespace, release_name="kserve-crd"
        )
        self.release = helm_release(
            name,
            args.chart,
            KSERVE_NAMESPACE,
            kserve_values(args.version, args.deployment_mode, args.ingress, args.mirror, args.s3_region),
            pulumi.ResourceOptions.merge(in_namespace, pulumi.ResourceOptions(depends_on=[self.crd_release])),
            release_name="kserve",
        )
        namespace = args.serving_namespace
        serving = pulumi.ResourceOptions.merge(
            child, pulumi.ResourceOptions(depends_on=list(args.serving_namespace_ready))
        )
        if args.create_serving_namespace:
            created = k8s.core.v1.Namespace(
                f"ns-{namespace}",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=namespace, labels=serving_namespace_labels(args.istio_injection) or None
                ),
                opts=child,
            )
            serving = pulumi.ResourceOptions.merge(serving, pulumi.ResourceOptions(depends_on=[created]))
        self.model_server = k8s.core.v1.ServiceAccount(
            f"{name}-model-server",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=MODEL_SERVER_ACCOUNT,
                namespace=namespace,
                annotations=model_server_annotations(args.s3_region) or None,
            ),
            opts=serving,
        )
        role = k8s.rbac.v1.Role(
            f"{name}-deployer",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=DEPLOYER_ROLE, namespace=namespace),
            rules=[k8s.rbac.v1.PolicyRuleArgs(**_snake(rule)) for rule in DEPLOYER_RULES],
            opts=serving,
        )
        k8s.rbac.v1.RoleBinding(
            f"{name}-deployer",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=DEPLOYER_ROLE, namespace=namespace),
            role_ref=k8s.rbac.v1.RoleRefArgs(
                api_group="rbac.authorization.k8s.io", kind="Role", name=DEPLOYER_ROLE
            ),
            subjects=[
                k8s.rbac.v1.SubjectArgs(
                    kind="ServiceAccount", name=args.deployer_account, namespace=args.deployer_namespace
                )
            ],
            opts=pulumi.ResourceOptions.merge(serving, pulumi.ResourceOptions(depends_on=[role])),
        )
        self.register_outputs({"servingNamespace": namespace})
