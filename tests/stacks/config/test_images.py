"""`kfstack:images`: the registry every image is pulled from."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from modules.images import ImageMirror
from stacks.config.images import ImagesConfig


def test_unset_registry_keeps_every_image_where_it_is() -> None:
    assert ImagesConfig().mirror() == ImageMirror(None, True)


def test_registry_and_layout_make_the_mirror() -> None:
    config = ImagesConfig.model_validate(
        {"registry": "registry.example.com:5000/mirror", "includeSourceRegistry": False}
    )
    assert config.mirror() == ImageMirror("registry.example.com:5000/mirror", False)
    assert config.mirror()("quay.io/a/b:1") == "registry.example.com:5000/mirror/a/b:1"


@pytest.mark.parametrize(
    "registry",
    ["registry.example.com", "localhost:5000", "123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/sub"],
)
def test_a_host_with_optional_port_and_path_is_accepted(
    problems: Callable[..., dict[str, str]], registry: str
) -> None:
    assert problems(images={"registry": registry}) == {}


@pytest.mark.parametrize(
    "registry",
    ["https://registry.example.com", "registry.example.com/", "Registry.example.com", "reg/with space"],
)
def test_a_url_trailing_slash_or_upper_case_is_rejected_at_its_key(
    problems: Callable[..., dict[str, str]], registry: str
) -> None:
    found = problems(images={"registry": registry})
    assert list(found) == ["kfstack:images.registry"]


def test_unknown_image_settings_are_errors(problems: Callable[..., dict[str, str]]) -> None:
    assert "kfstack:images.hub" in problems(images={"hub": "x"})
