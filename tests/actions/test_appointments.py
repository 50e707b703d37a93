"""Meetings with the client's RM in conversation: a proposal, an explicit yes, a row in the store.

The clock is fixed (``bot.clock.bank_now``) on Wednesday 2026-11-25 10:30 in
Shanghai, or on Thursday 2026-09-24 for the National Day holiday. Every
appointment a test books is deleted after it, and RM statuses a test changes
are put back, so the tests do not depend on each other's order.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from rasa_sdk import Action
from sqlalchemy import delete, select, update
from sqlalchemy.orm import sessionmaker

from actions.appointments import (
    PENDING,
    ActionBookAppointment,
    ActionConfirmAppointment,
    ActionManageAppointment,
)
from bot import clock
from bot.appointments.store import book, booked_intervals, schedule_for
from bot.profile.database import make_engine, make_session_factory, session_scope
from bot.profile.models import Appointment, RelationshipManager
from bot.profile.queries import ManagerView, client_summary
from bot.responses import in_script
from tests.actions.conftest import run_action, verified_tracker
from tests.actions.replies import reply_texts

SHANGHAI = clock.BANK_TIME
NOW = datetime(2026, 11, 25, 10, 30, tzinfo=SHANGHAI)  # a Wednesday
BEFORE_NATIONAL_DAY = datetime(2026, 9, 24, 10, 30, tzinfo=SHANGHAI)  # 国庆节: 10月1日–7日
HOUR = timedelta(hours=1)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


TOMORROW_3PM = at(11, 26, 15)  # 明天下午三点 on Wednesday: Thursday


# ------------------------------------------------------------------ fixtures
@pytest.fixture(autouse=True)
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "bank_now", lambda: NOW)


@pytest.fixture(autouse=True)
def store(profile_url: str) -> Iterator[sessionmaker]:
    """Sessions on the test store; afterwards no appointment is left and every RM status is as before."""
    engine = make_engine(profile_url)
    factory = make_session_factory(engine)
    with factory() as opened:
        statuses = dict(opened.execute(select(RelationshipManager.id, RelationshipManager.status)).all())
    yield factory
    with session_scope(factory) as opened:
        opened.execute(delete(Appointment))
        for rm_id, status in statuses.items():
            opened.execute(update(RelationshipManager).where(RelationshipManager.id == rm_id).values(status=status))
    engine.dispose()


# ------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class Turn:
    """One bot turn: what was sent, the events returned, and what the client reads."""

    action: str
    messages: List[Dict[str, Any]]
    events: List[Dict[str, Any]]
    replies: List[str]

    @property
    def responses(self) -> List[str]:
        return [message.get("response") for message in self.messages]

    @property
    def reply(self) -> str:
        return "\n".join(self.replies)

    @property
    def pending(self) -> Optional[Dict[str, Any]]:
        values = [event["value"] for event in self.events if event.get("event") == "slot" and event["name"] == PENDING]
        assert values, "every appointment action sets or clears the pending change"
        return json.loads(values[-1]) if values[-1] else None

    @property
    def buttons(self) -> List[Dict[str, str]]:
        return [button for message in self.messages for button in message.get("buttons") or []]


def say(domain, action: Action, client_id: Optional[str], text: str, intent: str, entities=None,
        slots=None, events=None) -> Turn:
    slots = {**(slots or {})}
    tracker = verified_tracker(client_id, text, intent, entities=entities, slots=slots, events=events)
    messages, returned = run_action(action, tracker, domain)
    return Turn(action.name(), messages, returned, reply_texts(domain, messages, tracker.current_slot_values()))


def ask_to_book(domain, client_id: Optional[str], text: str, **kwargs) -> Turn:
    return say(domain, ActionBookAppointment(), client_id, text, "book_appointment", **kwargs)


def manage(domain, client_id: Optional[str], text: str, **kwargs) -> Turn:
    return say(domain, ActionManageAppointment(), client_id, text, "manage_appointment", **kwargs)


def click(domain, client_id: str, button: Dict[str, str], slots=None) -> Turn:
    """The client taps a button: its payload is the text, its JSON the entities."""
    payload = button["payload"]
    intent, arguments = payload[1:].split("{", 1)
    entities = [{"entity": name, "value": value} for name, value in json.loads("{" + arguments).items()]
    action = {"book_appointment": ActionBookAppointment(), "manage_appointment": ActionManageAppointment()}[intent]
    return say(domain, action, client_id, payload, intent, entities=entities, slots=slots)


def answer(domain, client_id: Optional[str], asked: Turn, intent: str, text: str, slots=None,
           between: Optional[List[Dict[str, Any]]] = None) -> Turn:
    """The client's yes or no after the turn ``asked``; ``between``: the turns since (the proposal
    still in the slot), or ``[]`` for a tracker that only kept the slot, not the turn that set it."""
    value = json.dumps(asked.pending, ensure_ascii=False, sort_keys=True) if asked.pending else None
    asking = [{"event": "action", "name": asked.action}, *asked.events, {"event": "action", "name": "action_listen"}]
    events = asking if between is None else [*(asking if between else []), *between]
    return say(domain, ActionConfirmAppointment(), client_id, text, intent, events=events,
               slots={PENDING: value, **(slots or {})})


def rows(factory: sessionmaker, client_id: Optional[str] = None) -> List[Tuple[Any, ...]]:
    """(reference, client, rm, place, branch, start, end, status) of the appointments, by start."""
    statement = select(Appointment.reference, Appointment.client_id, Appointment.rm_id, Appointment.place,
                       Appointment.branch, Appointment.starts_at, Appointment.ends_at, Appointment.status
                       ).order_by(Appointment.starts_at)
    if client_id is not None:
        statement = statement.where(Appointment.client_id == client_id)
    with factory() as opened:
        return [tuple(row) for row in opened.execute(statement)]


def rm_of(factory: sessionmaker, client_id: str) -> ManagerView:
    with factory() as opened:
        summary = client_summary(opened, client_id)
    assert summary is not None and summary.rm is not None
    return summary.rm


def booked_for(factory: sessionmaker, client_id: str, rm_id: str, start: datetime, now: datetime = NOW) -> str:
    """Books directly in the store (another conversation did); the reference."""
    with factory() as opened:
        result = book(opened, client_id, rm_id, start, now)
    assert result.booked and result.appointment is not None, result
    return result.appointment.reference


def busy(factory: sessionmaker, rm_id: str, start: datetime) -> List[Tuple[datetime, datetime]]:
    with factory() as opened:
        return booked_intervals(opened, rm_id, start, start + HOUR)


def free(factory: sessionmaker, rm_id: str, start: datetime, now: datetime = NOW) -> bool:
    with factory() as opened:
        return schedule_for(opened, rm_id, now).check(start).ok


def offered(turn: Turn, intent: str = "book_appointment") -> List[datetime]:
    """The times of the slot buttons, checking each payload's shape."""
    times = []
    for button in turn.buttons:
        assert button["payload"].startswith(f"/{intent}{{"), button
        times.append(datetime.fromisoformat(json.loads(button["payload"][len(intent) + 1:])["time"]))
    return times


