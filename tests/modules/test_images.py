"""Image references split the way charts take them, and their rewrite to a mirror registry."""

from __future__ import annotations

import pytest

from modules.images import NO_MIRROR, ImageMirror, ImageRef

MIRROR = ImageMirror("registry.example.com/mirror")


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("docker.io/istio/pilot:1.29.0", ImageRef("docker.io", "istio/pilot", "1.29.0")),
        ("busybox:1.28", ImageRef("docker.io", "library/busybox", "1.28")),
        ("kserve/agent:v0.16.0", ImageRef("docker.io", "kserve/agent", "v0.16.0")),
        ("ghcr.io/kubeflow/kfp-frontend", ImageRef("ghcr.io", "kubeflow/kfp-frontend")),
        ("localhost:5000/team/app:1", ImageRef("localhost:5000", "team/app", "1")),
        ("localhost/app", ImageRef("localhost", "app")),
        (
            "public.ecr.aws/karpenter/controller:1.14.0@sha256:abababababababababababababababababababababababababababababababab",
            ImageRef(
                "public.ecr.aws",
                "karpenter/controller",
                "1.14.0",
                "sha256:abababababababababababababababababababababababababababababababab",
            ),
        ),
        (
            "gcr.io/knative/queue@sha256:dededededededededededededededededededededededededededededededede",
            ImageRef(
                "gcr.io",
                "knative/queue",
                None,
                "sha256:dededededededededededededededededededededededededededededededede",
            ),
        ),
    ],
)
def test_parse_splits_registry_repository_tag_and_digest(reference: str, expected: ImageRef) -> None:
    assert ImageRef.parse(reference) == expected


@pytest.mark.parametrize(
    "reference", ["", "x:", "x@", "ghcr.io/", "Upper/Case", "a/b:{{ .Tag }}", "x@sha256:zz"]
)
def test_parse_rejects_what_is_not_a_reference(reference: str) -> None:
    with pytest.raises(ValueError, match="not an image reference"):
        ImageRef.parse(reference)


def test_reference_joins_the_parts_and_version_prefers_the_tag() -> None:
    ref = ImageRef(
        "public.ecr.aws",
        "karpenter/controller",
        "1.14.0",
        "sha256:abababababababababababababababababababababababababababababababab",
    )
    assert (
        ref.reference
        == "public.ecr.aws/karpenter/controller:1.14.0@sha256:abababababababababababababababababababababababababababababababab"
    )
    assert ref.version == "1.14.0"
    assert (
        ImageRef(
            "gcr.io", "x/y", digest="sha256:abababababababababababababababababababababababababababababababab"
        ).version
        == "sha256:abababababababababababababababababababababababababababababababab"
    )


def test_without_a_registry_every_image_keeps_its_own() -> None:
    assert NO_MIRROR("quay.io/jetstack/cert-manager-controller:v1.19.4") == (
        "quay.io/jetstack/cert-manager-controller:v1.19.4"
    )
    assert NO_MIRROR("busybox:1.28") == "docker.io/library/busybox:1.28"
    assert NO_MIRROR.hub("docker.io/istio") == "docker.io/istio"
    assert NO_MIRROR.registry_prefix("quay.io") == "quay.io"
    assert NO_MIRROR.mirrors("quay.io/x/y:1")


def test_mirror_keeps_the_source_registry_as_the_first_path_segment() -> None:
    assert (
        MIRROR("docker.io/istio/pilot:1.29.0") == "registry.example.com/mirror/docker.io/istio/pilot:1.29.0"
    )
    assert MIRROR("busybox:1.28") == "registry.example.com/mirror/docker.io/library/busybox:1.28"
    ref = MIRROR.image("quay.io/oauth2-proxy/oauth2-proxy")
    assert (ref.registry, ref.repository, ref.tag) == (
        "registry.example.com",
        "mirror/quay.io/oauth2-proxy/oauth2-proxy",
        None,
    )


def test_mirror_without_source_registry_drops_it_and_keeps_the_digest() -> None:
    flat = ImageMirror("registry.example.com:5000", include_source_registry=False)
    assert flat(
        "public.ecr.aws/karpenter/controller:1.14.0@sha256:abababababababababababababababababababababababababababababababab"
    ) == (
        "registry.example.com:5000/karpenter/controller:1.14.0@sha256:abababababababababababababababababababababababababababababababab"
    )
    assert flat.hub("docker.io/istio") == "registry.example.com:5000/istio"
    assert flat.registry_prefix("quay.io") == "registry.example.com:5000"


def test_hub_is_a_prefix_not_an_image() -> None:
    assert MIRROR.hub("docker.io/istio") == "registry.example.com/mirror/docker.io/istio"
    assert MIRROR.hub("istio") == "registry.example.com/mirror/docker.io/istio"
    assert MIRROR.hub("gcr.io/istio-release") == "registry.example.com/mirror/gcr.io/istio-release"
    assert MIRROR.registry_prefix("quay.io") == "registry.example.com/mirror/quay.io"


def test_mirrors_is_true_only_below_the_mirror_path() -> None:
    assert MIRROR.mirrors("registry.example.com/mirror/quay.io/x/y:1")
    assert not MIRROR.mirrors("quay.io/x/y:1")
    assert not MIRROR.mirrors("registry.example.com/other/x:1")
    assert not MIRROR.mirrors("registry.example.com/mirrored/x:1")


def test_a_mirror_keeps_the_digest_of_a_digest_pinned_image() -> None:
    from modules.images import digest_pinned

    digest = "sha256:" + "f" * 64
    ref = digest_pinned(f"ghcr.io/kfstack/pipelines-runtime:0.2.0@{digest}")
    assert (ref.tag, ref.digest) == ("0.2.0", digest)
    assert ImageMirror("registry.example.com/mirror").ref(ref).reference == (
        f"registry.example.com/mirror/ghcr.io/kfstack/pipelines-runtime:0.2.0@{digest}")
