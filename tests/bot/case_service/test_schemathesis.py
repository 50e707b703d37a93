"""Schemathesis against the service's own OpenAPI document, in-process (ASGI).

Every operation gets generated requests, valid and invalid (about 25 each);
each answer must not be a 5xx, must have a documented status, content type and
body schema, invalid requests must be refused, and an operation that needs the
token must refuse a request without it. Generated case ids are swapped for an
existing case in half the valid requests, so transitions and extensions reach the case
and its lifecycle, not only 404.
"""
from __future__ import annotations

import shutil
import tempfile
import zlib
from pathlib import Path
from typing import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import TOKEN, make_service, new_case_body

_FOLDER = Path(tempfile.mkdtemp(prefix="case-service-schemathesis-"))
SERVICE = make_service(_FOLDER)
EXISTING = SERVICE.created()["case_id"]
schema = schemathesis.openapi.from_asgi("/openapi.json", SERVICE.app)


@schema.auth()
class ServiceToken:
    """The token on every generated request, except those made to test a missing one."""

    def get(self, case: schemathesis.Case, context: object) -> str:
        return TOKEN

    def set(self, case: schemathesis.Case, data: str, context: object) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          negative_data_rejection, ignored_auth]


@pytest.fixture(scope="module", autouse=True)
def _remove_database() -> Iterator[None]:
    yield
    SERVICE.http.close()
    shutil.rmtree(_FOLDER, ignore_errors=True)


def test_the_document_covers_every_endpoint() -> None:
    operations = {(method.upper(), path) for path, item in SERVICE.http.get("/openapi.json").json()["paths"].items()
                  for method in item}
    assert operations == {
        ("GET", "/health"),
        ("POST", "/v1/cases"),
        ("GET", "/v1/cases"),
        ("GET", "/v1/cases/due"),
        ("GET", "/v1/cases/{case_id}"),
        ("POST", "/v1/cases/{case_id}/transitions"),
        ("POST", "/v1/cases/{case_id}/extensions"),
    }


@schema.parametrize()
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_conforms_to_its_document(case: schemathesis.Case) -> None:
    case_id = (case.path_parameters or {}).get("case_id")
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    if positive and isinstance(case_id, str) and zlib.crc32(case_id.encode("utf-8", "surrogatepass")) % 2 == 0:
        case.path_parameters["case_id"] = EXISTING
    case.call_and_validate(checks=CHECKS)


def test_the_service_still_answers_and_kept_the_first_case() -> None:
    assert SERVICE.get(EXISTING).status_code == 200
    assert SERVICE.create(**new_case_body()).status_code == 201
