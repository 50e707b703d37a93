"""Masking: what clients write, what logs hold, and what must stay readable."""
from __future__ import annotations

import io
import json
import logging
import re
from decimal import Decimal

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.masking as masking
from bot.masking import (
    MaskingFilter,
    install_log_masking,
    mask_email,
    mask_id_card,
    mask_phone,
    mask_text,
    mask_value,
    tail,
)

CARD = "6222021234567890123"
PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"

MASKED = [
    ("我的卡号是6222021234567890123，帮我查下余额", "我的卡号是尾号0123，帮我查下余额"),
    ("卡号6222 0212 3456 7890挂失", "卡号尾号7890挂失"),
    ("账号6222-0212-3456-7890-123转入", "账号尾号0123转入"),
    ("帐户 4367421234567890 里还有多少钱", "帐户 尾号7890 里还有多少钱"),
    ("卡号６２２２０２１２３４５６７８９０", "卡号尾号7890"),                      # full-width digits
    ("卡号６２２２　０２１２　３４５６　７８９０丢了", "卡号尾号7890丢了"),          # full-width spaces
    ("6222021234567890123元", "尾号0123元"),                                       # no amount has 16 digits
    ("手机13812345678，麻烦回电", "手机138****5678，麻烦回电"),
    ("请打+86 139-1234-5678联系我", "请打139****5678联系我"),
    ("电话8615912345678", "电话159****5678"),
    ("我的電話是１８６１２３４５６７８", "我的電話是186****5678"),
    ("手机138 1234 5678", "手机138****5678"),
    ("2026年3月15日13812345678打过来的", "2026年3月15日138****5678打过来的"),
    ("身份证号11010519491231002X", "身份证号1****************X"),
    ("身份證11010519491231002x，姓王", "身份證1****************x，姓王"),
    ("证件号110105 19491231 002X", "证件号1****************X"),
    ("证件号99101019491231002X", "证件号9****************X"),                      # region outside jionlp's table
    ("邮箱zhang.san@example.com，谢谢", "邮箱z***@example.com，谢谢"),
    ("发到 li.si+bank@qq.com 吧", "发到 l***@qq.com 吧"),
    ("卡6222021234567890123和手机13812345678都是我的", "卡尾号0123和手机138****5678都是我的"),
]

UNCHANGED = [
    "我想转50000元到我妈的账户",
    "上个月15号消费了1,234,567.89元",
    "投诉单号CS-2026-000123进展如何",
    "cs-2026-000123",
    "2026-03-15到2026-04-15的流水",
    "20260315至20260415",
    "2026年3月15日下午3点",
    "2026/03/15 15:30:00",
    "分行电话021-6882 3516",
    "客服热线95555，400-820-8888",
    "尾号1234的卡",
    "尾號1234",
    "买了100000元的WM-WX365，起购1万",
    "余额13812345678.50元",
    "¥13812345678",
    "USD 13812345678",
    "5w 美元 30万港币",
    "最近十笔 10月 第3笔",
    "利率2.35%，期限365天",
    "",
]


@pytest.mark.parametrize("text,expected", MASKED)
def test_personal_numbers_are_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_amounts_dates_case_ids_and_landlines_stay(text):
    assert mask_text(text) == text


def test_traditional_card_tail():
    assert mask_text("卡號6222021234567890123", script="traditional") == "卡號尾號0123"


def test_number_next_to_an_escaped_character_in_json_logs_is_masked():
    logged = json.dumps({"text": f"卡号{CARD} 手机{PHONE} 身份证{ID_NUMBER}"})  # "\u53f76222…"
    masked = mask_text(logged)
    assert json.loads(masked)["text"] == "卡号尾号0123 手机138****5678 身份证1****************X"


def test_signed_tokens_are_masked():
    token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJDMDAwMTIzIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
    assert mask_text(f"metadata token={token} end") == "metadata token=[token] end"


def test_masking_twice_changes_nothing_more():
    for text, expected in MASKED:
        assert mask_text(expected) == expected


# --- property tests ---------------------------------------------------------------

# words without digits, currency units or Latin letters
WORDS = st.lists(st.sampled_from(["我的", "卡号", "是", "，", "帮我查", "手机", "谢谢", "。", " ", "账户", "：", "尾巴"]), max_size=4).map("".join)


@settings(max_examples=200, deadline=None)
@given(before=WORDS, after=WORDS, number=st.from_regex(r"[3-6][0-9]{15,18}", fullmatch=True))
def test_no_card_number_survives(before, after, number):
    masked = mask_text(before + number + after)
    assert number not in masked
    assert masked == before + "尾号" + number[-4:] + after


