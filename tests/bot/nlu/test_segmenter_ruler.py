import pytest

from bot.kb import load_kb
from bot.nlu.ruler import build_ruler_pipeline
from bot.nlu.segmenter import TokenRules, domain_segmenter, domain_words, segment


@pytest.fixture(scope="module")
def segmenter():
    return domain_segmenter(domain_words(load_kb()))


@pytest.fixture(scope="module")
def rules():
    kb = load_kb()
    return TokenRules(kb.surnames, kb.titles, domain_words(kb))


@pytest.fixture(scope="module")
def ruler(segmenter):
    return build_ruler_pipeline(load_kb(), segmenter)


def test_mixed_chinese_and_latin_text_has_no_whitespace_tokens(segmenter, rules):
    tokens = segment(segmenter, "check下 balance 我的 usd 账户", rules)
    assert all(word.strip() for word, _, _ in tokens)
    assert [word for word, _, _ in tokens][:2] == ["check", "下"]


def test_domain_words_stay_whole(segmenter, rules):
    words = [word for word, _, _ in segment(segmenter, "我想买稳享365天和大额存单", rules)]
    assert "稳享365天" in words
    assert "大额存单" in words


def test_token_offsets_point_into_the_text(segmenter, rules):
    text = "帮我查一下 HKD 余额"
    for word, start, end in segment(segmenter, text, rules):
        assert text[start:end] == word


@pytest.mark.parametrize(
    "text, label, value",
    [
        ("稳享365收益怎么样", "product", "稳享365天"),
        ("美元qdii风险高吗", "product", "美元稳健QDII"),
        ("预约陆家嘴网点", "branch", "上海陆家嘴支行"),
        ("去国贸那边", "branch", "北京国贸支行"),
    ],
)
def test_ruler_finds_kb_names_with_canonical_values(ruler, text, label, value):
    found = [(ent.label_, ent.ent_id_) for ent in ruler(text).ents]
    assert (label, value) in found


def test_ruler_finds_a_person_by_surname_and_title(ruler):
    spans = [(ent.label_, ent.text) for ent in ruler("我想找王经理聊聊").ents]
    assert ("person", "王经理") in spans


def test_a_common_word_is_not_a_person(ruler):
    assert not [ent for ent in ruler("白天去网点方便吗").ents if ent.label_ == "person"]


def _words(segmenter, rules, text):
    return [word for word, _, _ in segment(segmenter, text, rules)]


def test_amounts_and_dates_are_whole_tokens_so_entities_line_up(segmenter, rules):
    assert "3万" in _words(segmenter, rules, "卡里应该还有3万左右")
    assert "11月" in _words(segmenter, rules, "11月份的流水")
    assert _words(segmenter, rules, "扣了25usd")[-2:] == ["25", "usd"]


def test_relative_time_words_are_not_glued_to_the_next_word(segmenter, rules):
    assert _words(segmenter, rules, "这个月工资到了吗")[0] == "这个月"


def test_a_name_is_split_from_its_title_but_job_titles_stay_whole(segmenter, rules):
    assert _words(segmenter, rules, "我找李经理")[-2:] == ["李", "经理"]
    assert "客户经理" in _words(segmenter, rules, "我的客户经理在吗")


def test_product_names_with_digits_stay_whole(segmenter, rules):
    assert _words(segmenter, rules, "稳享365天和养老目标2045")[::2] == ["稳享365天", "养老目标2045"]


def test_offsets_stay_exact_after_number_and_name_splits(segmenter, rules):
    text = "找王总换5万usd，尾号1234"
    for word, start, end in segment(segmenter, text, rules):
        assert text[start:end] == word
