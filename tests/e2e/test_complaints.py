"""Complaints through the app channel against the real Rasa server, action server and case service.

A demo client files a complaint in Simplified and in Traditional, gets a case id
and a due date, and later sees its status; with the case service stopped in the
middle of the conversation the complaint waits in the outbox, and once the
service is back the sender delivers it and the status question finds the case.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from datetime import datetime, timedelta

from bot.clock import BANK_TIME
from bot.identity import Role, issue_token, load_secret
from tests.conftest import ROOT
from tests.e2e.test_app_channel import say, texts

CASE_ID = re.compile(r"CS-\d{4}-\d{6}")


def _token(client_id: str) -> str:
    return issue_token(Role.CLIENT, client_id, load_secret(os.environ))


def _complain(assistant: str, token: str, sender: str, opening: str, amount: str, contact: str) -> str:
    """The whole form; returns what the client reads after confirming."""
    asked = texts(say(assistant, opening, token, sender=sender))
    assert "投诉" in asked or "投訴" in asked, asked
    texts(say(assistant, amount, token, sender=sender))
    summary = texts(say(assistant, contact, token, sender=sender))
    assert contact in summary, summary
    return texts(say(assistant, "/affirm", token, sender=sender))


def test_a_complaint_gets_a_case_id_and_a_due_date_and_its_status_later(assistant, case_service):
    token = _token("C000001")
    filed = _complain(assistant, token, "phone-complaint", "我要投诉，你们乱扣我信用卡年费", "600元", "工作日晚上")
    (case,) = case_service.cases_of("C000001")
    assert case["case_id"] in filed and case["category"] == "fees" and case["amount_involved"] == "600.00"
    accepted = datetime.fromisoformat(case["accepted_at"]).astimezone(BANK_TIME).date()
    assert (accepted + timedelta(days=15)).isoformat() in filed
    status = texts(say(assistant, "我的投诉处理到哪了", token, sender="phone-complaint"))
    assert case["case_id"] in status and "已受理" in status


def test_a_complaint_in_traditional(assistant, case_service):
    token = _token("C000003")
    filed = _complain(assistant, token, "phone-hant", "我要投訴，轉賬三天了還沒到賬", "五萬", "週末")
    (case,) = case_service.cases_of("C000003")
    assert case["case_id"] in filed and filed.startswith("已為您正式登記投訴")
    assert case["category"] == "payment_delay" and case["amount_involved"] == "50000.00"


def test_with_the_service_stopped_mid_conversation_nothing_is_lost(assistant, case_service):
    token = _token("C000002")
    sender = "phone-outage"
    texts(say(assistant, "我要投诉，手机银行老是闪退", token, sender=sender))
    case_service.stop()  # the case service goes down while the client is still talking
    try:
        texts(say(assistant, "/deny", token, sender=sender))  # 不涉及金额
        texts(say(assistant, "随时都可以", token, sender=sender))
        queued = texts(say(assistant, "/affirm", token, sender=sender))
        assert "临时编号 TMP-" in queued and not CASE_ID.search(queued)
    finally:
        case_service.start()
    sender_env = {**case_service.env, "PROFILE_DATABASE_URL": os.environ["PROFILE_DATABASE_URL"]}
    deadline = time.monotonic() + 60
    while not case_service.cases_of("C000002") and time.monotonic() < deadline:  # a retry waits 5 s
        subprocess.run([sys.executable, "-m", "bot", "outbox-sender", "--once"], cwd=ROOT, check=True,
                       env=sender_env, capture_output=True)
        time.sleep(1)
    (case,) = case_service.cases_of("C000002")
    assert case["category"] == "app_fault"
    status = texts(say(assistant, "投诉进度", token, sender=sender))
    assert case["case_id"] in status
