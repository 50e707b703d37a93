"""How a client message reads: accuracy on labelled examples, the rules one by one, any input."""
from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.handoff import SentimentLabel, load_lexicon, read_sentiment
from bot.handoff.sentiment import MAX_CHARS
from bot.nlu.normalise import Script, normalise

EXAMPLES = yaml.safe_load((Path(__file__).parent / "sentiment_examples.yml").read_text(encoding="utf-8"))
NEG, NEU, POS = SentimentLabel.NEGATIVE, SentimentLabel.NEUTRAL, SentimentLabel.POSITIVE
# chosen before the held-out block was first scored (it scored 0.827 then: 43 of 52)
HELDOUT_ACCURACY = 0.75
TUNED_ACCURACY = 0.85


def _accuracy(rows: List[Dict[str, str]]) -> float:
    right = sum(read_sentiment(row["text"]).label.value == row["label"] for row in rows)
    return right / len(rows)


def test_the_examples_are_enough_and_cover_every_label_and_both_scripts() -> None:
    examples, heldout = EXAMPLES["examples"], EXAMPLES["heldout"]
    assert len(examples) >= 150 and len(heldout) >= 40
    for rows in (examples, heldout):
        assert {row["label"] for row in rows} == {"negative", "neutral", "positive"}
    traditional = [row for row in examples if normalise(row["text"]).script is Script.TRADITIONAL]
    assert len(traditional) >= 20
    assert not {row["text"] for row in examples} & {row["text"] for row in heldout}


def test_accuracy_on_the_examples_the_lexicon_was_tuned_on() -> None:
    assert _accuracy(EXAMPLES["examples"]) >= TUNED_ACCURACY


def test_accuracy_on_the_heldout_examples() -> None:
    assert _accuracy(EXAMPLES["heldout"]) >= HELDOUT_ACCURACY


@pytest.mark.parametrize(
    "text, label",
    [
        ("满意", POS),
        ("不满意", NEG),
        ("不太满意", NEG),
        ("不是很满意", NEG),
        ("不太好", NEG),
        ("没有问题", POS),
        ("没问题", POS),
        ("不错", POS),
        ("一点都不专业", NEG),
        ("没讲清楚", NEG),
        ("解释得很清楚", POS),
        ("乱扣费", NEG),
        ("等了半天", NEG),
        ("我要投诉", NEG),
        ("骗子", NEG),
        ("我的投诉进度怎么样了", NEU),  # the word, not the feeling
        ("你好，我想查一下余额", NEU),
        ("贵宾室在哪里", NEU),  # 贵 is not expensive here
        ("差点忘了，谢谢提醒", POS),  # nor 差 bad
        ("不好意思，再问一下", NEU),
        ("在吗", NEU),
        ("在吗？？？", NEG),  # impatience
        ("好的👍", POS),
        ("😡", NEG),
        ("好的[强]", POS),
        ("非常不滿意", NEG),  # Traditional
        ("講極你都唔明", NEG),  # Cantonese
        ("", NEU),
        ("   ", NEU),
    ],
)
def test_how_a_message_reads(text: str, label: SentimentLabel) -> None:
    assert read_sentiment(text).label is label


def test_intensifiers_and_punctuation_strengthen() -> None:
    def score(text: str) -> float:
        return read_sentiment(text).score

    assert score("非常满意") > score("很满意") > score("满意") > 0
    assert score("太慢了") < score("慢") < 0
    assert score("非常不满意") < score("不满意") < 0
    assert score("不满意！！！") < score("不满意")
    assert score("谢谢！！") > score("谢谢") > 0


def test_traditional_reads_as_simplified() -> None:
    assert read_sentiment("手續費亂收，太離譜了") == read_sentiment("手续费乱收，太离谱了")


def test_the_cues_say_what_was_read() -> None:
    assert read_sentiment("处理结果我不太满意").cues == ("不太满意",)
    assert read_sentiment("等了半天还是没人回😡").cues == ("等了半天", "还是没", "😡")
    assert read_sentiment("怎么还没处理？？").cues == ("还没处理", "??")
    assert read_sentiment("查一下余额").cues == ()


def test_negation_does_not_reach_across_punctuation_or_far_words() -> None:
    assert read_sentiment("不用了，谢谢！！").label is POS
    assert read_sentiment("我不需要了谢谢你们").label is POS


def test_a_lexicon_may_be_written_in_traditional(tmp_path: Path) -> None:
    path = tmp_path / "sentiment.yml"
    path.write_text("negators: [不]\nintensifiers: {}\nnegative: {亂收費: -3}\npositive: {滿意: 2}\n", "utf-8")
    lexicon = load_lexicon(path)
    assert read_sentiment("乱收费", lexicon).label is NEG
    assert read_sentiment("不满意", lexicon).label is NEG
    assert read_sentiment("滿意", lexicon).label is POS


def test_a_lexicon_without_a_neutral_band_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sentiment.yml"
    path.write_text("negative_below: 0.3\npositive_above: 0.2\n", "utf-8")
    with pytest.raises(ValueError):
        load_lexicon(path)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_any_text_reads_without_raising(text: str) -> None:
    reading = read_sentiment(text)
    assert -1.0 <= reading.score <= 1.0
    assert reading.label in SentimentLabel


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("不没很太满意差骗乱扣费等了半天!?！？😡👍，。 a1[]")), max_size=80))
def test_any_mix_of_cues_stays_in_range(text: str) -> None:
    assert -1.0 <= read_sentiment(text).score <= 1.0


@pytest.mark.parametrize("junk", [None, 12345, b"\xff\xfe", "\x00\x01\x02", "\ud800", "🙂" * 10, "?" * 5000,
                                  "不满意" * 100_000, "骗子" * 10 + "满意" * 10_000])
def test_junk_and_huge_input_read_without_raising(junk: object) -> None:
    reading = read_sentiment(junk)
    assert -1.0 <= reading.score <= 1.0
    assert len(reading.cues) <= MAX_CHARS
