"""Every text a client reads is in the domain, in both scripts."""
import re

import opencc
import pytest
from rasa.shared.core.domain import Domain

from bot.nlu.normalise import Script, detect_script
from tests.conftest import ROOT

TRADITIONAL = [{"type": "slot", "name": "script", "value": "traditional"}]


@pytest.fixture(scope="module")
def responses():
    return Domain.load(str(ROOT / "domain")).responses


def test_every_response_has_a_simplified_and_a_traditional_variant(responses):
    for name, variants in responses.items():
        default = [v for v in variants if not v.get("condition")]
        traditional = [v for v in variants if v.get("condition") == TRADITIONAL]
        assert default, f"{name} has no Simplified default"
        assert traditional, f"{name} has no Traditional variant"


def test_traditional_variants_are_traditional_and_say_the_same(responses):
    to_simplified = opencc.OpenCC("t2s")
    for name, variants in responses.items():
        default = next(v["text"] for v in variants if not v.get("condition"))
        traditional = next(v["text"] for v in variants if v.get("condition") == TRADITIONAL)
        assert detect_script(default) != Script.TRADITIONAL, name
        if detect_script(default) == Script.SIMPLIFIED:
            assert detect_script(traditional) == Script.TRADITIONAL, name
        # same numbers (phone lines, limits, amounts) in both scripts
        assert re.findall(r"\d+", default) == re.findall(r"\d+", to_simplified.convert(traditional)), name


def test_buttons_read_in_the_clients_script_and_do_the_same(responses):
    for name, variants in responses.items():
        default = next(v for v in variants if not v.get("condition"))
        traditional = next(v for v in variants if v.get("condition") == TRADITIONAL)
        default_buttons, traditional_buttons = default.get("buttons") or [], traditional.get("buttons") or []
        assert [b["payload"] for b in default_buttons] == [b["payload"] for b in traditional_buttons], name
        for button in traditional_buttons:
            assert detect_script(button["title"]) != Script.SIMPLIFIED, f"{name}: {button['title']}"


def test_actions_utter_domain_responses_only():
    """Actions name a domain response; they never compose client text themselves."""
    offenders = []
    for path in (ROOT / "actions").rglob("*.py"):
        source = path.read_text("utf-8")
        for call in re.findall(r"utter_message\(([^)]*)\)", source):
            if "response=" not in call or re.search(r"\btext\s*=", call):
                offenders.append(f"{path.name}: utter_message({call})")
    assert not offenders, offenders