def label(moment: datetime, weekday: str) -> str:
    return f"{moment.month}月{moment.day}日（{weekday}）{moment:%H:%M}"


# ------------------------------------------------------------------- booking
def test_a_time_in_words_is_proposed_with_the_clients_own_rm_and_nothing_is_booked_yet(domain, store):
    rm = rm_of(store, "C000001")
    turn = ask_to_book(domain, "C000001", "帮我约明天下午三点和客户经理见面")
    assert turn.responses == ["utter_appointment_confirm"]
    assert turn.reply.startswith(f"为您预约：{label(TOMORROW_3PM, '周四')}，在{rm.branch}与{rm.name}面谈")
    assert turn.pending == {"change": "book", "start": TOMORROW_3PM.isoformat(), "rm_id": rm.rm_id,
                            "place": "rm_office", "branch": rm.branch}
    assert rows(store) == []


def test_yes_right_after_the_proposal_books_it_and_tells_the_reference(domain, store):
    rm = rm_of(store, "C000001")
    proposal = ask_to_book(domain, "C000001", "明天下午三点")
    turn = answer(domain, "C000001", proposal, "affirm", "确认")
    [(reference, client, rm_id, place, branch, start, end, status)] = rows(store)
    assert (client, rm_id, place, branch, start, end, status) == (
        "C000001", rm.rm_id, "rm_office", rm.branch, TOMORROW_3PM, TOMORROW_3PM + HOUR, "booked")
    assert reference.startswith("AP") and len(reference) == 10
    assert turn.responses == ["utter_appointment_booked"]
    assert turn.reply.startswith(f"预约成功，编号 {reference}：{label(TOMORROW_3PM, '周四')}，{rm.branch}，{rm.name}")
    assert turn.pending is None
    assert busy(store, rm.rm_id, TOMORROW_3PM) == [(TOMORROW_3PM, TOMORROW_3PM + HOUR)]