@settings(max_examples=200, deadline=None)
@given(before=WORDS, after=WORDS, number=st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_no_mobile_number_survives(before, after, number):
    masked = mask_text(before + number + after)
    assert masked == before + number[:3] + "****" + number[-4:] + after


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",), blacklist_characters="@＠"), max_size=80))
def test_text_without_digits_or_at_signs_is_untouched(text):
    assert mask_text(text) == text


# --- single values --------------------------------------------------------------------------


@pytest.mark.parametrize("number,expected", [
    ("6222 0212 3456 7890", "尾号7890"),
    (6222021234567890123, "尾号0123"),
    ("６２２２０２１２３４５６７８９０", "尾号7890"),
    ("1234", "尾号1234"),
])
def test_tail(number, expected):
    assert tail(number) == expected


def test_tail_in_traditional():
    assert tail("6222021234567890", "traditional") == "尾號7890"


def test_tail_of_too_short_a_number_is_an_error():
    with pytest.raises(ValueError):
        tail("12")


@pytest.mark.parametrize("phone", ["13812345678", "+86 138-1234-5678", "138 1234 5678", "１３８１２３４５６７８"])
def test_mask_phone(phone):
    assert mask_phone(phone) == "138****5678"


def test_single_value_masks():
    assert mask_id_card(ID_NUMBER) == "1****************X"
    assert mask_email("zhang.san@example.com") == "z***@example.com"
    assert mask_phone("123") == "****"


def test_structured_values_are_masked_by_field_and_by_content():
    row = {
        "client_id": "C000123",
        "account_number": "622202123456",          # 12 digits: masked because of its field
        "balance": Decimal("1234567.89"),
        "amount": 13812345678,                     # an amount, whatever its shape
        "phone": "13812345678",
        "transactions": [
            {"counterparty": "王五", "description": f"转账至{CARD}", "counterparty_account": "1234567"},
            ("CS-2026-000123", 6222021234567890123),
        ],
        "verified": True,
    }
    assert mask_value(row) == {
        "client_id": "C000123",
        "account_number": "尾号3456",
        "balance": Decimal("1234567.89"),
        "amount": 13812345678,
        "phone": "138****5678",
        "transactions": [
            {"counterparty": "王五", "description": "转账至尾号0123", "counterparty_account": "尾号4567"},
            ("CS-2026-000123", "尾号0123"),
        ],
        "verified": True,
    }


def test_public_names_exist():
    for name in masking.__all__:
        assert hasattr(masking, name), name


# --- logs ---------------------------------------------------------------------------------

PII = re.compile(rf"{CARD}|{PHONE}|{ID_NUMBER}|6222 0212")


@pytest.fixture
def root_output():
    """Everything the root logger's handlers write, at DEBUG; the logging set-up restored after."""
    root = logging.getLogger()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    factory, level = logging.getLogRecordFactory(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream, handler
    root.removeHandler(handler)
    root.setLevel(level)
    logging.setLogRecordFactory(factory)


def test_filter_on_a_handler_masks_messages_and_arguments(root_output):
    stream, handler = root_output
    handler.addFilter(MaskingFilter())
    logging.getLogger("bot.some.module").info("card %s phone %s", CARD, PHONE)
    logging.getLogger("bot.some.module").info("client %(id)s", {"id": ID_NUMBER})
    output = stream.getvalue()
    assert "card 尾号0123 phone 138****5678" in output
    assert "client 1****************X" in output
    assert not PII.search(output)


def test_installed_masking_covers_child_loggers_and_exceptions(root_output):
    stream, _ = root_output
    install_log_masking()
    install_log_masking()  # a second call does not wrap twice
    logger = logging.getLogger("rasa.core.processor")
    logger.debug("Received user message '我的卡号%s丢了'", CARD)
    try:
        raise ValueError(f"no account 6222 0212 3456 7890 for {PHONE}")
    except ValueError:
        logger.exception("lookup failed")
    output = stream.getvalue()
    assert "我的卡号尾号0123丢了" in output
    assert "ValueError: no account 尾号7890 for 138****5678" in output
    assert not PII.search(output)


def test_installed_masking_covers_rasa_json_structlog(root_output):
    stream, _ = root_output
    install_log_masking()
    structlog.configure(  # as Rasa configures it when its output is not a terminal
        processors=[structlog.processors.JSONRenderer()],
        logger_factory=structlog.stdlib.LoggerFactory(),
    )
    try:
        structlog.get_logger().info("rest.message.received", text=f"卡号{CARD}，手机{PHONE}")
    finally:
        structlog.reset_defaults()
    output = stream.getvalue()
    assert "尾号0123" in output and "138****5678" in output
    assert not PII.search(output)
