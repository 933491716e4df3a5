"""Fixtures for the KFP resource tests: connections and retries (the API server fixtures are in
tests/modules/kfp/fixtures.py, shared with every test through the root conftest)."""

from __future__ import annotations

import pytest

from modules.kfp.connection import KfpConnection
from modules.kfp.errors import RetryPolicy
from tests.modules.kfp.kfp_api_server import KfpApiServer
from tests.modules.kfp.support import NAMESPACE, Sleeps


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
