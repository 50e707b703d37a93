import pytest

from bot.nlu.normalise import Script, detect_script, normalise


@pytest.mark.parametrize(
    "original, expected",
    [
        ("幫我查詢帳戶餘額", "帮我查询账户余额"),  # Taiwan: 帳戶 → mainland 账户
        ("我嘅戶口結餘係幾多？", "我的账户余额是多少?"),  # Hong Kong Cantonese
        ("我張卡唔見咗", "我张卡不见了"),
        ("ＡＰＰ登不上", "app登不上"),  # full-width, case
        ("check下Balance", "check下balance"),
        ("我要转五十万元", "我要转500000元"),  # numerals in amounts
        ("一百万闲钱买啥", "1000000闲钱买啥"),
        ("两千块的扣款", "2000块的扣款"),
        ("  你好 \t\n 在吗  ", "你好 在吗"),
        ("🙏🙏谢谢😊", "谢谢"),
        ("", ""),
    ],
)
def test_normalises_what_clients_type(original, expected):
    assert normalise(original).text == expected


@pytest.mark.parametrize(
    "text",
    ["查一下余额", "十分满意", "千万别打电话", "万一卡丢了怎么办", "一下子"],
)
def test_leaves_numerals_that_are_not_amounts(text):
    assert normalise(text).text == text


@pytest.mark.parametrize(
    "text, script",
    [
        ("請問預約理財經理", Script.TRADITIONAL),
        ("请问预约理财经理", Script.SIMPLIFIED),
        ("OK 123", Script.UNKNOWN),
        ("🙏", Script.UNKNOWN),
    ],
)
def test_detects_the_script_the_client_writes_in(text, script):
    assert detect_script(text) == script
    assert normalise(text).script == script


def test_spans_map_back_to_the_original_text():
    original = "我要转五十万元到尾号１２３４"
    normalised = normalise(original)
    amount_start = normalised.text.index("500000")
    start, end = normalised.original_span(amount_start, amount_start + len("500000"))
    assert original[start:end] == "五十万"
    tail_start = normalised.text.index("1234")
    start, end = normalised.original_span(tail_start, tail_start + 4)
    assert original[start:end] == "１２３４"


def test_spans_skip_removed_emoji():
    original = "😡😡投诉你们"
    normalised = normalise(original)
    start, end = normalised.original_span(0, 2)
    assert original[start:end] == "投诉"


@pytest.mark.parametrize(
    "junk",
    ["\x00\x01\x02", "\ud800", "'; DROP TABLE clients; --", "<script>alert(1)</script>", "?" * 50, "a" * 5000],
)
def test_junk_never_raises(junk):
    result = normalise(junk)
    assert len(result.starts) == len(result.text) == len(result.ends)
