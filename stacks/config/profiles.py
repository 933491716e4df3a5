"""`kfstack:profiles`: one Kubeflow profile (a namespace with owner, contributors and quota) per team."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from stacks.config.base import ConfigModel

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
DNS_LABEL_PATTERN = r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$"


class ProfileConfig(ConfigModel):
    """A team's profile: its namespace is `name`, owned by `owner` (the e-mail users log in with)."""

    name: str = Field(pattern=DNS_LABEL_PATTERN, description="Profile and namespace name (DNS-1123 label).")
    owner: str = Field(pattern=EMAIL_PATTERN, description="Owner's login e-mail (Dex `email` claim).")
    contributors: list[Annotated[str, StringConstraints(pattern=EMAIL_PATTERN)]] = Field(
        default_factory=list, description="E-mails that may edit in the namespace (Kubeflow `edit`)."
    )
    resource_quota: dict[str, str] = Field(
        default_factory=dict,
        description="ResourceQuota `hard` limits, e.g. {cpu: '32', requests.nvidia.com/gpu: '4'}.",
    )
