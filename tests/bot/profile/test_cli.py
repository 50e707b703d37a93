"""`python -m bot profile-init` and `python -m bot demo-clients`."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.profile.seed import DEMO_CLIENTS


def test_profile_init_then_demo_clients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("PROFILE_DATABASE_URL", f"sqlite:///{tmp_path / 'profile.db'}")
    monkeypatch.delenv("PROFILE_SEED_TODAY", raising=False)
    assert main(["profile-init"]) == 0
    assert "migrated; demo bank seeded" in capsys.readouterr().out
    assert main(["profile-init"]) == 0
    assert "schema up to date; demo bank up to date" in capsys.readouterr().out

    assert main(["demo-clients"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [row["id"] for row in printed] == [spec.id for spec in DEMO_CLIENTS]
    assert set(printed[0]) == {"id", "name", "tier", "risk_tolerance", "rm_id"}
    assert {row["tier"] for row in printed} == {"金卡", "白金", "钻石", "私人银行"}