def test_a_vip_room_is_booked_in_the_rms_branch(domain, store):
    rm = rm_of(store, "C000001")
    proposal = ask_to_book(domain, "C000001", "明天下午三点去贵宾室")
    assert f"在{rm.branch}贵宾室与{rm.name}面谈" in proposal.reply
    answer(domain, "C000001", proposal, "affirm", "好的")
    assert [(row[3], row[4]) for row in rows(store)] == [("vip_room", rm.branch)]


def test_no_books_nothing(domain, store):
    proposal = ask_to_book(domain, "C000001", "明天下午三点")
    turn = answer(domain, "C000001", proposal, "deny", "算了")
    assert turn.responses == ["utter_appointment_book_declined"] and turn.pending is None
    assert rows(store) == []


@pytest.mark.parametrize("between", [
    [],
    [{"event": "user", "text": "我的余额", "parse_data": {"intent": {"name": "check_balance"}}},
     {"event": "action", "name": "action_check_balance"}, {"event": "action", "name": "action_listen"}],
], ids=["a stale proposal", "another question since"])
def test_a_yes_not_right_after_the_proposal_books_nothing(domain, store, between):
    proposal = ask_to_book(domain, "C000001", "明天下午三点")
    turn = answer(domain, "C000001", proposal, "affirm", "好的", between=between)
    assert turn.responses == ["utter_affirm_ack"] and turn.pending is None
    assert rows(store) == []


# ----------------------------------------------------------------- conflicts
def test_a_taken_time_offers_the_three_nearest_free_slots(domain, store):
    rm = rm_of(store, "C000001")
    assert rm_of(store, "C000007").rm_id == rm.rm_id  # another client of the same RM
    booked_for(store, "C000007", rm.rm_id, TOMORROW_3PM)
    turn = ask_to_book(domain, "C000001", "明天下午三点")
    assert turn.responses == ["utter_appointment_offer"] and turn.pending is None
    assert turn.reply.startswith(f"{rm.name}那个时间已经有安排了。下面这些时间{rm.name}有空")
    slots = offered(turn)
    # 15:00–16:00 is taken: 14:00 and 16:00 are an hour away, 13:30 and 16:30 an hour and a half (earlier wins)
    assert slots == [at(11, 26, 13, 30), at(11, 26, 14), at(11, 26, 16)]
    assert all(free(store, rm.rm_id, start) for start in slots)
    assert [button["title"] for button in turn.buttons] == [label(start, "周四") for start in slots]
    assert [row[1] for row in rows(store)] == ["C000007"]


def test_tapping_an_offered_slot_proposes_exactly_that_time_and_yes_books_it(domain, store):
    rm = rm_of(store, "C000001")
    booked_for(store, "C000007", rm.rm_id, TOMORROW_3PM)
    offer = ask_to_book(domain, "C000001", "明天下午三点")
    chosen = offered(offer)[1]
    proposal = click(domain, "C000001", offer.buttons[1])
    assert proposal.responses == ["utter_appointment_confirm"]
    assert proposal.reply.startswith(f"为您预约：{label(chosen, '周四')}，在{rm.branch}与{rm.name}面谈")
    assert proposal.pending["start"] == chosen.isoformat()
    answer(domain, "C000001", proposal, "affirm", "确认")
    assert chosen == at(11, 26, 14)
    assert [(row[1], row[5]) for row in rows(store)] == [("C000001", chosen), ("C000007", TOMORROW_3PM)]


