"""Every name in the desk package's ``__all__`` lists exists, every text the server uses is in
``bot/desk/texts.yml``, and the settings come from the environment as documented."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

import bot.desk
from bot.desk.settings import DEFAULT_DEMO_PASSCODE, DeskSettings
from bot.desk.texts import load_server_texts, script_for

MODULES = ["bot.desk", "bot.desk.app", "bot.desk.auth", "bot.desk.chat", "bot.desk.desk", "bot.desk.directory",
           "bot.desk.inputs", "bot.desk.rasa_client", "bot.desk.serve", "bot.desk.services", "bot.desk.settings",
           "bot.desk.streams", "bot.desk.texts", "bot.desk.views", "bot.handoff.live"]


@pytest.mark.parametrize("module", MODULES)
def test_all_names_exist(module: str) -> None:
    loaded = importlib.import_module(module)
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []


def test_every_text_key_the_server_uses_is_in_the_file() -> None:
    source = "\n".join(path.read_text("utf-8") for path in Path(bot.desk.__file__).parent.glob("*.py"))
    used = set(re.findall(r'DeskError\(\s*\d{3},\s*"([a-z_]+)"', source))
    used |= set(re.findall(r'"([a-z_]+)"\)', "\n".join(re.findall(r"_STATUS_KEYS = \{[^}]*\}", source))))
    used |= set(re.findall(r'short_text\([^)]*"([a-z_]+)"\)', source))
    texts = load_server_texts().texts
    assert used and sorted(used - set(texts)) == []
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in texts.values())  # Chinese, for the pages


def test_settings_from_the_environment(tmp_path: Path) -> None:
    token_file = tmp_path / "rasa_api_token"
    assert DeskSettings.from_environment({}, token_file) == DeskSettings()
    token_file.write_text("from-the-file\n")
    settings = DeskSettings.from_environment({"RASA_URL": "http://rasa:5005/", "DEMO_LOGIN": "off",
                                              "DESK_PORT": "9000"}, token_file)
    assert settings.rasa_url == "http://rasa:5005" and settings.rasa_api_token == "from-the-file"
    assert settings.demo_login is False and settings.port == 9000 and settings.demo_passcode == DEFAULT_DEMO_PASSCODE
    assert DeskSettings.from_environment({"RASA_API_TOKEN": "env"}, token_file).rasa_api_token == "env"
    assert "from-the-file" not in repr(settings)


@pytest.mark.parametrize("header, script", [
    (None, "simplified"), ("zh-CN,zh;q=0.9", "simplified"), ("zh-TW,zh;q=0.9", "traditional"),
    ("zh-Hant-HK", "traditional"), ("en-US,zh-HK;q=0.8", "traditional"), ("en-US,en", "simplified"),
])
def test_the_script_follows_the_first_chinese_language_accepted(header: str, script: str) -> None:
    assert script_for(header) == script
