"""Building one reply out of several domain responses without converting a part twice.

:func:`bot.responses.render` writes every string value in the client's
script. A part that is itself a rendered response (a line, a note) is
already in that script; converting it again can change it (OpenCC's s2t
turns 折合 into 摺合 on a second pass). :func:`fill` converts the data values
(merchant and product names) once and puts rendered parts in as they are.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from bot import clock
from bot.responses import in_script, render, response_text

__all__ = ["fill", "moment_text"]


def fill(domain: Mapping[str, Any], slots: Mapping[str, Any], response: str,
         parts: Mapping[str, str] = {}, **data: Any) -> str:
    """The text of ``response`` in the client's script: ``data`` converted, ``parts`` (rendered) as they are."""
    template = response_text(domain, response, slots)
    if template is None:
        raise KeyError(f"no response {response} in the domain")
    script = slots.get("script")
    values = {key: in_script(value, script) if isinstance(value, str) else value for key, value in data.items()}
    values.update(parts)
    return template.format(**values)


def moment_text(domain: Mapping[str, Any], slots: Mapping[str, Any], moment: datetime) -> str:
    """An aware moment as the client reads it, in bank time: 11月27日（周五）15:00."""
    local = clock.in_bank_time(moment)
    return render(domain, "utter_appointment_when", slots, month=local.month, day=local.day,
                  weekday=render(domain, f"utter_weekday_{local.isoweekday()}", slots),
                  time=local.strftime("%H:%M"))