def test_a_time_taken_between_the_proposal_and_the_yes_offers_free_ones_instead(domain, store):
    rm = rm_of(store, "C000001")
    proposal = ask_to_book(domain, "C000001", "明天下午三点")
    booked_for(store, "C000007", rm.rm_id, TOMORROW_3PM)
    turn = answer(domain, "C000001", proposal, "affirm", "确认")
    assert turn.reply.startswith(f"抱歉，这个时间刚刚被约走了。下面这些时间{rm.name}有空")
    assert len(offered(turn)) == 3 and all(free(store, rm.rm_id, start) for start in offered(turn))
    assert rows(store, "C000001") == []


# ------------------------------------------------------- holidays, closed days
def test_national_day_is_named_and_slots_after_the_holiday_are_offered(domain, store, monkeypatch):
    monkeypatch.setattr(clock, "bank_now", lambda: BEFORE_NATIONAL_DAY)
    rm = rm_of(store, "C000001")
    turn = ask_to_book(domain, "C000001", "10月2号下午三点")
    assert turn.responses == ["utter_appointment_offer"] and turn.pending is None
    assert turn.reply.startswith("那天是国庆节假期，网点休息。")
    slots = offered(turn)
    assert len(slots) == 3 and all(start.date() == date(2026, 10, 8) for start in slots)  # the first working day
    assert all(free(store, rm.rm_id, start, BEFORE_NATIONAL_DAY) for start in slots)
    assert "10月8日（周四）" in turn.buttons[0]["title"]


def test_a_saturday_is_not_a_working_day_for_a_monday_to_friday_rm(domain, store):
    rm = rm_of(store, "C000001")
    assert rm.work_days == "12345"
    turn = ask_to_book(domain, "C000001", "这周六下午三点")
    assert turn.reply.startswith(f"{rm.name}那天不上班。")
    assert turn.pending is None and offered(turn)
    assert all(start.isoweekday() <= 5 and free(store, rm.rm_id, start) for start in offered(turn))


def test_an_rm_who_works_saturdays_can_be_met_on_saturday(domain, store):
    rm = rm_of(store, "C000004")
    assert "6" in rm.work_days and rm.status == "on_duty"
    turn = ask_to_book(domain, "C000004", "这周六下午三点")
    assert turn.responses == ["utter_appointment_confirm"]
    assert turn.pending["start"] == at(11, 28, 15).isoformat() and turn.pending["rm_id"] == rm.rm_id


def test_outside_the_rms_hours_the_hours_are_said_and_that_days_last_slots_offered(domain, store):
    rm = rm_of(store, "C000001")
    assert (rm.work_start, rm.work_end) == (time(9), time(17, 30))
    turn = ask_to_book(domain, "C000001", "明天晚上八点")
    assert turn.reply.startswith(f"{rm.name}的接待时间是 09:00–17:30，面谈约1小时。") and turn.pending is None
    assert offered(turn) == [at(11, 26, 15, 30), at(11, 26, 16), at(11, 26, 16, 30)]  # the last one ends at 17:30


def test_less_than_two_hours_ahead_is_too_soon(domain, store):
    turn = ask_to_book(domain, "C000001", "今天十一点")
    assert turn.reply.startswith("面谈需要至少提前2小时预约。")
    assert all(start >= NOW + 2 * HOUR for start in offered(turn)) and turn.pending is None


def test_a_time_beyond_the_booking_window_offers_the_last_open_days(domain, store):
    turn = ask_to_book(domain, "C000001", "2027年3月5日上午十点")
    assert turn.reply.startswith("面谈目前可以预约30天以内的时间。") and turn.pending is None
    assert len(offered(turn)) == 3 and all(NOW < start <= NOW + 30 * 24 * HOUR for start in offered(turn))


# --------------------------------------------------------- vague and past
def test_some_other_day_asks_when_and_offers_free_slots(domain, store):
    rm = rm_of(store, "C000001")
    turn = ask_to_book(domain, "C000001", "改天吧")
    assert turn.reply.startswith("您想约什么时间？") and turn.pending is None
    assert len(offered(turn)) == 3 and all(free(store, rm.rm_id, start) for start in offered(turn))
    assert all(start.date() > NOW.date() for start in offered(turn))  # 改天: another day, not today


