"""kfstack's policies, each written once as a pure function over a resource (or the stack's resources).

Two hosts run them: the CrossGuard pack (`policies/__main__.py`, in `pulumi preview --policy-pack`)
and `kfstack plan ENV --policies` over the resources the offline plan records. This module uses the
standard library only, so the pack's own virtualenv (policies/requirements.txt) needs nothing of
kfstack's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

REDACTED = "[secret]"
"""How the offline plan shows a secret value."""


@dataclass(frozen=True)
class Resource:
    """What a policy sees of one resource."""

    type: str
    """Pulumi type token (`kubernetes:apps/v1:Deployment`, `aws:eks/nodeGroup:NodeGroup`)."""
    urn: str
    props: Mapping[str, Any]
    """The resource's inputs (for Kubernetes objects: the object body)."""
    protect: bool = False
    secret_paths: frozenset[str] | None = None
    """Input paths marked secret; None when the host cannot tell (the pack sees decrypted values)."""

    @property
    def stack(self) -> str:
        """`prod` from `urn:pulumi:prod::kfstack::...`."""
        head = self.urn.split("::", 1)[0]
        return head.rsplit(":", 1)[-1] if head.startswith("urn:pulumi:") else ""


ResourceCheck = Callable[[Resource], list[str]]
StackCheck = Callable[[Sequence[Resource]], list[tuple[Resource, str]]]


@dataclass(frozen=True)
class Policy:
    """One policy: a name, what it asks, and its check (per resource, or over the whole stack)."""

    name: str
    description: str
    resource_check: ResourceCheck | None = None
    stack_check: StackCheck | None = None


# --- GPU pools -----------------------------------------------------------------------------------

GPU_TAINT_KEY = "nvidia.com/gpu"
_GPU_FAMILY = re.compile(r"^(g\d|gr\d|p\d)[a-z0-9-]*\.")
_NO_SCHEDULE = {"NO_SCHEDULE", "NoSchedule"}


def _is_gpu_node_group(props: Mapping[str, Any]) -> bool:
    types = props.get("instanceTypes") or []
    ami = str(props.get("amiType") or "")
    return "NVIDIA" in ami or "GPU" in ami or any(_GPU_FAMILY.match(str(t)) for t in types)


def gpu_pools_tainted(resource: Resource) -> list[str]:
    """A GPU node group carries the `nvidia.com/gpu` NoSchedule taint, so only GPU pods land there."""
    if resource.type != "aws:eks/nodeGroup:NodeGroup" or not _is_gpu_node_group(resource.props):
        return []
    taints = resource.props.get("taints") or []
    if any(t.get("key") == GPU_TAINT_KEY and t.get("effect") in _NO_SCHEDULE for t in taints):
        return []
    return [
        f"GPU node group has no {GPU_TAINT_KEY} NoSchedule taint (instanceTypes "
        f"{list(resource.props.get('instanceTypes') or [])})"
    ]


# --- containers ----------------------------------------------------------------------------------

_POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}


def _kind(resource: Resource) -> str:
    return resource.type.rsplit(":", 1)[-1] if resource.type.startswith("kubernetes:") else ""


def containers(resource: Resource) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(path, container) of every container and init container of a Kubernetes workload."""
    path = _POD_SPEC_PATHS.get(_kind(resource))
    if path is None:
        return
    spec: Any = resource.props
    for key in path:
        spec = spec.get(key) if isinstance(spec, Mapping) else None
    if not isinstance(spec, Mapping):
        return
    prefix = ".".join(path)
    for field in ("initContainers", "containers"):
        for i, container in enumerate(spec.get(field) or []):
            if isinstance(container, Mapping):
                yield f"{prefix}.{field}[{i}]", container


def containers_have_requests_and_limits(resource: Resource) -> list[str]:
    """Every container sets resource requests and limits (the scheduler and the quota need them)."""
    messages = []
    for path, container in containers(resource):
        resources = container.get("resources") or {}
        missing = [k for k in ("requests", "limits") if not resources.get(k)]
        if missing:
            name = container.get("name")
            messages.append(f"container '{name}' ({path}) has no resources.{' or '.join(missing)}")
    return messages


ISTIO_INJECTED_IMAGE = "auto"
"""Istio's placeholder for a gateway's proxy image: the sidecar injector sets the pinned one."""


def image_problem(image: str) -> str | None:
    """Why an image reference is not pinned (no tag, or `latest`), or None."""
    if "@sha256:" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    if ":" not in last:
        return "has no tag"
    return "uses the `latest` tag" if last.rsplit(":", 1)[1] == "latest" else None


def _istio_injected(resource: Resource) -> bool:
    """The pod template asks Istio's injector for its proxy (`inject.istio.io/templates`)."""
    path = _POD_SPEC_PATHS.get(_kind(resource), ())[:-1]
    meta: Any = resource.props
    for key in (*path, "metadata"):
        meta = meta.get(key) if isinstance(meta, Mapping) else None
    annotations = (meta or {}).get("annotations") or {} if isinstance(meta, Mapping) else {}
    return "inject.istio.io/templates" in annotations


