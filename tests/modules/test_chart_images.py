"""The image values each chart-installing module sets with a mirror registry (and none without one).

Whether the charts render every image from those values is checked by rendering them:
tests/kfstack/plan/test_mirrored_images.py.
"""

from __future__ import annotations

from modules.cert_manager import cert_manager_values
from modules.cluster_autoscaler import autoscaler_values
from modules.dex import dex_values
from modules.gpu import device_plugin_values
from modules.images import NO_MIRROR, ImageMirror
from modules.istio import istiod_values
from modules.karpenter import controller_values
from modules.mesh_auth import jwks_proxy_container
from modules.oauth2_proxy import oauth2_proxy_values

MIRROR = ImageMirror("registry.example.com/mirror")
M = "registry.example.com/mirror"


def test_cert_manager_pulls_all_five_images_from_the_mirror() -> None:
    values = cert_manager_values(MIRROR)
    assert values["image"] == {"repository": f"{M}/quay.io/jetstack/cert-manager-controller"}
    for part in ("webhook", "cainjector", "acmesolver", "startupapicheck"):
        assert values[part]["image"] == {"repository": f"{M}/quay.io/jetstack/cert-manager-{part}"}


def test_istiod_hub_covers_pilot_and_the_injected_proxy() -> None:
    assert istiod_values(MIRROR)["global"] == {"hub": f"{M}/docker.io/istio"}
    flat = ImageMirror(M, include_source_registry=False)
    assert istiod_values(flat)["global"] == {"hub": f"{M}/istio"}


def test_dex_and_oauth2_proxy_keep_the_matrix_tag() -> None:
    assert dex_values("v2.45.0", MIRROR)["image"] == {
        "repository": f"{M}/ghcr.io/dexidp/dex",
        "tag": "v2.45.0",
    }
    assert oauth2_proxy_values("v7.14.3", "", MIRROR)["image"] == {
        "registry": "registry.example.com",
        "repository": "mirror/quay.io/oauth2-proxy/oauth2-proxy",
        "tag": "v7.14.3",
    }


def test_device_plugin_karpenter_and_the_jwks_proxy_pull_from_the_mirror() -> None:
    assert device_plugin_values(1, MIRROR)["image"] == {"repository": f"{M}/nvcr.io/nvidia/k8s-device-plugin"}
    karpenter = controller_values("c", "https://e", "arn:aws:iam::1:role/k", MIRROR)["controller"]
    assert karpenter["image"] == {"repository": f"{M}/public.ecr.aws/karpenter/controller"}
    assert "resources" in karpenter
    assert jwks_proxy_container(MIRROR)["image"] == f"{M}/registry.k8s.io/kubectl:v1.34.1"
    assert autoscaler_values("c", "us-east-1", "v1.33.6", MIRROR)["image"] == {
        "repository": f"{M}/registry.k8s.io/autoscaling/cluster-autoscaler",
        "tag": "v1.33.6",
    }


def test_without_a_mirror_the_charts_keep_their_own_images() -> None:
    assert "image" not in cert_manager_values(NO_MIRROR)
    assert "global" not in istiod_values(NO_MIRROR)
    assert dex_values("v2.45.0", NO_MIRROR)["image"] == {"tag": "v2.45.0"}
    assert oauth2_proxy_values("v7.14.3", "", NO_MIRROR)["image"] == {"tag": "v7.14.3"}
    assert "image" not in device_plugin_values(1, NO_MIRROR)
    assert "image" not in controller_values("c", "e", "r", NO_MIRROR)["controller"]
    assert jwks_proxy_container()["image"] == "registry.k8s.io/kubectl:v1.34.1"
    assert autoscaler_values("c", "us-east-1", "v1.34.5")["image"] == {
        "repository": "registry.k8s.io/autoscaling/cluster-autoscaler",  # the chart's own
        "tag": "v1.34.5",
    }
