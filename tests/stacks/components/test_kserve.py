"""The KServe builder: its releases after cert-manager and Istio, the serving namespace (a profile by
default, created otherwise) with the model-server account, its read-only artifact role on EKS, the
exports; what the charts render with an image mirror; Knative mode with the local kubeflow/manifests;
the reference pipeline's InferenceService against the KServe CRDs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kfstack.plan.crd_schemas import CrdSchemas, crd_object_schemas, crd_validation
from kfstack.plan.helm_template import RELEASE_TYPE, RenderedRelease, release_validation, rendered_release
from modules.vocabulary import MODEL_SERVER_ACCOUNT
from pipelines.steps import serving
from tests.conftest import REPO_ROOT
from tests.stacks.components.kubeflow_parts import CRDS, checked_plan, needs_manifests, with_local_manifests

CHARTS = REPO_ROOT.parent / "shared" / "charts"
MIRROR = "registry.example.com/mirror"
SA = "kubernetes:core/v1:ServiceAccount"
PIA = "aws:eks/podIdentityAssociation:PodIdentityAssociation"


def _serving(**settings: Any) -> Any:
    def edit(values: dict[str, Any]) -> None:
        values["components"].setdefault("kserve", {}).update(settings)

    return edit


def _knative(values: dict[str, Any]) -> None:
    values["components"]["kserve"] = {"deploymentMode": "Knative", "canaryTrafficPercent": 10}
    values["components"]["knative"] = {"enabled": True}


def _mirrored(values: dict[str, Any]) -> None:
    values["images"] = {"registry": MIRROR}


def test_the_releases_install_after_cert_manager_and_istio(plan) -> None:
    result = plan("local")
    (crd,) = result.find(RELEASE_TYPE, "kserve-crd")
    (controller,) = result.find(RELEASE_TYPE, "kserve")
    releases = {r.name: r.urn for r in result.find(RELEASE_TYPE)}
    assert {releases["cert-manager"], releases["istio-base"], releases[crd.name]} <= set(
        controller.dependencies
    )
    assert controller.inputs["values"]["kserve"]["controller"]["deploymentMode"] == "Standard"
    assert not result.find(RELEASE_TYPE, "knative-local-gateway")


def test_the_model_server_account_is_in_the_pipelines_profile_namespace(plan) -> None:
    result = plan("local")
    (account,) = [r for r in result.find(SA) if r.inputs["metadata"]["name"] == MODEL_SERVER_ACCOUNT]
    assert account.inputs["metadata"]["namespace"] == "kubeflow-user"
    # the profile controller creates the namespace: kfstack does not
    names = {r.inputs["metadata"]["name"] for r in result.find("kubernetes:core/v1:Namespace")}
    assert "kubeflow-user" not in names and "kserve" in names


def test_a_serving_namespace_that_is_no_profile_is_created(plan_of) -> None:
    result = plan_of("local", _serving(servingNamespace="models"))
    (namespace,) = [
        r for r in result.find("kubernetes:core/v1:Namespace") if r.inputs["metadata"]["name"] == "models"
    ]
    assert namespace.inputs["metadata"]["labels"] == {"istio-injection": "enabled"}
    (binding,) = result.find("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "kserve-deployer")
    assert binding.inputs["metadata"]["namespace"] == "models"
    assert binding.inputs["subjects"] == [
        {"kind": "ServiceAccount", "name": "default-editor", "namespace": "kubeflow-user"}
    ]


def test_on_eks_the_model_servers_read_only_the_model_artifacts(plan) -> None:
    result = plan("dev")
    (association,) = [r for r in result.find(PIA) if r.inputs["serviceAccount"] == MODEL_SERVER_ACCOUNT]
    assert association.inputs["namespace"] == "kubeflow-user"
    (policy,) = result.find("aws:iam/rolePolicy:RolePolicy", "model-artifacts")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    assert {s["Action"] for s in statements} == {"s3:GetObject", "s3:ListBucket"}
    assert all(s["Resource"].endswith("/mlflow/*") for s in statements if s["Action"] == "s3:GetObject")
    (account,) = [r for r in result.find(SA) if r.inputs["metadata"]["name"] == MODEL_SERVER_ACCOUNT]
    assert account.inputs["metadata"]["annotations"]["serving.kserve.io/s3-region"] == "us-west-2"


def test_without_a_bucket_no_artifact_role_is_made(plan) -> None:
    assert not plan("local").find("aws:iam/rolePolicy:RolePolicy", "model-artifacts")


def test_exports_name_the_serving_namespace_and_the_url_shape(plan_of, exports) -> None:
    plan_of("dev")
    assert exports["servingNamespace"] == "kubeflow-user"
    assert exports["inferenceServiceUrl"] == "https://<name>-kubeflow-user.kubeflow.dev.example.com"


def test_locally_the_url_uses_the_charts_domain_over_http(plan_of, exports) -> None:
    plan_of("local")
    assert exports["inferenceServiceUrl"] == "http://<name>-kubeflow-user.example.com"


def _images(value: Any) -> Iterator[str]:
    """Every `image` string in a rendered object, including JSON documents in ConfigMap data."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "image" and isinstance(item, str):
                yield item
            else:
                yield from _images(item)
    elif isinstance(value, list):
        for item in value:
            yield from _images(item)


