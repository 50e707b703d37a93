"""Reading a complaint's category and severity from the client's words, in either script."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cases.reading import CATEGORIES, Alarm, Severity, read_complaint, tells_what_happened


@pytest.mark.parametrize("text, category", [
    ("你们乱扣我年费", "fees"),
    ("这个月莫名其妙多扣了20块账户管理费", "fees"),
    ("跨行转账手续费怎么这么高", "fees"),
    ("你們亂扣我年費", "fees"),
    ("柜员态度太差了，爱答不理的", "service_attitude"),
    ("打了三次客服都在踢皮球", "service_attitude"),
    ("櫃員態度很差", "service_attitude"),
    ("理财经理说保本，结果亏了两万", "mis_selling"),
    ("办信用卡被强制搭售保险", "mis_selling"),
    ("理財經理說保本結果虧了", "mis_selling"),
    ("转账三天了还没到账", "payment_delay"),
    ("境外汇款没到，对方一直说没收到", "payment_delay"),
    ("手机银行老是闪退", "app_fault"),
    ("APP登录不了，验证码收不到", "app_fault"),
    ("手機銀行一直閃退", "app_fault"),
    ("信用卡被盗刷了五千", "card_fraud"),
    ("有一笔不是我刷的消费", "card_fraud"),
    ("我被骗了，对方冒充你们客服", "card_fraud"),
    ("我要投诉", None),
    ("投诉一下", None),
    ("我对你们很不满意", None),
])
def test_category_from_the_words(text, category):
    assert read_complaint(text).category == category
    assert category is None or category in CATEGORIES


@pytest.mark.parametrize("text, alarm", [
    ("再不处理我就打12378", Alarm.REGULATOR),
    ("我要向银保监会举报你们", Alarm.REGULATOR),
    ("我要找媒体曝光", Alarm.REGULATOR),
    ("我會向金融監管總局投訴", Alarm.REGULATOR),
    ("你们就是骗子", Alarm.STRONG_WORDING),
    ("什么破银行！！！", Alarm.STRONG_WORDING),
    ("信用卡被盗刷了", Alarm.FRAUD),
])
def test_what_makes_a_complaint_high_severity(text, alarm):
    reading = read_complaint(text)
    assert reading.severity is Severity.HIGH and alarm in reading.alarms


@pytest.mark.parametrize("text", [
    "柜员态度不太好", "年费能不能退", "转账还没到账", "扣了315元手续费", "手机银行打不开", "我要投诉",
])
def test_an_ordinary_complaint_is_normal_severity(text):
    reading = read_complaint(text)
    assert reading.severity is Severity.NORMAL and reading.alarms == ()


def test_everything_the_client_wrote_counts():
    assert read_complaint("我要投诉", "你们乱扣年费", "再不退我就打12378").severity is Severity.HIGH


@pytest.mark.parametrize("text, tells", [
    ("我要投诉", False),
    ("我想投诉一下", False),
    ("怎么投诉", False),
    ("投訴", False),
    ("你们乱扣我年费，我要投诉", True),
    ("我要投诉你们柜员态度太差了", True),
    ("转账三天了还没到账", True),
])
def test_whether_the_message_already_says_what_happened(text, tells):
    assert tells_what_happened(text) is tells


@given(st.text(max_size=300))
def test_any_text_reads_without_error(text):
    reading = read_complaint(text)
    assert reading.category is None or reading.category in CATEGORIES
    tells_what_happened(text)