def images_pinned(resource: Resource) -> list[str]:
    """No container image is untagged or `latest`: what runs is what was reviewed."""
    messages = []
    for path, container in containers(resource):
        image = container.get("image")
        if image == ISTIO_INJECTED_IMAGE and _istio_injected(resource):
            continue
        problem = image_problem(str(image)) if image else "has no image"
        if problem:
            messages.append(f"container '{container.get('name')}' ({path}) image {image!r} {problem}")
    return messages


# --- load balancers ------------------------------------------------------------------------------

_INTERNAL_ANNOTATIONS = {
    "service.beta.kubernetes.io/aws-load-balancer-internal": {"true"},
    "service.beta.kubernetes.io/aws-load-balancer-scheme": {"internal"},
}
RELEASE_TYPE = "kubernetes:helm.sh/v3:Release"
SERVICE_TYPE = "kubernetes:core/v1:Service"
AUTHORIZATION_POLICY_TYPE = "kubernetes:security.istio.io/v1:AuthorizationPolicy"


def _is_internal(annotations: Mapping[str, Any]) -> bool:
    return any(str(annotations.get(k, "")).lower() in v for k, v in _INTERNAL_ANNOTATIONS.items())


def _public_load_balancer(resource: Resource) -> tuple[str, Mapping[str, Any]] | None:
    """(namespace, pod selector or {} if unknown) of a public load balancer this resource creates."""
    props = resource.props
    if resource.type == SERVICE_TYPE:
        spec = props.get("spec") or {}
        meta = props.get("metadata") or {}
        if spec.get("type") == "LoadBalancer" and not _is_internal(meta.get("annotations") or {}):
            return str(meta.get("namespace") or "default"), spec.get("selector") or {}
    if resource.type == RELEASE_TYPE:
        service = (props.get("values") or {}).get("service") or {}
        if service.get("type") == "LoadBalancer" and not _is_internal(service.get("annotations") or {}):
            return str(props.get("namespace") or "default"), {}
    return None


def _login_selectors(resources: Sequence[Resource]) -> list[tuple[str, Mapping[str, Any]]]:
    """(namespace, matchLabels) of every Istio ext-authz (CUSTOM) AuthorizationPolicy: the login."""
    out = []
    for r in resources:
        if r.type != AUTHORIZATION_POLICY_TYPE:
            continue
        spec = r.props.get("spec") or {}
        if spec.get("action") == "CUSTOM" and (spec.get("provider") or {}).get("name"):
            namespace = str((r.props.get("metadata") or {}).get("namespace") or "")
            out.append((namespace, (spec.get("selector") or {}).get("matchLabels") or {}))
    return out


def public_load_balancers_behind_login(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """A public (internet-facing) load balancer only fronts workloads an ext-authz login protects.

    The login is an Istio AuthorizationPolicy with action CUSTOM (oauth2-proxy) in the load
    balancer's namespace whose selector the Service's selector matches; a Helm release's Service
    is matched by namespace (its pod labels are known only once rendered).
    """
    logins = _login_selectors(resources)
    problems = []
    for resource in resources:
        public = _public_load_balancer(resource)
        if public is None:
            continue
        namespace, selector = public
        covered = any(
            ns == namespace and (not selector or all(selector.get(k) == v for k, v in labels.items()))
            for ns, labels in logins
        )
        if not covered:
            problems.append(
                (
                    resource,
                    f"internet-facing load balancer in namespace '{namespace}' without the login "
                    "(an Istio CUSTOM AuthorizationPolicy to oauth2-proxy) in front",
                )
            )
    return problems


# --- protection ----------------------------------------------------------------------------------

PROTECTED_STACKS = frozenset({"prod"})
STATEFUL_TYPES = frozenset(
    {
        "aws:eks/cluster:Cluster",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:efs/fileSystem:FileSystem",
        "aws:rds/instance:Instance",
        "aws:rds/cluster:Cluster",
        "aws:ebs/volume:Volume",
        "aws:kms/key:Key",
        "kubernetes:core/v1:PersistentVolumeClaim",
        "kubernetes:core/v1:PersistentVolume",
    }
)


def prod_stateful_resources_protected(resource: Resource) -> list[str]:
    """In prod, the cluster, buckets, file systems, databases, volumes and keys are `protect`ed."""
    if resource.stack not in PROTECTED_STACKS or resource.type not in STATEFUL_TYPES or resource.protect:
        return []
    return [
        f"stateful {resource.type} in {resource.stack} is not protected (kfstack:protectStatefulResources)"
    ]


# --- secrets -------------------------------------------------------------------------------------

_CREDENTIAL_PATTERNS = {
    "an AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "a GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    "a Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
}
_SECRET_ENV_NAME = re.compile(r"(PASSWORD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY)", re.IGNORECASE)
_SECRET_KEY = re.compile(
    r"(password|passwd|^token|clientsecret|cookiesecret|secretkey|secretaccesskey|apikey|privatekey)$",
    re.IGNORECASE,
)
"""Input keys (at any depth: an RDS `password`, a chart's `adminPassword` value) holding a credential."""
_PLACEHOLDERS = {REDACTED, "[unknown]", ""}


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _strings(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, f"{path}[{i}]")


def _is_plain(resource: Resource, path: str, value: Any) -> bool:
    """A literal value not marked secret (only decidable where the host knows the secret paths)."""
    if resource.secret_paths is None or value is None or (isinstance(value, str) and value in _PLACEHOLDERS):
        return False
    return not any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in resource.secret_paths)