@pytest.mark.parametrize("text, day", [("下午", date(2026, 11, 25)), ("明天下午", date(2026, 11, 26))])
def test_an_afternoon_without_an_hour_asks_for_one_and_offers_that_afternoon(domain, store, text, day):
    turn = ask_to_book(domain, "C000001", text)
    assert turn.reply.startswith("请选一个具体时间。") and turn.pending is None
    slots = offered(turn)
    assert len(slots) == 3 and all(start.date() == day and start.hour >= 13 for start in slots)


def test_a_time_already_past_says_so_and_offers_times_from_now(domain, store):
    turn = ask_to_book(domain, "C000001", "昨天下午三点")
    assert turn.reply.startswith("您说的时间已经过去了。") and turn.pending is None
    assert len(offered(turn)) == 3 and all(start > NOW for start in offered(turn))


# -------------------------------------------------------------- RM on leave
def test_a_client_whose_rm_is_on_leave_meets_the_backup(domain, store):
    with store() as opened:
        summary = client_summary(opened, "C000002")
    own, backup = summary.rm, summary.backup_rm
    assert own.status == "leave" and backup is not None
    proposal = ask_to_book(domain, "C000002", "明天下午三点")
    assert proposal.responses == ["utter_appointment_rm_on_leave", "utter_appointment_confirm"]
    assert proposal.replies[0] == f"您的专属客户经理{own.name}正在休假，这次为您约{own.name}的备岗客户经理{backup.name}。"
    assert f"与{backup.name}面谈" in proposal.replies[1] and proposal.pending["rm_id"] == backup.rm_id
    answer(domain, "C000002", proposal, "affirm", "好")
    assert [(row[2], row[4]) for row in rows(store)] == [(backup.rm_id, backup.branch)]


def test_an_rm_put_on_leave_today_is_replaced_by_the_backup(domain, store):
    with session_scope(store) as opened:
        opened.execute(update(RelationshipManager).where(RelationshipManager.id == "RM001").values(status="leave"))
    with store() as opened:
        backup = client_summary(opened, "C000001").backup_rm
    proposal = ask_to_book(domain, "C000001", "明天下午三点")
    assert proposal.pending["rm_id"] == backup.rm_id != "RM001"


def test_with_the_rm_and_the_backup_both_on_leave_nothing_is_booked_with_either(domain, store):
    with store() as opened:
        summary = client_summary(opened, "C000002")
    with session_scope(store) as opened:
        opened.execute(update(RelationshipManager).where(RelationshipManager.id == summary.backup_rm.rm_id)
                       .values(status="leave"))
    turn = ask_to_book(domain, "C000002", "明天下午三点")
    assert turn.responses == ["utter_appointment_rm_away"] and turn.pending is None
    assert summary.rm.name in turn.reply and "转人工" in turn.reply


def test_the_backups_slot_taken_before_the_yes_offers_the_backups_free_times(domain, store):
    with store() as opened:
        summary = client_summary(opened, "C000002")
    backup = summary.backup_rm
    proposal = ask_to_book(domain, "C000002", "明天下午三点")
    booked_for(store, "C000004", backup.rm_id, TOMORROW_3PM)  # a client of the backup RM takes it
    turn = answer(domain, "C000002", proposal, "affirm", "确认")
    assert f"下面这些时间{backup.name}有空" in turn.reply and summary.rm.name not in turn.reply
    assert len(offered(turn)) == 3 and all(free(store, backup.rm_id, start) for start in offered(turn))
    assert rows(store, "C000002") == []


# ------------------------------------------------------------------ managing
def test_no_appointments(domain, store):
    turn = manage(domain, "C000001", "我的预约")
    assert turn.responses == ["utter_appointment_none"] and turn.pending is None


