"""The advisor copilot: what an RM or a contact-center agent sees beside a conversation.

- ``overview``: :func:`client_overview` → :class:`ClientOverview` (client 360,
  holdings, maturities, appointments, cases; the case service may be down);
- ``worklist``: :func:`worklist` → :class:`Worklist` (open handoffs they may
  see, today's appointments, maturities this week, open and overdue cases);
- ``replies``: :func:`suggested_replies` from ``kb/desk_replies.yml`` templates
  filled with the client's data (plain text, masked; the advisor edits them);
- ``suitability_check``: :func:`suitability_check` → :class:`SuitabilityVerdict`
  with the reasons in Chinese (the rules of :mod:`bot.suitability`).

No function here decides who may see a client: callers check first
(``bot.handoff.store.may_read_client``); :func:`book_of` lists the clients
an advisor may read now.
"""
from bot.advisor.overview import (
    MATURITY_DAYS,
    RISK_RENEWAL_DAYS,
    AppointmentLine,
    CaseLine,
    ClientOverview,
    HoldingLine,
    MaturityLine,
    client_overview,
)
from bot.advisor.replies import (
    DESK_REPLIES_FILE,
    DeskReplyTexts,
    DeskReplyTextsError,
    SuggestedReply,
    load_desk_reply_texts,
    salutation_for,
    suggested_replies,
)
from bot.advisor.suitability_check import SuitabilityVerdict, suitability_check
from bot.advisor.worklist import MATURITY_WEEK_DAYS, HandoffLine, Worklist, book_of, worklist

__all__ = [
    "DESK_REPLIES_FILE",
    "MATURITY_DAYS",
    "MATURITY_WEEK_DAYS",
    "RISK_RENEWAL_DAYS",
    "AppointmentLine",
    "CaseLine",
    "ClientOverview",
    "DeskReplyTexts",
    "DeskReplyTextsError",
    "HandoffLine",
    "HoldingLine",
    "MaturityLine",
    "SuggestedReply",
    "SuitabilityVerdict",
    "Worklist",
    "book_of",
    "client_overview",
    "load_desk_reply_texts",
    "salutation_for",
    "suggested_replies",
    "suitability_check",
    "worklist",
]
