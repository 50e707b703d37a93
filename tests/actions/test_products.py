"""Product questions: facts from the catalogue, the disclosure, names and aliases, follow-ups."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping

import pytest

from actions.follow_up import ActionFollowUp
from actions.products import ActionProductInquiry
from bot.money import format_money
from bot.profile.queries import product, products
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.replies import reply_texts

DISCLOSURE = "理财非存款，产品有风险，投资须谨慎。"
DISCLOSURE_HANT = "理財非存款，產品有風險，投資須謹慎。"


def read(messages: List[Dict[str, Any]], domain: Mapping[str, Any], slots: Mapping[str, Any]) -> List[str]:
    """What the client reads (tests.actions.replies), in this module's argument order."""
    return reply_texts(domain, messages, slots)


def ask(domain, text: str, entities=None, slots=None, intent: str = "product_inquiry"):
    tracker = verified_tracker(None, text, intent, entities=entities, slots=slots)
    messages, events = run_action(ActionProductInquiry(), tracker, domain)
    return messages, events, read(messages, domain, tracker.current_slot_values())


def test_a_named_product_is_answered_with_the_catalogues_facts_and_the_disclosure(domain, session):
    messages, _, (reply,) = ask(domain, "天天利收益怎么样", [{"entity": "product", "value": "天天利"}])
    facts = product(session, "天天利")
    assert facts is not None
    for fact in (facts.benchmark, facts.liquidity, facts.fees, facts.issuer, facts.risk,
                 format_money(facts.min_purchase, facts.currency)):
        assert fact in reply
    assert "低风险" in reply and "无固定期限" in reply
    assert reply.endswith(DISCLOSURE)


def test_the_term_and_a_foreign_minimum(domain, session):
    _, _, (reply,) = ask(domain, "美元稳健QDII期限多久", [{"entity": "product", "value": "美元稳健QDII"}])
    assert "期限：182天" in reply and "起购金额：1,000.00 美元" in reply


def test_an_alias_in_the_text_finds_the_product_without_an_entity(domain, session):
    _, events, (reply,) = ask(domain, "稳享一年起购多少钱")
    assert "【稳享365天】" in reply and "10,000.00 元" in reply
    assert events[-1]["value"] == {"action": "action_product_inquiry", "entities": {"product": ["稳享365天"]}}


def test_products_off_sale_and_for_private_banking_say_so(domain):
    _, _, (reply,) = ask(domain, "鑫享两年和量化私募", [{"entity": "product", "value": "鑫享两年"},
                                                   {"entity": "product", "value": "量化精选私募"}])
    assert "【鑫享两年】" in reply and "该产品目前暂停销售。" in reply
    assert "【量化精选私募】" in reply and "仅向私人银行合格投资者销售" in reply


def test_an_unknown_product_offers_the_closest_ones_as_buttons(domain):
    messages, _, (reply,) = ask(domain, "天天乐收益怎么样", [{"entity": "product", "value": "天天乐"}])
    assert reply.startswith("没有找到“天天乐”这款产品") and reply.endswith(DISCLOSURE)
    button = messages[0]["buttons"][0]
    assert button["title"] == "天天利"
    assert button["payload"].startswith("/product_inquiry")
    assert json.loads(button["payload"][len("/product_inquiry"):]) == {"product": "天天利"}


def test_a_type_lists_the_products_on_sale_of_that_type(domain, session):
    messages, _, (reply,) = ask(domain, "你们有哪些基金", [{"entity": "product_type", "value": "基金"}])
    on_sale = products(session, on_sale=True, product_type="基金")
    assert [button["title"] for button in messages[0]["buttons"]] == [item.name for item in on_sale]
    assert f"目前在售的基金产品有{len(on_sale)}款" in reply
    assert "全球配置FOF" not in reply  # suspended
    assert reply.endswith(DISCLOSURE)


def test_a_question_about_no_product_asks_which(domain):
    messages, _, (reply,) = ask(domain, "想了解一下产品")
    assert messages[0]["response"] == "utter_product_ask_which"
    assert DISCLOSURE in reply


def _follow_up(domain, text, entities, remembered):
    tracker = verified_tracker(None, text, "inform", entities=entities, slots={"last_query": remembered})
    messages, events = run_action(ActionFollowUp(), tracker, domain)
    return events, read(messages, domain, tracker.current_slot_values())


def test_follow_up_with_another_product(domain):
    remembered = {"action": "action_product_inquiry", "entities": {"product": ["天天利"]}}
    _, (reply,) = _follow_up(domain, "那稳享90天呢", [{"entity": "product", "value": "稳享90天"}], remembered)
    assert "【稳享90天】" in reply and "【天天利】" not in reply


def test_follow_up_with_a_type_lists_the_type(domain):
    remembered = {"action": "action_product_inquiry", "entities": {"product": ["天天利"]}}
    _, (reply,) = _follow_up(domain, "那保险呢", [{"entity": "product_type", "value": "保险"}], remembered)
    assert reply.startswith("目前在售的保险产品有")


def test_a_traditional_client_reads_traditional(domain):
    messages, _, (reply,) = ask(domain, "穩享90天可以提前贖回嗎", slots={"script": "traditional"})
    assert "【穩享90天】" in reply and "風險等級：R2（中低風險）" in reply and "封閉期內不可贖回" in reply
    assert reply.endswith(DISCLOSURE_HANT)


@pytest.mark.parametrize("name", ["天天利", "稳享365天", "量化精选私募", "汇利结构性存款挂钩黄金", "美元一年定期"])
def test_every_answer_carries_the_disclosure(domain, name):
    _, _, replies = ask(domain, name, [{"entity": "product", "value": name}])
    assert replies and all(DISCLOSURE in reply for reply in replies)