def test_the_list_shows_the_clients_upcoming_appointments_only(domain, store):
    rm = rm_of(store, "C000001")
    later = booked_for(store, "C000001", rm.rm_id, at(11, 30, 10))
    sooner = booked_for(store, "C000001", rm.rm_id, TOMORROW_3PM)
    others = booked_for(store, "C000007", rm.rm_id, at(11, 27, 10))
    turn = manage(domain, "C000001", "查一下我的预约")
    assert turn.responses == ["utter_appointment_list"] and turn.pending is None
    assert turn.reply == (f"您有 2 个预约：\n"
                          f"· {label(TOMORROW_3PM, '周四')}，{rm.branch}，{rm.name}（编号 {sooner}）\n"
                          f"· {label(at(11, 30, 10), '周一')}，{rm.branch}，{rm.name}（编号 {later}）")
    assert others not in turn.reply


def test_cancelling_the_one_appointment_asks_first_then_frees_the_rms_time(domain, store):
    rm = rm_of(store, "C000001")
    reference = booked_for(store, "C000001", rm.rm_id, TOMORROW_3PM)
    proposal = manage(domain, "C000001", "取消预约")
    assert proposal.reply.startswith(f"确认取消{label(TOMORROW_3PM, '周四')}与{rm.name}的预约吗？")
    assert proposal.pending == {"change": "cancel", "reference": reference}
    assert [row[7] for row in rows(store)] == ["booked"]  # nothing changes before the yes
    turn = answer(domain, "C000001", proposal, "affirm", "确认取消")
    assert turn.reply.startswith(f"已取消{label(TOMORROW_3PM, '周四')}与{rm.name}的预约")
    assert [(row[0], row[7]) for row in rows(store)] == [(reference, "cancelled")]
    assert busy(store, rm.rm_id, TOMORROW_3PM) == [] and free(store, rm.rm_id, TOMORROW_3PM)
    assert manage(domain, "C000001", "我的预约").responses == ["utter_appointment_none"]


def test_no_to_a_cancellation_keeps_the_appointment(domain, store):
    rm = rm_of(store, "C000001")
    booked_for(store, "C000001", rm.rm_id, TOMORROW_3PM)
    turn = answer(domain, "C000001", manage(domain, "C000001", "取消预约"), "deny", "不取消了")
    assert turn.responses == ["utter_appointment_cancel_declined"]
    assert [row[7] for row in rows(store)] == ["booked"]


def test_rescheduling_moves_it_keeping_the_reference_and_frees_the_old_time(domain, store):
    rm = rm_of(store, "C000001")
    reference = booked_for(store, "C000001", rm.rm_id, TOMORROW_3PM)
    friday = at(11, 27, 15)
    proposal = manage(domain, "C000001", "改到周五下午三点")
    assert proposal.reply.startswith(
        f"把{label(TOMORROW_3PM, '周四')}的预约改到{label(friday, '周五')}（仍与{rm.name}面谈），确认吗？")
    assert proposal.pending == {"change": "reschedule", "reference": reference, "start": friday.isoformat()}
    assert [row[5] for row in rows(store)] == [TOMORROW_3PM]
    turn = answer(domain, "C000001", proposal, "affirm", "确认")
    assert turn.reply.startswith(f"已改到{label(friday, '周五')}，{rm.branch}，{rm.name}，编号不变（{reference}）")
    assert [row[0:3] + row[5:] for row in rows(store)] == [
        (reference, "C000001", rm.rm_id, friday, friday + HOUR, "booked")]
    assert busy(store, rm.rm_id, TOMORROW_3PM) == [] and busy(store, rm.rm_id, friday) == [(friday, friday + HOUR)]


def test_rescheduling_onto_a_taken_time_offers_slots_that_move_this_appointment(domain, store):
    rm = rm_of(store, "C000001")
    reference = booked_for(store, "C000001", rm.rm_id, TOMORROW_3PM)
    friday = at(11, 27, 15)
    booked_for(store, "C000007", rm.rm_id, friday)
    turn = manage(domain, "C000001", "改到周五下午三点")
    assert turn.reply.startswith(f"{rm.name}那个时间已经有安排了。") and turn.pending is None
    slots = offered(turn, "manage_appointment")
    assert slots == [at(11, 27, 13, 30), at(11, 27, 14), at(11, 27, 16)]
    for button in turn.buttons:
        entities = json.loads(button["payload"][len("/manage_appointment"):])
        assert (entities["appointment_reference"], entities["appointment_change"]) == (reference, "reschedule")
    proposal = click(domain, "C000001", turn.buttons[2])
    assert proposal.pending == {"change": "reschedule", "reference": reference, "start": slots[2].isoformat()}


