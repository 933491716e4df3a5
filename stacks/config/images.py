"""`kfstack:images`: pull every image the stack installs from a private registry (air-gapped installs)."""

from __future__ import annotations

from pydantic import Field

from modules.images import ImageMirror
from stacks.config.base import ConfigModel


class ImagesConfig(ConfigModel):
    """A private registry that mirrors every chart's and manifest's images."""

    registry: str | None = Field(
        None,
        pattern=r"^(localhost|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)*$",
        description=(
            "Registry host[:port][/path] every image is pulled from, e.g. registry.example.com/mirror "
            "(unset: each image's own registry)."
        ),
    )
    include_source_registry: bool = Field(
        True,
        description=(
            "Keep the source registry as the first path segment (registry.example.com/mirror/docker.io/"
            "istio/pilot); false drops it (registry.example.com/mirror/istio/pilot)."
        ),
    )

    def mirror(self) -> ImageMirror:
        """The rewrite this setting describes."""
        return ImageMirror(self.registry, self.include_source_registry)
