"""Fixtures: the real gateway process, clients connected to it, unique names."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the junction_client package
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/ helpers

from gateway import Gateway, junction_binary, start_gateway  # noqa: E402

from junction_client import JunctionClient  # noqa: E402


def _require_binary() -> None:
    problem = ""
    try:
        junction_binary()
    except RuntimeError as error:
        problem = str(error)
    if problem:
        pytest.fail(problem, pytrace=False)


def _start(data_dir: Path, extra_args=()) -> Gateway:
    problem = ""
    try:
        return start_gateway(data_dir, extra_args)
    except RuntimeError as error:
        problem = str(error)
    pytest.fail(problem, pytrace=False)


@pytest.fixture(scope="session")
def shared_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """One gateway for the whole session (tests keep apart by using unique sources)."""
    _require_binary()
    gateway = _start(tmp_path_factory.mktemp("gateway") / "data")
    yield gateway
    gateway.stop()


@pytest.fixture
def gateway(shared_gateway: Gateway) -> Iterator[Gateway]:
    """The shared gateway; the test fails if the process is not alive before and after it."""
    assert shared_gateway.alive(), f"gateway died before this test:\n{shared_gateway.stderr_tail()}"
    yield shared_gateway
    assert shared_gateway.alive(), f"gateway process died during this test:\n{shared_gateway.stderr_tail()}"


@pytest.fixture
def private_gateway(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[object]:
    """A factory for a gateway of the test's own, started with extra arguments and stopped after the test."""
    _require_binary()
    started: List[Gateway] = []

    def start(*extra_args: str) -> Gateway:
        gateway = _start(tmp_path / f"data{len(started)}", extra_args)
        started.append(gateway)
        return gateway

    yield start
    for gateway in started:
        gateway.stop()


@pytest.fixture
def clients(gateway: Gateway) -> Iterator[object]:
    """A factory of connected clients to the shared gateway, all closed after the test."""
    opened: List[JunctionClient] = []

    def connect(**options) -> JunctionClient:
        client = gateway.connect(**options)
        opened.append(client)
        return client

    yield connect
    for client in opened:
        client.close(timeout=5.0)


@pytest.fixture
def unique() -> object:
    """Returns a function making a unique name from a prefix (keeps tests on the shared gateway apart)."""

    def make(prefix: str) -> str:
        return f"{prefix}.{uuid.uuid4().hex[:12]}"

    return make
