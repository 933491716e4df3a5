"""Generated credentials: a RandomPassword of the asked length, alphanumeric, with the given options."""

from __future__ import annotations

import pulumi

from modules.credentials import random_secret

PASSWORD = "random:index/randomPassword:RandomPassword"


def test_a_random_secret_is_alphanumeric_of_the_asked_length_and_takes_the_options(record) -> None:
    def program() -> None:
        parent = pulumi.ComponentResource("test:index:Parent", "parent")
        random_secret("cookie", 32, pulumi.ResourceOptions(parent=parent))

    password = record(program).one(PASSWORD, "cookie")
    assert password.inputs["length"] == 32
    assert password.inputs["special"] is False  # cookie secrets and Dex passwords are typed and pasted
    assert password.parent.endswith("test:index:Parent::parent")
