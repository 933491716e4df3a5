"""Fixtures for the KFP resource tests: the contract-checked API server, connections, specs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from modules.kfp.connection import KfpConnection
from modules.kfp.errors import RetryPolicy
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import NAMESPACE, Sleeps
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


@pytest.fixture
def connection(kfp_server: KfpApiServer) -> KfpConnection:
    """A connection to the test server without auth (standalone KFP / port-forward)."""
    return KfpConnection(endpoint=kfp_server.url, namespace=NAMESPACE, auth="none", timeout_seconds=5)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def retry(sleeps: Sleeps) -> RetryPolicy:
    """Four attempts, 0.5 s base delay, recorded instead of slept."""
    return RetryPolicy(attempts=4, base_delay=0.5, max_delay=8.0, sleep=sleeps)
