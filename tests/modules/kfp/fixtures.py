"""The contract-checked KFP API test server as fixtures, for any test (a plugin of the root conftest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.swagger_contract import SwaggerContract, swagger_path


@pytest.fixture(scope="session")
def contract() -> SwaggerContract:
    """The KFP 2.16 v2beta1 swagger; tests needing it skip with a reason when it is absent."""
    path = swagger_path()
    if not path.is_file():
        pytest.skip(f"KFP API swagger not found at {path}: place it there or set KFSTACK_KFP_SWAGGER")
    return SwaggerContract.load(path)


@pytest.fixture
def kfp_server(contract: SwaggerContract) -> Iterator[KfpApiServer]:
    """A fresh in-memory KFP API server; the test fails if any request or answer broke the contract."""
    with KfpApiServer(contract) as server:
        yield server
        assert not server.violations, "KFP API contract violations:\n" + "\n".join(server.violations)