def no_plain_text_secrets(resource: Resource) -> list[str]:
    """No credential in plain text: none that looks like one anywhere, and (offline, where the
    plan knows which inputs are secrets) every Secret's data, every credential-named input (at
    any depth, chart values included) and every secret-named environment variable is a secret."""
    messages = []
    for path, text in _strings(resource.props, ""):
        for what, pattern in _CREDENTIAL_PATTERNS.items():
            if pattern.search(text) and (resource.secret_paths is None or _is_plain(resource, path, text)):
                messages.append(f"{path} holds {what} in plain text")
    if resource.type == "kubernetes:core/v1:Secret":
        for field in ("data", "stringData"):
            entries = resource.props.get(field)
            if isinstance(entries, Mapping):
                messages += [
                    f"{field}.{k} is not a secret"
                    for k, v in entries.items()
                    if _is_plain(resource, f"{field}.{k}", v)
                ]
    for path, text in _strings(resource.props, ""):
        key = re.split(r"[.\[]", path)[-1]
        if _SECRET_KEY.search(key) and _is_plain(resource, path, text):
            messages.append(f"{path} is not a secret")
    for path, container in containers(resource):
        for i, env in enumerate(container.get("env") or []):
            name = str(env.get("name") or "")
            value = env.get("value")
            if _SECRET_ENV_NAME.search(name) and _is_plain(resource, f"{path}.env[{i}].value", value):
                messages.append(f"{path}.env[{i}] ({name}) has a literal value; use a secretKeyRef")
    return list(dict.fromkeys(messages))  # a Secret's `password` entry is found by two checks


POLICIES: tuple[Policy, ...] = (
    Policy(
        "gpu-pools-tainted",
        "GPU node pools carry the nvidia.com/gpu NoSchedule taint.",
        resource_check=gpu_pools_tainted,
    ),
    Policy(
        "containers-have-requests-and-limits",
        "Every container sets resource requests and limits.",
        resource_check=containers_have_requests_and_limits,
    ),
    Policy(
        "images-pinned",
        "No container image is untagged or uses the `latest` tag.",
        resource_check=images_pinned,
    ),
    Policy(
        "public-load-balancer-behind-login",
        "No internet-facing load balancer without the oauth2-proxy login in front.",
        stack_check=public_load_balancers_behind_login,
    ),
    Policy(
        "prod-stateful-resources-protected",
        "prod's stateful resources are protected.",
        resource_check=prod_stateful_resources_protected,
    ),
    Policy("no-plain-text-secrets", "No credential in plain text.", resource_check=no_plain_text_secrets),
)


@dataclass(frozen=True)
class Violation:
    """A policy a resource breaks."""

    policy: str
    urn: str
    message: str


def evaluate(resources: Sequence[Resource], policies: Sequence[Policy] = POLICIES) -> list[Violation]:
    """Every violation of every policy over the resources (resource checks first, in order)."""
    out: list[Violation] = []
    for policy in policies:
        if policy.resource_check is not None:
            for resource in resources:
                out += [Violation(policy.name, resource.urn, m) for m in policy.resource_check(resource)]
        if policy.stack_check is not None:
            out += [Violation(policy.name, r.urn, m) for r, m in policy.stack_check(resources)]
    return out
