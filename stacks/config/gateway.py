"""`kfstack:gateway`: how the Istio ingress gateway is reached and how its TLS certificate is made."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import Field

from stacks.config.base import ConfigModel
from stacks.config.rules import Violation, violation

LETSENCRYPT = "https://acme-v02.api.letsencrypt.org/directory"


class GatewayTlsConfig(ConfigModel):
    """The gateway's certificate: cert-manager self-signed, ACME, or a Secret you provide."""

    mode: Literal["selfSigned", "acme", "existingSecret"] = Field(
        "selfSigned", description="selfSigned (local only), acme (HTTP-01) or existingSecret."
    )
    acme_email: str | None = Field(None, pattern=r"^[^@\s]+@[^@\s]+$", description="ACME account e-mail.")
    acme_server: str = Field(LETSENCRYPT, description="ACME directory URL.")
    secret_name: str | None = Field(
        None, description="existingSecret: a kubernetes.io/tls Secret in istio-system that you manage."
    )

    def rule_problems(self) -> Iterator[Violation]:
        if self.mode == "acme" and self.acme_email is None:
            yield violation("acmeEmail", "required when mode is 'acme'")
        if self.mode == "existingSecret" and self.secret_name is None:
            yield violation("secretName", "required when mode is 'existingSecret'")
        if self.mode != "existingSecret" and self.secret_name is not None:
            yield violation("secretName", f"only used when mode is 'existingSecret' (mode is '{self.mode}')")


class GatewayConfig(ConfigModel):
    """The Kubeflow ingress: hostname, Service exposure and TLS."""

    hostname: str | None = Field(
        None,
        max_length=253,
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        description="DNS name users open (required outside local).",
    )
    load_balancer: Literal["none", "internal", "internetFacing"] | None = Field(
        None,
        description=(
            "EKS: an NLB, internal (default) or internet-facing; `none` (and every existing cluster): "
            "a ClusterIP Service reached by port-forward."
        ),
    )
    tls: GatewayTlsConfig = Field(default_factory=GatewayTlsConfig)

    def rule_problems(self) -> Iterator[Violation]:
        if self.tls.mode == "acme" and self.load_balancer != "internetFacing":
            yield violation(
                ("tls", "mode"),
                "ACME HTTP-01 needs loadBalancer: internetFacing (the CA must reach the gateway); "
                "use mode: existingSecret behind an internal load balancer",
                "acme",
            )
