"""Finding the product a client means, on the real catalogue in kb/products.yml."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

import pytest

from bot.catalogue import closest, find_exact, mentioned_in, on_sale_of_type, resolve
from bot.kb import load_kb


@dataclass(frozen=True)
class Item:
    code: str
    name: str
    aliases: Tuple[str, ...]
    type: str
    on_sale: bool


@pytest.fixture(scope="module")
def catalogue() -> Tuple[Item, ...]:
    return tuple(Item(p.code, p.name, p.aliases, p.type, bool(p.raw.get("on_sale"))) for p in load_kb().products)


def _names(products) -> list:
    return [product.name for product in products]


@pytest.mark.parametrize("asked, meant", [
    ("天天利", "天天利"),
    ("稳享一年", "稳享365天"),  # an alias
    ("穩享一年", "稳享365天"),  # Traditional
    ("wm-ttl", "天天利"),  # a code, any case
    ("ＷＭ－ＴＴＬ", "天天利"),  # full-width
    ("黄金etf", "黄金ETF联接"),
])
def test_names_aliases_and_codes_find_the_product(catalogue, asked, meant):
    found = find_exact(catalogue, asked)
    assert found is not None and found.name == meant


def test_an_unknown_name_finds_nothing_exactly(catalogue):
    assert find_exact(catalogue, "天天乐") is None
    assert find_exact(catalogue, "") is None


def test_names_in_a_question_are_found_in_order_longest_first(catalogue):
    assert _names(mentioned_in(catalogue, "沪深300和黄金ETF哪个风险高")) == ["沪深300指数增强", "黄金ETF联接"]
    # 稳享365天 contains the alias 稳享365: one product, not two
    assert _names(mentioned_in(catalogue, "稳享365天可以提前赎回吗")) == ["稳享365天"]
    assert _names(mentioned_in(catalogue, "推荐一款理财")) == []


@pytest.mark.parametrize("question, meant", [
    ("金穗成张混合风险等级", "金穗成长混合"),  # one wrong character in a name of six
    ("量化精选私幕起投多少", "量化精选私募"),  # the alias 量化精选 is inside
])
def test_a_misspelt_name_in_a_question_resolves_when_it_is_clearly_one_product(catalogue, question, meant):
    resolution = resolve(catalogue, [], question)
    assert _names(resolution.found) == [meant]


def test_an_unknown_product_yields_the_closest_ones_as_suggestions(catalogue):
    resolution = resolve(catalogue, ["天天乐"], "天天乐收益多少")
    assert not resolution.resolved
    assert resolution.unknown == ("天天乐",)
    assert _names(resolution.suggestions)[0] == "天天利"


def test_a_short_name_with_a_wrong_character_is_offered_not_assumed(catalogue):
    resolution = resolve(catalogue, [], "纯债有选的费率是多少")
    assert resolution.found == ()
    assert _names(resolution.suggestions) == ["纯债优选"]


def test_a_name_between_two_products_suggests_both(catalogue):
    resolution = resolve(catalogue, ["稳享180天"], "")
    assert not resolution.resolved
    assert {"稳享90天", "臻盈180天"} <= set(_names(resolution.suggestions))
    assert len(resolution.suggestions) <= 3


def test_an_nlu_value_wins_over_the_text(catalogue):
    resolution = resolve(catalogue, ["现金宝货币"], "天天利和现金宝哪个好")
    assert _names(resolution.found) == ["现金宝货币"]


def test_short_aliases_match_only_exactly(catalogue):
    # 汇利 (two characters) must not be read into 汇率
    assert [match.product.name for match in closest(catalogue, "美元汇率多少")
            if match.product.name.startswith("汇利")] == []


def test_a_question_without_any_product_resolves_to_nothing(catalogue):
    resolution = resolve(catalogue, [], "你们有什么好的产品")
    assert resolution.found == () and resolution.suggestions == ()


def test_on_sale_of_a_type_leaves_out_what_is_not_on_sale(catalogue):
    funds = _names(on_sale_of_type(catalogue, "基金"))
    assert "全球配置FOF" not in funds  # suspended
    assert "现金宝货币" in funds
    assert all(product.type == "基金" and product.on_sale for product in on_sale_of_type(catalogue, "基金"))
    assert on_sale_of_type(catalogue, "黄金") == ()
