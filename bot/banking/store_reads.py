"""Two reads of the profile store the account answers need beyond ``bot.profile.queries``.

- :func:`data_day`: the last day the store has transactions for (Asia/Shanghai),
  never after today. The demo bank ends on its seed day while the clock moves
  on, so "the last 30 days" and "matures in 12 days" count from this day.
- :func:`counterparties_of`: the distinct counterparties of a client with
  their category, to recognise 美团 or 星巴克 in a question.

Both belong with the typed queries in ``bot.profile.queries``; they live here
until that module takes them.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional, Tuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.nlu.canonical import SHANGHAI
from bot.profile.models import Transaction

__all__ = ["data_day", "counterparties_of"]


def data_day(session: Session, now: Optional[datetime] = None) -> date:
    """The Shanghai date of the newest transaction in the store, at most today's date."""
    today = (now or datetime.now(SHANGHAI)).astimezone(SHANGHAI).date()
    newest = session.execute(select(func.max(Transaction.occurred_at))).scalar_one_or_none()
    if newest is None:
        return today
    return min(today, newest.astimezone(SHANGHAI).date())


def counterparties_of(session: Session, client_id: str) -> Tuple[Tuple[str, str], ...]:
    """``(counterparty, category)`` pairs of the client's transactions, sorted."""
    statement = (
        select(Transaction.counterparty, Transaction.category)
        .where(Transaction.client_id == client_id)
        .distinct()
        .order_by(Transaction.counterparty, Transaction.category)
    )
    return tuple((counterparty, category) for counterparty, category in session.execute(statement))
