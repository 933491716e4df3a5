"""The pipeline compile target of an environment lands GPU steps on the pool the plan creates and
mounts the claims the plan creates."""

from click.testing import CliRunner

from kfstack.commands.pipelines import pipelines_group
from pipelines.placement import VolumeMount
from pipelines.steps.model_store import REGISTRY_ARTIFACTS
from stacks.config.loader import load_environment
from stacks.pipeline_target import environment_target

_EKS_EFFECT = {
    "NO_SCHEDULE": "NoSchedule",
    "NO_EXECUTE": "NoExecute",
    "PREFER_NO_SCHEDULE": "PreferNoSchedule",
}


def test_gpu_placement_matches_the_planned_gpu_node_group(plan) -> None:
    _, config = load_environment("prod")
    target = environment_target(config)
    assert target.gpu is not None
    (group,) = plan("prod").find("aws:eks/nodeGroup:NodeGroup", config.pipelines.gpu_pool)
    node_labels = group.inputs["labels"]
    assert target.gpu.node_selector.items() <= node_labels.items()
    taints = {(t["key"], _EKS_EFFECT[t["effect"]]) for t in group.inputs["taints"]}
    tolerated = {(t.key, t.effect) for t in target.gpu.tolerations if t.operator == "Exists"}
    assert taints <= tolerated


def test_volumes_are_the_planned_claims(plan) -> None:
    _, config = load_environment("dev")
    target = environment_target(config)
    assert target.data_volume == VolumeMount("data", "/mnt/data")
    assert target.models_volume == VolumeMount("models", "/mnt/models")
    claims = {
        c.inputs["metadata"]["name"] for c in plan("dev").find("kubernetes:core/v1:PersistentVolumeClaim")
    }
    assert {target.data_volume.pvc_name, target.models_volume.pvc_name} <= claims


def test_environment_without_gpu_pool_has_no_gpu_placement() -> None:
    _, config = load_environment("local")
    assert environment_target(config).gpu is None


def test_compile_for_an_environment_carries_its_placement() -> None:
    result = CliRunner().invoke(pipelines_group, ["compile", "train-and-deploy", "--env", "prod"])
    assert result.exit_code == 0, result.output
    # No reference step uses a GPU (scikit-learn trains on CPU), so none is pinned to the pool.
    assert "kfstack.io/pool: gpu-a10g" not in result.output
    assert "accelerator" not in result.output
    assert "mountPath: /mnt/data" in result.output
    # On EKS the model versions go beside the MLflow run's artifacts (s3://<bucket>/mlflow/...), so
    # no step mounts the models claim and the IR names no bucket.
    assert "mountPath: /mnt/models" not in result.output
    assert "pvc://models" not in result.output
    assert REGISTRY_ARTIFACTS in result.output


def test_eks_with_mlflow_stores_models_in_the_registry_artifacts_and_existing_clusters_on_the_claim() -> None:
    _, prod = load_environment("prod")
    assert prod.components.enabled("mlflow")
    eks = environment_target(prod)
    assert (eks.store_uri, eks.store_mount) == (REGISTRY_ARTIFACTS, None)
    _, local = load_environment("local")
    claim = environment_target(local)
    assert claim.store_uri == f"pvc://{claim.models_volume.pvc_name}"
    assert claim.store_mount == claim.models_volume
    without_mlflow = prod.model_copy(update={"components": prod.components.model_copy(
        update={"mlflow": prod.components.mlflow.model_copy(update={"enabled": False})})})
    assert environment_target(without_mlflow).store_uri.startswith("pvc://")


def test_compile_for_an_existing_cluster_stores_models_on_the_claim() -> None:
    result = CliRunner().invoke(pipelines_group, ["compile", "train-and-deploy", "--env", "local"])
    assert result.exit_code == 0, result.output
    assert "mountPath: /mnt/models" in result.output
    assert "pvc://models" in result.output


def test_compile_for_an_unknown_environment_exits_2() -> None:
    result = CliRunner().invoke(pipelines_group, ["compile", "train-and-deploy", "--env", "qa"])
    assert result.exit_code == 2
    assert "unknown environment 'qa'" in result.output


def test_the_pipelines_deploy_to_the_serving_namespace() -> None:
    _, config = load_environment("local")
    assert environment_target(config).serving_namespace == config.pipelines.namespace == "kubeflow-user"
    kserve = config.components.kserve.model_copy(update={"serving_namespace": "models"})
    components = config.components.model_copy(update={"kserve": kserve})
    moved = config.model_copy(update={"components": components})
    assert environment_target(moved).serving_namespace == "models"


def _deploy_constants(ir: dict, step: str = "promote") -> dict:
    """The constant inputs of a compiled task in the candidate-wins condition."""
    for component in ir["components"].values():
        task = component.get("dag", {}).get("tasks", {}).get(step)
        if task is not None:
            parameters = task["inputs"]["parameters"]
            return {k: v["runtimeValue"]["constant"] for k, v in parameters.items() if "runtimeValue" in v}
    raise AssertionError("no deploy task in the compiled pipeline")


def test_the_deploy_step_gets_the_serving_account_mode_and_canary_share() -> None:
    import yaml

    from pipelines.catalog import compile_pipeline

    _, config = load_environment("local")
    standard = _deploy_constants(
        next(yaml.safe_load_all(compile_pipeline("train-and-deploy", environment_target(config))))
    )
    assert standard == {
        "service_account": "kfstack-model-server",
        "deployment_mode": "Standard",
        "canary_traffic_percent": 0,
        "local_apply_dir": "",
    }
    assert _deploy_constants(
        next(yaml.safe_load_all(compile_pipeline("train-and-deploy", environment_target(config)))), "deploy"
    ) == {"service_account": "kfstack-model-server", "deployment_mode": "Standard", "local_apply_dir": ""}
    kserve = config.components.kserve.model_copy(
        update={"deployment_mode": "Knative", "canary_traffic_percent": 20}
    )
    knative = config.model_copy(
        update={"components": config.components.model_copy(update={"kserve": kserve})}
    )
    compiled = compile_pipeline("retrain", environment_target(knative))
    assert _deploy_constants(next(yaml.safe_load_all(compiled)))["canary_traffic_percent"] == 20


def _with(config, **sections):
    return config.model_copy(update={k: getattr(config, k).model_copy(update=v) for k, v in sections.items()})


def test_the_runtime_image_is_the_configured_digest_through_the_mirror_and_the_default_otherwise() -> None:
    import yaml

    from pipelines.catalog import compile_pipeline
    from pipelines.components import RUNTIME_IMAGE

    digest = "ghcr.io/kfstack/pipelines-runtime:0.2.0@sha256:" + "ab" * 32
    _, config = load_environment("local")
    assert environment_target(config).runtime_image == RUNTIME_IMAGE
    pinned = _with(config, pipelines={"image": digest})
    assert environment_target(pinned).runtime_image == digest
    mirrored = _with(pinned, images={"registry": "registry.example.com/mirror"})
    assert environment_target(mirrored).runtime_image == f"registry.example.com/mirror/{digest}"
    default_mirrored = _with(config, images={"registry": "registry.example.com/mirror"})
    assert environment_target(default_mirrored).runtime_image == f"registry.example.com/mirror/{RUNTIME_IMAGE}"
    spec = next(yaml.safe_load_all(compile_pipeline("retrain", environment_target(mirrored))))
    images = {e["container"]["image"] for e in spec["deploymentSpec"]["executors"].values()}
    assert images == {f"registry.example.com/mirror/{digest}"}
