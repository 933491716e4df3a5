"""Container image references and the private-registry rewrite (dependency-free: the config schema,
the modules and the plan share it).

With `kfstack:images.registry` set, every image the stack installs is pulled from that registry
instead: `docker.io/istio/pilot:1.29.0` becomes `registry.example.com/mirror/docker.io/istio/pilot:1.29.0`
(the source registry kept as the first path segment, so `quay.io/x/y` and `docker.io/x/y` stay apart),
or `registry.example.com/mirror/istio/pilot:1.29.0` with `includeSourceRegistry: false`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

DOCKER_HUB = "docker.io"
_REGISTRY_PART = re.compile(r"^(localhost|[^/]*[.:][^/]*)$")
"""The first path segment names a registry when it has a dot or a port, or is `localhost` (docker's rule)."""
_REPOSITORY = re.compile(r"^[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*(/[a-z0-9]+(([._]|__|-+)[a-z0-9]+)*)*$")
_TAG = re.compile(r"^\w[\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+([+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
"""The distribution spec's grammar for repository paths, tags and digests."""


@dataclass(frozen=True)
class ImageRef:
    """An image reference split the way charts take it: registry, repository, tag and/or digest."""

    registry: str
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, reference: str) -> ImageRef:
        """Split `reference`; Docker Hub short names get `docker.io` (and `library/` for one segment)."""
        rest, at, digest_part = reference.partition("@")
        digest = digest_part if at else None
        tag = None
        last_slash = rest.rfind("/")
        if ":" in rest[last_slash + 1 :]:
            rest, tag = rest.rsplit(":", 1)
        first, _, remainder = rest.partition("/")
        if remainder and _REGISTRY_PART.match(first):
            registry, repository = first, remainder
        else:
            registry, repository = DOCKER_HUB, rest
        if registry == DOCKER_HUB and "/" not in repository:
            repository = f"library/{repository}"
        if (
            not _REPOSITORY.match(repository)
            or (tag is not None and not _TAG.match(tag))
            or (digest is not None and not _DIGEST.match(digest))
        ):
            raise ValueError(f"not an image reference: {reference!r}")
        return cls(registry, repository, tag, digest)

    @property
    def reference(self) -> str:
        """The full reference, `registry/repository[:tag][@digest]`."""
        tag = f":{self.tag}" if self.tag else ""
        digest = f"@{self.digest}" if self.digest else ""
        return f"{self.registry}/{self.repository}{tag}{digest}"

    @property
    def version(self) -> str:
        """The tag, or the digest when there is no tag (what a chart's `tag` value takes)."""
        return self.tag or self.digest or ""


@dataclass(frozen=True)
class ImageMirror:
    """Where images are pulled from: None keeps every image's own registry."""

    registry: str | None = None
    include_source_registry: bool = True

    def image(self, reference: str) -> ImageRef:
        """`reference` as it is pulled under this setting."""
        return self.ref(ImageRef.parse(reference))

    def ref(self, ref: ImageRef) -> ImageRef:
        """`ref` moved to the mirror registry (unchanged without one)."""
        if self.registry is None:
            return ref
        host, _, path = self.registry.partition("/")
        prefix = [p for p in (path, ref.registry if self.include_source_registry else "") if p]
        return replace(ref, registry=host, repository="/".join([*prefix, ref.repository]))

    def registry_prefix(self, source_registry: str) -> str:
        """What replaces `source_registry` for charts that take one `registry`/`hub` value for all images."""
        if self.registry is None:
            return source_registry
        return self.registry + (f"/{source_registry}" if self.include_source_registry else "")

    def hub(self, hub: str) -> str:
        """A registry plus repository prefix (Istio's `global.hub`, `docker.io/istio`) under this setting."""
        if self.registry is None:
            return hub
        first, _, rest = hub.partition("/")
        if not (rest and _REGISTRY_PART.match(first)):
            first, rest = DOCKER_HUB, hub
        return "/".join(p for p in (self.registry_prefix(first), rest) if p)

    def mirrors(self, reference: str) -> bool:
        """Whether `reference` is pulled from the mirror registry (always true without one)."""
        if self.registry is None:
            return True
        return ImageRef.parse(reference).reference.startswith(self.registry.rstrip("/") + "/")

    def __call__(self, reference: str) -> str:
        """The full reference of `reference` as pulled under this setting."""
        return self.image(reference).reference


NO_MIRROR = ImageMirror()
"""Every image from its own registry (the default)."""


_SHA256_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def digest_pinned(reference: str) -> ImageRef:
    """`reference` parsed, provided it names its content by digest: `repo:tag@sha256:<64 hex>` or
    `repo@sha256:<64 hex>`; ValueError saying what is wrong otherwise."""
    try:
        ref = ImageRef.parse(reference)
    except ValueError:
        raise ValueError("not an image reference (expected repo:tag@sha256:<64 hex> or "
                         "repo@sha256:<64 hex>)") from None
    if ref.digest is None:
        raise ValueError("must be pinned by digest: repo:tag@sha256:<64 hex> or repo@sha256:<64 hex> "
                         "(the digest runtime-image.yml prints)")
    if not _SHA256_DIGEST.match(ref.digest):
        raise ValueError("the digest must be sha256: followed by 64 lowercase hex characters")
    return ref
