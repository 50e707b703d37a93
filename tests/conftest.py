import socket
from pathlib import Path

import pytest
import yaml

# the real assistant's session fixtures, shared by tests/e2e and tests/browser: one set of servers
# on the tests' ports (fixtures imported into two folders would start two sets on the same ports)
pytest_plugins = ["tests.e2e.services"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_CONTRACT = ROOT.parent / "shared" / "contract" / "nlu.yml"
VENDORED_CONTRACT = ROOT / "contract" / "nlu.yml"


def free_port() -> int:
    """A local port nobody listens on now (also what a service that is down looks like)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def contract() -> dict:
    path = SHARED_CONTRACT if SHARED_CONTRACT.exists() else VENDORED_CONTRACT
    return yaml.safe_load(path.read_text("utf-8"))
