import pytest

from bot.kb import load_kb
from bot.nlu.ruler import build_ruler_pipeline
from bot.nlu.segmenter import domain_segmenter, domain_words, segment


@pytest.fixture(scope="module")
def segmenter():
    return domain_segmenter(domain_words(load_kb()))


@pytest.fixture(scope="module")
def ruler(segmenter):
    return build_ruler_pipeline(load_kb(), segmenter)


def test_mixed_chinese_and_latin_text_has_no_whitespace_tokens(segmenter):
    tokens = segment(segmenter, "check下 balance 我的 usd 账户")
    assert all(word.strip() for word, _, _ in tokens)
    assert [word for word, _, _ in tokens][:2] == ["check", "下"]


def test_domain_words_stay_whole(segmenter):
    words = [word for word, _, _ in segment(segmenter, "我想买稳享365天和大额存单")]
    assert "稳享365天" in words
    assert "大额存单" in words


def test_token_offsets_point_into_the_text(segmenter):
    text = "帮我查一下 HKD 余额"
    for word, start, end in segment(segmenter, text):
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
