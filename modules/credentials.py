"""Generated credentials for environments that need no configured ones (local): random values kept
in the Pulumi state as secrets."""

from __future__ import annotations

import pulumi
import pulumi_random as random


def random_secret(name: str, length: int, opts: pulumi.ResourceOptions) -> random.RandomPassword:
    """A random alphanumeric value of `length` characters; its `result` and `bcrypt_hash` are secrets."""
    return random.RandomPassword(name, length=length, special=False, opts=opts)
