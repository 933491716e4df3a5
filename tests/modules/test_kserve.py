"""KServe values and the serving namespace: mode and ingress as configured, every runtime enabled,
every chart image through the mirror, the deploy Role exactly what the deploy step calls."""

from __future__ import annotations

from typing import Any

from modules.helm_chart import HelmChart
from modules.images import ImageMirror
from modules.kserve import (
    CHART_IMAGES,
    DEPLOYER_ROLE,
    MODEL_SERVER_ACCOUNT,
    SERVING_RUNTIME_IMAGES,
    KServe,
    KServeArgs,
    KServeIngress,
    inference_service_url,
    kserve_values,
    model_server_annotations,
)

VERSION = "v0.16.0"
MIRROR = ImageMirror("registry.example.com/mirror")
INGRESS = KServeIngress("kubeflow.example.com", "https")


def _values(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "version": VERSION,
        "deployment_mode": "Standard",
        "ingress": INGRESS,
        "mirror": ImageMirror(),
        **overrides,
    }
    values: dict[str, Any] = kserve_values(**args)["kserve"]
    return values


def test_standard_mode_creates_istio_ingresses_under_the_gateway_hostname() -> None:
    values = _values()
    assert values["controller"]["deploymentMode"] == "Standard"
    gateway = values["controller"]["gateway"]
    assert gateway["domain"] == "kubeflow.example.com"
    assert gateway["urlScheme"] == "https"
    assert gateway["disableIngressCreation"] is False
    assert gateway["ingressGateway"]["className"] == "istio"
    assert gateway["ingressGateway"]["gateway"] == "kubeflow/kubeflow-gateway"
    assert gateway["ingressGateway"]["enableGatewayApi"] is False


def test_knative_mode_is_passed_to_the_controller() -> None:
    assert _values(deployment_mode="Knative")["controller"]["deploymentMode"] == "Knative"


def test_every_default_serving_runtime_is_enabled() -> None:
    runtimes = _values()["servingruntime"]
    names = [name for name, _ in SERVING_RUNTIME_IMAGES] + ["huggingfaceserver_multinode"]
    assert all(runtimes[name]["disabled"] is False for name in names)


def test_every_image_goes_through_the_mirror() -> None:
    values = _values(mirror=MIRROR)
    images = [values["controller"]["rbacProxyImage"], values["servingruntime"]["art"]["image"]]
    for path, _ in CHART_IMAGES:
        section = values
        for part in path.split("."):
            section = section[part]
        images.append(section["image"])
    images += [values["servingruntime"][name]["image"] for name, _ in SERVING_RUNTIME_IMAGES]
    assert images and all(image.startswith("registry.example.com/mirror/") for image in images)
    assert values["controller"]["image"] == "registry.example.com/mirror/docker.io/kserve/kserve-controller"
    assert values["controller"]["tag"] == VERSION
    assert values["storage"]["image"] == "registry.example.com/mirror/docker.io/kserve/storage-initializer"
    assert values["servingruntime"]["tritonserver"]["image"].endswith("/nvcr.io/nvidia/tritonserver")


def test_without_a_mirror_the_charts_own_images_stay() -> None:
    values = _values()
    assert values["controller"]["rbacProxyImage"] == "quay.io/brancz/kube-rbac-proxy:v0.18.0"
    assert values["servingruntime"]["sklearnserver"] == {
        "image": "docker.io/kserve/sklearnserver",
        "tag": VERSION,
        "disabled": False,
    }


def test_the_bucket_region_reaches_the_storage_initializer_only_with_a_bucket() -> None:
    assert "storage" not in _values() or "s3" not in _values()["storage"]
    assert _values(s3_region="us-east-1")["storage"]["s3"] == {"region": "us-east-1", "useHttps": "1"}
    assert model_server_annotations(None) == {}
    assert model_server_annotations("us-east-1")["serving.kserve.io/s3-region"] == "us-east-1"


