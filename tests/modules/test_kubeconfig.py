"""EKS kubeconfigs authenticate with `aws eks get-token` and hold no credential."""

from __future__ import annotations

import json

from modules.kubeconfig import eks_kubeconfig


def test_kubeconfig_authenticates_with_aws_eks_get_token_and_holds_no_credential() -> None:
    config = json.loads(eks_kubeconfig("kfstack-dev", "https://example.eks", "Q0E=", "us-west-2"))
    assert config["clusters"][0]["cluster"] == {
        "server": "https://example.eks",
        "certificate-authority-data": "Q0E=",
    }
    user = config["users"][0]["user"]
    assert set(user) == {"exec"}
    assert user["exec"]["command"] == "aws"
    assert user["exec"]["args"] == ["eks", "get-token", "--cluster-name", "kfstack-dev", "--region", "us-west-2"]
    assert config["current-context"] == "kfstack-dev"