@pytest.mark.parametrize("text, change", [("取消预约", "cancel"), ("我想改一下预约时间", "reschedule")])
def test_with_two_appointments_the_client_is_asked_which(domain, store, text, change):
    rm = rm_of(store, "C000001")
    first = booked_for(store, "C000001", rm.rm_id, TOMORROW_3PM)
    second = booked_for(store, "C000001", rm.rm_id, at(11, 30, 10))
    turn = manage(domain, "C000001", text)
    assert turn.responses == [f"utter_appointment_which_{change}"] and turn.pending is None
    assert [button["title"] for button in turn.buttons] == [
        f"{label(TOMORROW_3PM, '周四')} {rm.name}", f"{label(at(11, 30, 10), '周一')} {rm.name}"]
    assert [json.loads(button["payload"][len("/manage_appointment"):]) for button in turn.buttons] == [
        {"appointment_reference": first, "appointment_change": change},
        {"appointment_reference": second, "appointment_change": change}]


def test_a_new_time_given_with_two_appointments_is_kept_through_the_choice(domain, store):
    rm = rm_of(store, "C000001")
    booked_for(store, "C000001", rm.rm_id, TOMORROW_3PM)
    second = booked_for(store, "C000001", rm.rm_id, at(11, 30, 10))
    which = manage(domain, "C000001", "改到周五下午三点")
    assert which.responses == ["utter_appointment_which_reschedule"]
    proposal = click(domain, "C000001", which.buttons[1])
    assert proposal.pending == {"change": "reschedule", "reference": second, "start": at(11, 27, 15).isoformat()}


def test_the_appointment_chosen_by_button_is_the_one_cancelled(domain, store):
    rm = rm_of(store, "C000001")
    first = booked_for(store, "C000001", rm.rm_id, TOMORROW_3PM)
    second = booked_for(store, "C000001", rm.rm_id, at(11, 30, 10))
    which = manage(domain, "C000001", "取消预约")
    proposal = click(domain, "C000001", which.buttons[1])
    assert proposal.pending == {"change": "cancel", "reference": second}
    answer(domain, "C000001", proposal, "affirm", "确认")
    assert {row[0]: row[7] for row in rows(store)} == {first: "booked", second: "cancelled"}


def test_a_reference_typed_by_the_client_picks_that_appointment(domain, store):
    rm = rm_of(store, "C000001")
    booked_for(store, "C000001", rm.rm_id, TOMORROW_3PM)
    second = booked_for(store, "C000001", rm.rm_id, at(11, 30, 10))
    proposal = manage(domain, "C000001", f"取消{second}")
    assert proposal.pending == {"change": "cancel", "reference": second}


# ------------------------------------------------- another client's appointment
@pytest.fixture()
def theirs(store) -> str:
    """C000007's appointment with the same RM as C000001, who has one of their own."""
    rm_id = rm_of(store, "C000001").rm_id
    booked_for(store, "C000001", rm_id, at(11, 30, 10))
    return booked_for(store, "C000007", rm_id, TOMORROW_3PM)


def _untouched(store, reference: str) -> None:
    assert [(row[1], row[5], row[7]) for row in rows(store) if row[0] == reference] == [
        ("C000007", TOMORROW_3PM, "booked")]


@pytest.mark.parametrize("text, entities", [
    ("取消{ref}", []),
    ("把{ref}改到周五下午三点", []),
    ('/manage_appointment{{"appointment_reference": "{ref}", "appointment_change": "cancel"}}',
     [("appointment_reference", "{ref}"), ("appointment_change", "cancel")]),
    ('/manage_appointment{{"time": "2026-11-27T15:00:00+08:00", "appointment_reference": "{ref}", '
     '"appointment_change": "reschedule"}}',
     [("time", "2026-11-27T15:00:00+08:00"), ("appointment_reference", "{ref}"), ("appointment_change", "reschedule")]),
], ids=["cancel by text", "move by text", "cancel button", "move button"])
def test_another_clients_reference_is_never_shown_or_changed(domain, store, theirs, text, entities):
    turn = manage(domain, "C000001", text.format(ref=theirs),
                  entities=[{"entity": name, "value": value.format(ref=theirs)} for name, value in entities])
    shown = turn.reply + json.dumps(turn.buttons)
    assert theirs not in shown and theirs.lower() not in shown
    assert turn.pending is None or theirs not in json.dumps(turn.pending)
    _untouched(store, theirs)