def test_the_url_shape_follows_the_domain_template() -> None:
    assert inference_service_url(INGRESS, "team-a") == "https://<name>-team-a.kubeflow.example.com"


def _args(**overrides: Any) -> KServeArgs:
    values: dict[str, Any] = {
        "crd_chart": HelmChart("oci://ghcr.io/kserve/charts/kserve-crd", VERSION),
        "chart": HelmChart("oci://ghcr.io/kserve/charts/kserve", VERSION),
        "version": VERSION,
        "deployment_mode": "Standard",
        "ingress": INGRESS,
        "mirror": ImageMirror(),
        "serving_namespace": "team-a",
        "create_serving_namespace": False,
        "istio_injection": True,
        "deployer_namespace": "team-a",
        "deployer_account": "default-editor",
        **overrides,
    }
    return KServeArgs(**values)


def test_the_deploy_role_allows_exactly_what_the_deploy_step_calls(record) -> None:
    recording = record(lambda: KServe("kserve", _args()))
    role = recording.one("kubernetes:rbac.authorization.k8s.io/v1:Role")
    assert role.inputs["metadata"] == {"name": DEPLOYER_ROLE, "namespace": "team-a"}
    assert role.inputs["rules"] == [
        {
            "apiGroups": ["serving.kserve.io"],
            "resources": ["inferenceservices"],
            "verbs": ["get", "list", "watch", "create", "update"],
        },
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["list"]},
    ]
    binding = recording.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
    assert binding.inputs["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Role",
        "name": DEPLOYER_ROLE,
    }
    assert binding.inputs["subjects"] == [
        {"kind": "ServiceAccount", "name": "default-editor", "namespace": "team-a"}
    ]


def test_the_controller_release_waits_for_the_crd_release(record) -> None:
    recording = record(lambda: KServe("kserve", _args()))
    crd = recording.one("kubernetes:helm.sh/v3:Release", "kserve-crd")
    controller = recording.one("kubernetes:helm.sh/v3:Release", "kserve")
    assert crd.urn in controller.dependencies
    assert controller.inputs["namespace"] == crd.inputs["namespace"] == "kserve"
    assert crd.inputs["chart"] == "oci://ghcr.io/kserve/charts/kserve-crd"


def test_a_serving_namespace_that_is_no_profile_is_created_with_injection(record) -> None:
    recording = record(
        lambda: KServe("kserve", _args(serving_namespace="models", create_serving_namespace=True))
    )
    names = {r.inputs["metadata"]["name"]: r for r in recording.find("kubernetes:core/v1:Namespace")}
    assert set(names) == {"kserve", "models"}
    assert names["models"].inputs["metadata"]["labels"] == {"istio-injection": "enabled"}
    account = recording.one("kubernetes:core/v1:ServiceAccount")
    assert account.inputs["metadata"]["name"] == MODEL_SERVER_ACCOUNT
    assert names["models"].urn in account.dependencies


def test_a_profile_serving_namespace_is_not_created(record) -> None:
    recording = record(lambda: KServe("kserve", _args()))
    names = [r.inputs["metadata"]["name"] for r in recording.find("kubernetes:core/v1:Namespace")]
    assert names == ["kserve"]


def test_only_the_serving_namespace_objects_wait_for_its_profile(record) -> None:
    import pulumi_kubernetes as k8s

    def program() -> None:
        profile = k8s.core.v1.ConfigMap("stand-in-for-the-profile")
        KServe("kserve", _args(serving_namespace_ready=(profile,)))

    recording = record(program)
    profile = recording.one("kubernetes:core/v1:ConfigMap")
    assert profile.urn in recording.one("kubernetes:core/v1:ServiceAccount").dependencies
    assert profile.urn in recording.one("kubernetes:rbac.authorization.k8s.io/v1:Role").dependencies
    for release in recording.find("kubernetes:helm.sh/v3:Release"):
        assert profile.urn not in release.dependencies
