"""The Kubeflow Pipelines builder's outputs: the API in the cluster (the Service upstream installs) and
through the gateway."""

from __future__ import annotations

from stacks.components.kubeflow_pipelines import KFP_IN_CLUSTER, export_kfp_endpoints
from stacks.context import StackContext
from tests.upstream import upstream_object

PIPELINES = "applications_pipeline_upstream_env_cert-manager_platform-agnostic-multi-user.yaml"


def test_the_in_cluster_endpoint_is_the_api_service_upstream_installs() -> None:
    service = upstream_object(PIPELINES, "Service", "ml-pipeline", "kubeflow")
    ports = {p["name"]: p["port"] for p in service["spec"]["ports"]}
    assert f"http://ml-pipeline.kubeflow.svc.cluster.local:{ports['http']}" == KFP_IN_CLUSTER


def _outputs(env_config, exports, environment: str, dashboard_url: str | None, edit=None) -> dict:
    stack = StackContext(environment, env_config(environment, edit))
    export_kfp_endpoints(stack, dashboard_url)  # `exports` stands in for pulumi.export
    return exports


def test_endpoints_are_exported_in_the_cluster_and_through_the_gateway(env_config, exports) -> None:
    outputs = _outputs(env_config, exports, "dev", "https://kubeflow.dev.example.com/")
    assert outputs == {
        "kfpEndpointInCluster": KFP_IN_CLUSTER,
        "kfpEndpoint": "https://kubeflow.dev.example.com/pipeline",
    }


def test_no_endpoint_without_kubeflow_pipelines(env_config, exports) -> None:
    def off(values: dict) -> None:
        values["components"]["kubeflowPipelines"] = {"enabled": False}
        values["components"]["centralDashboard"] = {"enabled": False}

    assert _outputs(env_config, exports, "local", "http://localhost:8080/", off) == {}