def _config_images(configmap: dict[str, Any]) -> dict[str, str]:
    """`inferenceservice-config` entry -> the image it names (its JSON documents, `_example` aside)."""
    found = {}
    for key, text in configmap["data"].items():
        if key == "_example":
            continue
        for match in re.finditer(r'"(image|defaultJobImage)"\s*:\s*"([^"]+)"', text):
            found[f"{key}.{match.group(1)}"] = match.group(2)
    return found


def _render(result: Any, name: str, helm: Path) -> RenderedRelease:
    (release,) = result.find(RELEASE_TYPE, name)
    return rendered_release(release, CHARTS, result.config.cluster.kubernetes_version, helm)


def test_with_a_mirror_every_image_the_chart_renders_or_configures_is_mirrored(plan_of, helm: Path) -> None:
    rendered = _render(plan_of("local", _mirrored), "kserve", helm)
    manifests = [o.manifest for o in rendered.objects]
    images = [image for m in manifests for image in _images(m.get("spec", {}))]
    kinds = {m["kind"] for m in manifests if list(_images(m.get("spec", {})))}
    assert {"Deployment", "ClusterServingRuntime", "ClusterStorageContainer"} <= kinds
    assert [i for i in images if not i.startswith(f"{MIRROR}/")] == []
    (config,) = [
        m
        for m in manifests
        if m["kind"] == "ConfigMap" and m["metadata"]["name"] == "inferenceservice-config"
    ]
    configured = _config_images(config)
    assert {
        "agent.image",
        "batcher.image",
        "logger.image",
        "router.image",
        "storageInitializer.image",
    } <= set(configured)
    # localModel's defaultJobImage is hard-coded in the 0.16.0 chart; the local model cache is off
    unmirrored = {k: v for k, v in configured.items() if not v.startswith(f"{MIRROR}/")}
    assert unmirrored == {"localModel.defaultJobImage": "kserve/storage-initializer:latest"}
    explainers = json.loads(config["data"]["explainers"])
    assert explainers["art"]["image"] == f"{MIRROR}/docker.io/kserve/art-explainer"


def test_the_serving_runtimes_are_enabled_in_the_render(plan, helm: Path) -> None:
    rendered = _render(plan("local"), "kserve", helm)
    runtimes = {
        o.manifest["metadata"]["name"]: o.manifest["spec"]
        for o in rendered.objects
        if o.manifest["kind"] == "ClusterServingRuntime"
    }
    assert "kserve-sklearnserver" in runtimes and len(runtimes) == 11
    assert all(spec["disabled"] is False for spec in runtimes.values())
    ingress = json.loads(
        next(o.manifest for o in rendered.objects if o.manifest["kind"] == "ConfigMap")["data"]["ingress"]
    )
    assert ingress["ingressGateway"] == "kubeflow/kubeflow-gateway"
    assert ingress["ingressClassName"] == "istio"
    assert ingress["disableIngressCreation"] is False


