"""Writes to the profile store on a client's request. Each is one business operation:
it changes rows in the caller's session and the caller's unit of work
(``session_scope`` / ``profile_session``) commits it once, or rolls it back.

Like :mod:`bot.profile.queries`, nothing here decides who may do what: the
caller has checked access for ``client_id`` first.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.profile.models import Account

__all__ = ["CARD_TYPES", "FreezeOutcome", "FreezeResult", "freeze_card"]

CARD_TYPES = ("储蓄卡", "信用卡")


class FreezeOutcome(str, Enum):
    FROZEN = "frozen"  # was usable, is frozen now
    ALREADY_FROZEN = "already_frozen"
    NOT_FOUND = "not_found"  # no open card of this client ends with the tail
    AMBIGUOUS = "ambiguous"  # several of the client's cards end with it: nothing changed


@dataclass(frozen=True)
class FreezeResult:
    outcome: FreezeOutcome
    tail: str
    account_type: Optional[str] = None  # 储蓄卡 / 信用卡


def _valid_tail(tail: str) -> bool:
    return len(tail) == 4 and tail.isascii() and tail.isdigit()


def freeze_card(session: Session, client_id: str, tail: str) -> FreezeResult:
    """Freezes the client's open debit or credit card ending with ``tail`` (a lost or stolen card).

    The update is conditional (``status = 'normal'``), so two requests at once
    freeze the card once; the second is told it already is.
    """
    if not _valid_tail(tail):
        return FreezeResult(FreezeOutcome.NOT_FOUND, tail)
    cards = session.execute(
        select(Account.id, Account.account_type, Account.status)
        .where(
            Account.client_id == client_id,
            Account.account_type.in_(CARD_TYPES),
            Account.status != "closed",
            Account.number.like(f"%{tail}"),
        )
        .with_for_update()
    ).all()
    if not cards:
        return FreezeResult(FreezeOutcome.NOT_FOUND, tail)
    if len(cards) > 1:
        return FreezeResult(FreezeOutcome.AMBIGUOUS, tail)
    account_id, account_type, status = cards[0]
    if status == "frozen":
        return FreezeResult(FreezeOutcome.ALREADY_FROZEN, tail, account_type)
    changed = session.execute(
        update(Account)
        .where(Account.id == account_id, Account.client_id == client_id, Account.status == "normal")
        .values(status="frozen")
        .execution_options(synchronize_session=False)
    ).rowcount
    session.flush()
    outcome = FreezeOutcome.FROZEN if changed == 1 else FreezeOutcome.ALREADY_FROZEN
    return FreezeResult(outcome, tail, account_type)