@pytest.mark.parametrize("pending", [
    {"change": "cancel", "reference": "{ref}"},
    {"change": "reschedule", "reference": "{ref}", "start": "2026-11-27T15:00:00+08:00"},
], ids=["cancel", "reschedule"])
def test_a_forged_proposal_for_another_clients_appointment_changes_nothing(domain, store, theirs, pending):
    forged = {key: value.format(ref=theirs) for key, value in pending.items()}
    asked = Turn("action_manage_appointment", [], [{"event": "slot", "name": PENDING,
                                                    "value": json.dumps(forged)}], [])
    turn = answer(domain, "C000001", asked, "affirm", "确认")
    assert turn.responses == ["utter_appointment_gone"]
    _untouched(store, theirs)


# --------------------------------------------------------------- Traditional
def test_a_client_writing_traditional_reads_traditional(domain, store):
    traditional = {"script": "traditional"}
    rm = rm_of(store, "C000003")
    monday = at(11, 30, 15)
    name, branch = in_script(rm.name, "traditional"), in_script(rm.branch, "traditional")
    proposal = ask_to_book(domain, "C000003", "下週一下午三點", slots=traditional)
    assert proposal.reply.startswith(f"為您預約：{label(monday, '週一')}，在{branch}與{name}面談（約1小時）。確認預約嗎？")
    turn = answer(domain, "C000003", proposal, "affirm", "確認", slots=traditional)
    [(reference, *_)] = rows(store)
    assert turn.reply.startswith(f"預約成功，編號 {reference}：{label(monday, '週一')}，{branch}，{name}。")
    listed = manage(domain, "C000003", "我的預約", slots=traditional)
    assert listed.reply == f"您有 1 個預約：\n· {label(monday, '週一')}，{branch}，{name}（編號 {reference}）"


def test_a_traditional_client_hears_of_the_holiday_in_traditional(domain, store, monkeypatch):
    monkeypatch.setattr(clock, "bank_now", lambda: BEFORE_NATIONAL_DAY)
    turn = ask_to_book(domain, "C000003", "10月2號下午三點", slots={"script": "traditional"})
    assert turn.reply.startswith("那天是國慶節假期，網點休息。下面這些時間")
    assert "（週四）" in turn.buttons[0]["title"]


# ---------------------------------------------------------------- unverified
@pytest.mark.parametrize("action, intent", [
    (ActionBookAppointment(), "book_appointment"),
    (ActionManageAppointment(), "manage_appointment"),
    (ActionConfirmAppointment(), "affirm"),
], ids=lambda value: value if isinstance(value, str) else value.name())
def test_someone_not_verified_is_told_how_to_verify(domain, store, action, intent):
    pending = json.dumps({"change": "book", "start": TOMORROW_3PM.isoformat(), "rm_id": "RM001",
                          "place": "rm_office", "branch": rm_of(store, "C000001").branch})
    turn = say(domain, action, None, "明天下午三点", intent, slots={PENDING: pending},
               events=[{"event": "action", "name": "action_book_appointment"},
                       {"event": "slot", "name": PENDING, "value": pending},
                       {"event": "action", "name": "action_listen"}])
    assert turn.responses == ["utter_verify_first"] and turn.events == []
    assert rows(store) == []


def test_a_proposal_drops_an_unanswered_card_question(domain, store):
    """The next 是的 answers the appointment, not a card question asked earlier."""
    turn = ask_to_book(domain, "C000001", "明天下午三点", slots={"card_loss_pending": "9238"})
    assert turn.pending is not None
    assert {"event": "slot", "timestamp": None, "name": "card_loss_pending", "value": None} in turn.events
