"""Column types for money, quantities and instants that behave the same on SQLite and PostgreSQL.

- :class:`ScaledDecimal` is ``NUMERIC(p, s)`` on PostgreSQL and a 64-bit integer
  of ``10**-s`` units on SQLite (which has no decimal type and would otherwise
  store money as a binary float). Python always sees :class:`~decimal.Decimal`;
  floats are refused.
- :class:`UtcDateTime` takes and returns timezone-aware datetimes and stores UTC:
  ``TIMESTAMP WITH TIME ZONE`` on PostgreSQL, naive UTC text on SQLite (which
  compares in time order because every value has the same format).
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional

from sqlalchemy.engine import Dialect
from sqlalchemy.types import BigInteger, DateTime, Numeric, TypeDecorator, TypeEngine

__all__ = ["ScaledDecimal", "Money", "UtcDateTime"]


class ScaledDecimal(TypeDecorator):
    """A fixed-point decimal: NUMERIC(precision, scale), or scaled integers on SQLite."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 18, scale: int = 2) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.precision = precision
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("decimal columns take Decimal or int, never float")
        quantised = Decimal(value).quantize(self._quantum, rounding=ROUND_HALF_UP)
        if dialect.name == "sqlite":
            return int(quantised.scaleb(self.scale))
        return quantised

    def process_result_value(self, value: Any, dialect: Dialect) -> Optional[Decimal]:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):  # only AVG() and the like; never stored
                value = round(value)
            return Decimal(int(value)).scaleb(-self.scale).quantize(self._quantum)
        return Decimal(value).quantize(self._quantum)

    @property
    def python_type(self) -> type:
        return Decimal

    def __repr__(self) -> str:
        return f"ScaledDecimal({self.precision}, {self.scale})"


class Money(ScaledDecimal):
    """Amounts of money: NUMERIC(18, 2)."""

    cache_ok = True

    def __init__(self) -> None:
        super().__init__(18, 2)

    def __repr__(self) -> str:
        return "Money()"


class UtcDateTime(TypeDecorator):
    """An instant: timezone-aware in Python, UTC in the database."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(DateTime(timezone=False))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise TypeError("instants must be timezone-aware datetimes")
        in_utc = value.astimezone(timezone.utc)
        return in_utc.replace(tzinfo=None) if dialect.name == "sqlite" else in_utc

    def process_result_value(self, value: Any, dialect: Dialect) -> Optional[datetime]:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)

    @property
    def python_type(self) -> type:
        return datetime

    def __repr__(self) -> str:
        return "UtcDateTime()"
