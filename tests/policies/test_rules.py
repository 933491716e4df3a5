"""Each policy of the pack over crafted resources: the violation it reports, and what passes."""

from __future__ import annotations

from typing import Any

from policies.rules import (
    Resource,
    containers_have_requests_and_limits,
    evaluate,
    gpu_pools_tainted,
    image_problem,
    images_pinned,
    no_plain_text_secrets,
    prod_stateful_resources_protected,
    public_load_balancers_behind_login,
)

GOOD_RESOURCES = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}


def urn(type_: str, name: str, stack: str = "dev") -> str:
    return f"urn:pulumi:{stack}::kfstack::{type_}::{name}"


def resource(type_: str, props: dict[str, Any], stack: str = "dev", protect: bool = False,
             secret_paths: frozenset[str] | None = frozenset()) -> Resource:
    return Resource(type_, urn(type_, "r", stack), props, protect, secret_paths)


def deployment(*containers: dict[str, Any], annotations: dict[str, str] | None = None) -> Resource:
    template: dict[str, Any] = {"spec": {"containers": list(containers)}}
    if annotations:
        template["metadata"] = {"annotations": annotations}
    return resource("kubernetes:apps/v1:Deployment", {"spec": {"template": template}})


def node_group(taints: list[dict[str, str]] | None, types: list[str]) -> Resource:
    return resource("aws:eks/nodeGroup:NodeGroup", {"instanceTypes": types, "taints": taints})


def test_gpu_pool_without_the_taint_is_reported() -> None:
    assert gpu_pools_tainted(node_group(None, ["g5.xlarge"])) == [
        "GPU node group has no nvidia.com/gpu NoSchedule taint (instanceTypes ['g5.xlarge'])"
    ]
    wrong_effect = [{"key": "nvidia.com/gpu", "effect": "PREFER_NO_SCHEDULE"}]
    assert gpu_pools_tainted(node_group(wrong_effect, ["p4d.24xlarge"]))


def test_tainted_gpu_pools_and_cpu_pools_pass() -> None:
    assert gpu_pools_tainted(node_group([{"key": "nvidia.com/gpu", "effect": "NO_SCHEDULE"}], ["g5.xlarge"])) == []
    assert gpu_pools_tainted(node_group(None, ["m6i.xlarge"])) == []


