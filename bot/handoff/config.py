"""The bank's handoff settings from ``kb/handoff.yml``, as typed, checked records.

Nothing here reads the environment; the file comes in as an argument (default:
the repository's ``kb/handoff.yml``). A file that breaks a rule (a tier without
a positive target, a contact center that never opens, an unknown reason)
raises :class:`HandoffConfigError` when loaded, not when a client is waiting.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, FrozenSet, Mapping, Optional


from bot.handoff.hours import ALWAYS_OPEN, WorkingHours
from bot.handoff.triggers import HandoffReason, TriggerRules
from bot.kb import KB_DIR
from bot.yaml_files import read_mapping

__all__ = [
    "HANDOFF_FILE",
    "OTHER_TIERS",
    "HandoffConfigError",
    "ContactCenter",
    "HandoffConfig",
    "config_from",
    "load_handoff_config",
]

HANDOFF_FILE = KB_DIR / "handoff.yml"
OTHER_TIERS = "其他"  # the response_targets key for any tier not listed, and anonymous clients


class HandoffConfigError(ValueError):
    """``kb/handoff.yml`` breaks a rule; the message says which."""


@dataclass(frozen=True)
class ContactCenter:
    queue_id: str = "premier_contact_center"
    name: str = "贵宾服务中心"
    hours: WorkingHours = ALWAYS_OPEN


@dataclass(frozen=True)
class HandoffConfig:
    response_targets: Mapping[str, timedelta] = field(default_factory=lambda: {
        "私人银行": timedelta(minutes=2), "钻石": timedelta(minutes=5), OTHER_TIERS: timedelta(minutes=15)})
    urgent_target: timedelta = timedelta(minutes=2)
    contact_center: ContactCenter = ContactCenter()
    notify_rm_reasons: FrozenSet[HandoffReason] = frozenset(
        {HandoffReason.CARD_LOSS, HandoffReason.SUSPECTED_FRAUD, HandoffReason.COMPLAINT_HIGH_SEVERITY,
         HandoffReason.RM_REQUESTED})
    next_start_search_days: int = 30
    triggers: TriggerRules = TriggerRules()

    def response_target(self, tier: Optional[str], urgent: bool = False) -> timedelta:
        """The tier's first-reply target (其他 for an unlisted or unknown tier); for an urgent
        reason, the urgent target when shorter."""
        target = self.response_targets.get(tier or "", self.response_targets[OTHER_TIERS])
        return min(target, self.urgent_target) if urgent else target


def _minutes(value: Any, where: str) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise HandoffConfigError(f"{where} must be a positive number of minutes, not {value!r}")
    return timedelta(minutes=value)


def _clock(value: Any, where: str) -> Optional[time]:
    """"HH:MM" as a time; "24:00" as None (midnight at the end of the day)."""
    text = str(value).strip()
    if text == "24:00":
        return None
    try:
        hours, minutes = (int(part) for part in text.split(":"))
        return time(hours, minutes)
    except ValueError:
        raise HandoffConfigError(f"{where} must be a time HH:MM, not {value!r}") from None


def _contact_center(raw: Mapping[str, Any]) -> ContactCenter:
    default = ContactCenter()
    if raw.get("always_open", True):
        hours = ALWAYS_OPEN
    else:
        opens = _clock(raw.get("opens", "08:00"), "contact_center.opens")
        if opens is None:
            raise HandoffConfigError("contact_center.opens cannot be 24:00")
        try:
            hours = WorkingHours(days=str(raw.get("days", "1234567")), start=opens,
                                 end=_clock(raw.get("closes", "22:00"), "contact_center.closes"),
                                 closed_on_holidays=not raw.get("open_on_holidays", True))
        except ValueError as error:
            raise HandoffConfigError(f"contact_center: {error}") from None
    return ContactCenter(str(raw.get("queue_id") or default.queue_id), str(raw.get("name") or default.name), hours)


def _reasons(values: Any) -> FrozenSet[HandoffReason]:
    try:
        return frozenset(HandoffReason(str(value)) for value in values or ())
    except ValueError as error:
        raise HandoffConfigError(f"notify_rm_reasons: {error}") from None


def _triggers(raw: Mapping[str, Any]) -> TriggerRules:
    default = TriggerRules()
    try:
        return TriggerRules(
            fallbacks_in_a_row=int(raw.get("fallbacks_in_a_row", default.fallbacks_in_a_row)),
            elderly_fallbacks_in_a_row=int(raw.get("elderly_fallbacks_in_a_row",
                                                   default.elderly_fallbacks_in_a_row)),
            rm_request_tiers=tuple(str(tier) for tier in raw.get("rm_request_tiers", default.rm_request_tiers)),
            repeat_similarity=float(raw.get("repeat_similarity", default.repeat_similarity)),
            repeat_lookback=int(raw.get("repeat_lookback", default.repeat_lookback)),
        )
    except (TypeError, ValueError) as error:
        raise HandoffConfigError(f"triggers: {error}") from None


def config_from(raw: Mapping[str, Any]) -> HandoffConfig:
    """A checked :class:`HandoffConfig` from the parsed YAML mapping."""
    targets = {str(tier): _minutes(minutes, f"response_targets.{tier}")
               for tier, minutes in (raw.get("response_targets") or {}).items()}
    if OTHER_TIERS not in targets:
        raise HandoffConfigError(f"response_targets needs a {OTHER_TIERS} entry for any other tier")
    search_days = raw.get("next_start_search_days", 30)
    if isinstance(search_days, bool) or not isinstance(search_days, int) or not 7 <= search_days <= 366:
        raise HandoffConfigError("next_start_search_days must be a whole number of days from 7 to 366")
    return HandoffConfig(
        response_targets=MappingProxyType(targets),
        urgent_target=_minutes(raw.get("urgent_response_minutes", 2), "urgent_response_minutes"),
        contact_center=_contact_center(raw.get("contact_center") or {}),
        notify_rm_reasons=(_reasons(raw["notify_rm_reasons"]) if "notify_rm_reasons" in raw
                           else HandoffConfig.notify_rm_reasons),
        next_start_search_days=search_days,
        triggers=_triggers(raw.get("triggers") or {}),
    )


@lru_cache(maxsize=4)
def load_handoff_config(path: Path = HANDOFF_FILE) -> HandoffConfig:
    """The configuration in ``path`` (default ``kb/handoff.yml``), read once per process."""
    return config_from(read_mapping(path, HandoffConfigError))
