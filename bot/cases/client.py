"""The typed async client of the case service (httpx).

Every call has a timeout; connection errors, timeouts and 5xx answers are
retried with exponential backoff (``backoff``, then twice that, …) up to
``attempts`` tries in all; 4xx answers are never retried. A create sends
the same ``Idempotency-Key`` on every try, so a retry after a lost answer
finds the case the first try made. Logs name the operation, the case id,
the status code and the attempt number, nothing a client wrote.

Errors, translated from httpx here and nowhere else::

    CaseServiceFailure
     ├── CaseServiceUnavailable   connection error, timeout or 5xx after the retries
     └── CaseServiceError         any other unexpected answer (.status, .detail)
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from types import TracebackType
from typing import Any, Dict, List, Mapping, Optional, Type
from urllib.parse import quote

import httpx

from bot.cases.types import Case, NewCase
from bot.identity.secret import load_case_service_token

__all__ = [
    "URL_ENV",
    "DEFAULT_URL",
    "CaseServiceFailure",
    "CaseServiceUnavailable",
    "CaseServiceError",
    "CaseClient",
]

logger = logging.getLogger(__name__)
# httpx logs every request's URL at INFO, and the URL of cases_of carries the client id
logging.getLogger("httpx").setLevel(logging.WARNING)

URL_ENV = "CASE_SERVICE_URL"
DEFAULT_URL = "http://127.0.0.1:8090"
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{8,128}")


class CaseServiceFailure(Exception):
    """Root of the case client's errors."""


class CaseServiceUnavailable(CaseServiceFailure):
    """The service could not be reached, timed out or answered 5xx on every attempt."""


class CaseServiceError(CaseServiceFailure):
    """The service answered something other than what the call expects (a 4xx, an unreadable body)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"case service answered HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail", "")
    except (ValueError, AttributeError):
        return response.reason_phrase or "unreadable answer"
    return detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)[:500]


def _case(response: httpx.Response) -> Case:
    try:
        return Case.from_json(response.json())
    except (ValueError, KeyError, TypeError) as error:
        raise CaseServiceError(response.status_code, "unreadable case in the answer") from error


def _cases(response: httpx.Response) -> List[Case]:
    try:
        return [Case.from_json(item) for item in response.json()["cases"]]
    except (ValueError, KeyError, TypeError) as error:
        raise CaseServiceError(response.status_code, "unreadable case list in the answer") from error


class CaseClient:
    """One connection pool to the case service; use as ``async with`` or call :meth:`aclose`."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 3.0, attempts: int = 3,
                 backoff: float = 0.2, transport: Optional[httpx.AsyncBaseTransport] = None) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self._attempts = attempts
        self._backoff = backoff
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout),
            transport=transport,
        )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ, *, timeout: float = 3.0, attempts: int = 3,
                         backoff: float = 0.2, transport: Optional[httpx.AsyncBaseTransport] = None) -> "CaseClient":
        """``CASE_SERVICE_URL`` (default http://127.0.0.1:8090) and the service token
        (``CASE_SERVICE_TOKEN``, else ``var/case_service_token``); the rest as in the constructor."""
        base_url = environ.get(URL_ENV, "").strip() or DEFAULT_URL
        return cls(base_url, load_case_service_token(environ), timeout=timeout, attempts=attempts, backoff=backoff,
                   transport=transport)

    async def create_case(self, new: NewCase, idempotency_key: str) -> Case:
        """Files the complaint; the same key (on every retry, and later calls) gives the same case."""
        if not _IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise ValueError("an idempotency key is 8-128 printable ASCII characters without spaces")
        response = await self._request("create", "POST", "/v1/cases", json=new.to_json(),
                                       headers={"Idempotency-Key": idempotency_key})
        if response.status_code in (200, 201):
            case = _case(response)
            logger.info("case service create: case %s (HTTP %d)", case.case_id, response.status_code)
            return case
        raise CaseServiceError(response.status_code, _detail(response))

    async def get_case(self, case_id: str) -> Optional[Case]:
        """The case, or None when the service has none with this id."""
        response = await self._request("get", "GET", f"/v1/cases/{quote(case_id, safe='')}", case_id=case_id)
        if response.status_code == 200:
            return _case(response)
        if response.status_code == 404:
            return None
        raise CaseServiceError(response.status_code, _detail(response))

    async def cases_of(self, client_id: str, open_only: bool = False) -> List[Case]:
        """The client's cases, newest first (only those not yet resolved with ``open_only``)."""
        response = await self._request("list", "GET", "/v1/cases",
                                       params={"client_id": client_id, "open_only": str(open_only).lower()})
        if response.status_code == 200:
            return _cases(response)
        raise CaseServiceError(response.status_code, _detail(response))

    async def _request(self, operation: str, method: str, path: str, *, case_id: Optional[str] = None,
                       json: Optional[Dict[str, Any]] = None, params: Optional[Dict[str, str]] = None,
                       headers: Optional[Dict[str, str]] = None) -> httpx.Response:
        """The first answer below 500; CaseServiceUnavailable when every attempt failed."""
        problem = ""
        last_error: Optional[BaseException] = None
        for attempt in range(1, self._attempts + 1):
            try:
                response = await self._http.request(method, path, json=json, params=params, headers=headers)
            except httpx.TransportError as error:  # connect errors, timeouts, broken connections
                problem, last_error = type(error).__name__, error
            else:
                if response.status_code < 500:
                    return response
                problem, last_error = f"HTTP {response.status_code}", None
            logger.warning("case service %s%s: attempt %d/%d failed (%s)", operation,
                           f" {case_id}" if case_id else "", attempt, self._attempts, problem)
            if attempt < self._attempts:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        raise CaseServiceUnavailable(
            f"case service {operation} failed after {self._attempts} attempts ({problem})") from last_error

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "CaseClient":
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                        traceback: Optional[TracebackType]) -> None:
        await self.aclose()