def test_container_without_requests_or_limits_is_reported() -> None:
    bad = deployment({"name": "app", "image": "a:1"}, {"name": "side", "image": "b:1", "resources": {"requests": {"cpu": "1"}}})
    assert containers_have_requests_and_limits(bad) == [
        "container 'app' (spec.template.spec.containers[0]) has no resources.requests or limits",
        "container 'side' (spec.template.spec.containers[1]) has no resources.limits",
    ]
    job = resource("kubernetes:batch/v1:CronJob", {"spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "initContainers": [{"name": "init", "image": "c:1"}], "containers": []}}}}}})
    assert containers_have_requests_and_limits(job) == [
        "container 'init' (spec.jobTemplate.spec.template.spec.initContainers[0]) has no resources.requests or limits"
    ]
    assert containers_have_requests_and_limits(deployment({"name": "ok", "image": "a:1", "resources": GOOD_RESOURCES})) == []


def test_latest_and_untagged_images_are_reported() -> None:
    bad = deployment({"name": "a", "image": "nginx"}, {"name": "b", "image": "registry:5000/team/app:latest"},
                     {"name": "c", "image": "ghcr.io/x/y:1.2.3"}, {"name": "d", "image": "ghcr.io/x/y@sha256:" + "0" * 64})
    assert images_pinned(bad) == [
        "container 'a' (spec.template.spec.containers[0]) image 'nginx' has no tag",
        "container 'b' (spec.template.spec.containers[1]) image 'registry:5000/team/app:latest' uses the `latest` tag",
    ]
    assert image_problem("localhost:5000/app") == "has no tag"  # the registry port is not a tag


def test_istio_injected_proxy_image_passes_only_with_the_injection_template() -> None:
    proxy = {"name": "istio-proxy", "image": "auto"}
    assert images_pinned(deployment(proxy, annotations={"inject.istio.io/templates": "gateway"})) == []
    assert images_pinned(deployment(proxy)) == [
        "container 'istio-proxy' (spec.template.spec.containers[0]) image 'auto' has no tag"
    ]


def _service(annotations: dict[str, str], namespace: str = "istio-system") -> Resource:
    return resource("kubernetes:core/v1:Service", {
        "metadata": {"name": "gw", "namespace": namespace, "annotations": annotations},
        "spec": {"type": "LoadBalancer", "selector": {"app": "istio-ingressgateway", "istio": "ingressgateway"}},
    })


def _login(namespace: str = "istio-system", labels: dict[str, str] | None = None) -> Resource:
    return resource("kubernetes:security.istio.io/v1:AuthorizationPolicy", {
        "metadata": {"name": "oauth2-proxy", "namespace": namespace},
        "spec": {"action": "CUSTOM", "provider": {"name": "oauth2-proxy"},
                 "selector": {"matchLabels": labels or {"app": "istio-ingressgateway"}}},
    })


def test_public_load_balancer_without_the_login_is_reported() -> None:
    public = _service({"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"})
    problems = public_load_balancers_behind_login([public])
    assert [(r.urn, m) for r, m in problems] == [(public.urn, (
        "internet-facing load balancer in namespace 'istio-system' without the login "
        "(an Istio CUSTOM AuthorizationPolicy to oauth2-proxy) in front"))]
    # a login elsewhere or for other pods does not count
    assert public_load_balancers_behind_login([public, _login("kubeflow")])
    assert public_load_balancers_behind_login([public, _login(labels={"app": "other"})])
    release = resource("kubernetes:helm.sh/v3:Release", {"namespace": "istio-system",
                                                          "values": {"service": {"type": "LoadBalancer"}}})
    assert public_load_balancers_behind_login([release])


def test_public_load_balancer_behind_the_login_and_internal_ones_pass() -> None:
    public = _service({})
    assert public_load_balancers_behind_login([public, _login()]) == []
    internal = _service({"service.beta.kubernetes.io/aws-load-balancer-internal": "true"})
    assert public_load_balancers_behind_login([internal]) == []


def test_unprotected_stateful_resource_in_prod_is_reported() -> None:
    bucket = resource("aws:s3/bucket:Bucket", {}, stack="prod")
    assert prod_stateful_resources_protected(bucket) == [
        "stateful aws:s3/bucket:Bucket in prod is not protected (kfstack:protectStatefulResources)"
    ]
    assert prod_stateful_resources_protected(resource("aws:s3/bucket:Bucket", {}, stack="prod", protect=True)) == []
    assert prod_stateful_resources_protected(resource("aws:s3/bucket:Bucket", {}, stack="dev")) == []
    assert prod_stateful_resources_protected(resource("kubernetes:core/v1:ConfigMap", {}, stack="prod")) == []


def test_plain_text_secrets_are_reported_offline() -> None:
    secret = resource("kubernetes:core/v1:Secret", {"stringData": {"password": "hunter2", "user": "[secret]"}})
    assert no_plain_text_secrets(secret) == ["stringData.password is not a secret"]
    marked = resource("kubernetes:core/v1:Secret", {"stringData": {"password": "x"}},
                      secret_paths=frozenset({"stringData"}))
    assert no_plain_text_secrets(marked) == []
    rds = resource("aws:rds/instance:Instance", {"password": "plain"})
    assert no_plain_text_secrets(rds) == ["password is not a secret"]
    release = resource("kubernetes:helm.sh/v3:Release", {"values": {
        "grafana": {"adminPassword": "admin", "admin": {"existingSecret": "grafana-admin"}},
        "auth": {"clientSecret": "[secret]"}}})
    assert no_plain_text_secrets(release) == ["values.grafana.adminPassword is not a secret"]
    env = deployment({"name": "app", "image": "a:1", "env": [
        {"name": "DB_PASSWORD", "value": "plain"}, {"name": "LOG_LEVEL", "value": "info"},
        {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]})
    assert no_plain_text_secrets(env) == [
        "spec.template.spec.containers[0].env[0] (DB_PASSWORD) has a literal value; use a secretKeyRef"
    ]


def test_credentials_by_content_are_reported_even_where_secrets_are_decrypted() -> None:
    pack_view = resource("kubernetes:core/v1:ConfigMap", {"data": {"aws": "key=AKIAABCDEFGHIJKLMNOP"}},
                         secret_paths=None)
    assert no_plain_text_secrets(pack_view) == ["data.aws holds an AWS access key id in plain text"]
    # the pack cannot tell a decrypted secret from plain text: structural checks stay silent there
    assert no_plain_text_secrets(resource("aws:rds/instance:Instance", {"password": "x"}, secret_paths=None)) == []


def test_evaluate_runs_every_policy_and_names_it() -> None:
    found = evaluate([node_group(None, ["g5.xlarge"]), resource("aws:eks/cluster:Cluster", {}, stack="prod")])
    assert [v.policy for v in found] == ["gpu-pools-tainted", "prod-stateful-resources-protected"]