@pytest.mark.parametrize("source", ["crd folder", "kserve-crd chart"])
def test_the_reference_pipelines_inference_service_validates_against_the_kserve_crd(
    plan, helm: Path, source: str
) -> None:
    result = plan("local")
    body = serving.inference_service(
        serving.service_name("digits-classifier"),
        result.config.serving_namespace(),
        "s3://artifacts/mlflow/1/abc/artifacts/model",
        "3",
        "v2",
        service_account=MODEL_SERVER_ACCOUNT,
    )
    assert body["spec"]["predictor"]["serviceAccountName"] == MODEL_SERVER_ACCOUNT
    if source == "crd folder":
        if not CRDS.is_dir():
            pytest.skip(f"no CRD folder at {CRDS}")
        schemas = CrdSchemas(CRDS, {})
    else:
        rendered = _render(result, "kserve-crd", helm)
        schemas = CrdSchemas(None, crd_object_schemas(o.manifest for o in rendered.objects))
    schema = schemas.find(serving.GROUP, serving.VERSION, "InferenceService")
    assert schema is not None
    errors = crd_validation(body, schema.schema).errors
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []


@pytest.fixture(scope="module")
def knative_plan() -> Any:
    from stacks.config.loader import ENVIRONMENTS_DIR, parse_environment, read_stack_file

    values = read_stack_file(ENVIRONMENTS_DIR / "Pulumi.local.yaml").values
    with_local_manifests(lambda v: (_knative(v), _mirrored(v)))(values)
    return checked_plan("local", parse_environment(values))


@needs_manifests
def test_knative_mode_installs_knative_serving_before_kserve(knative_plan) -> None:
    (controller,) = knative_plan.find(RELEASE_TYPE, "kserve")
    assert controller.inputs["values"]["kserve"]["controller"]["deploymentMode"] == "Knative"
    deployments = {
        r.urn: obj
        for r, obj in knative_plan.kubernetes_objects()
        if obj["kind"] == "Deployment" and obj["metadata"].get("namespace") == "knative-serving"
    }
    assert deployments and set(deployments) <= set(controller.dependencies)
    images = [c["image"] for d in deployments.values() for c in d["spec"]["template"]["spec"]["containers"]]
    assert images and all(image.startswith(f"{MIRROR}/") for image in images)
    (gateway,) = knative_plan.find(RELEASE_TYPE, "knative-local-gateway")
    assert gateway.inputs["name"] == "cluster-local-gateway"


@needs_manifests
@pytest.mark.parametrize("name", ["kserve", "kserve-crd", "knative-local-gateway"])
def test_knative_mode_releases_render_and_validate(knative_plan, helm: Path, name: str) -> None:
    rendered = _render(knative_plan, name, helm)
    validation = release_validation(rendered, CRDS if CRDS.is_dir() else None)
    assert validation.problems == [], "\n".join(p.render() for p in validation.problems)


@needs_manifests
def test_the_local_gateway_pods_carry_the_labels_knative_selects(knative_plan, helm: Path) -> None:
    rendered = _render(knative_plan, "knative-local-gateway", helm)
    (deployment,) = [o.manifest for o in rendered.objects if o.manifest["kind"] == "Deployment"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    selectors = [
        obj["spec"]["selector"]
        for _, obj in knative_plan.kubernetes_objects()
        if obj["metadata"].get("name") == "knative-local-gateway" and obj["kind"] in ("Service", "Gateway")
    ]
    assert len(selectors) == 2
    assert all(selector.items() <= labels.items() for selector in selectors)
