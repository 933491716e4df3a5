"""A Helm chart at a pinned version (dependency-free: the compatibility matrix and the modules share it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HelmChart:
    """A chart at a pinned version: `repository` + `name`, or an `oci://` reference as `name`."""

    name: str
    version: str
    repository: str | None = None

    @property
    def chart_name(self) -> str:
        """The chart's own name (the last path segment of an OCI reference)."""
        return self.name.rsplit("/", 1)[-1]
