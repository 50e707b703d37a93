from pathlib import Path

import pytest
import yaml

# the real assistant's session fixtures, shared by tests/e2e and tests/browser: one set of servers
# on the tests' ports (fixtures imported into two folders would start two sets on the same ports)
pytest_plugins = ["tests.e2e.services"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_CONTRACT = ROOT.parent / "shared" / "contract" / "nlu.yml"
VENDORED_CONTRACT = ROOT / "contract" / "nlu.yml"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def contract() -> dict:
    path = SHARED_CONTRACT if SHARED_CONTRACT.exists() else VENDORED_CONTRACT
    return yaml.safe_load(path.read_text("utf-8"))
