"""The case service on PostgreSQL (schema ``case_service_test``), when PROFILE_TEST_POSTGRES_URL is set.

``scripts/postgres.sh start`` prints a URL; ``make test`` sets it.
"""
from __future__ import annotations

import asyncio
import os
from typing import Iterator, List

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.case_service.database import VERSION_TABLE, current_revision, head_revision, make_engine
from bot.case_service.models import Base

from .conftest import AUTH, Service, make_service, new_case_body

POSTGRES_URL = os.environ.get("PROFILE_TEST_POSTGRES_URL", "").strip()
SCHEMA = "case_service_test"
pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="PROFILE_TEST_POSTGRES_URL is not set")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    admin.dispose()
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={SCHEMA}"})
    made = make_service(tmp_path_factory.mktemp("unused"), url.render_as_string(hide_password=False))
    yield made
    made.http.close()


def test_migrated_schema_equals_the_models(service: Service) -> None:
    engine = make_engine(service.database_url)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "version_table": VERSION_TABLE})
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_create_move_extend_and_list_due(service: Service) -> None:
    case = service.created(description="卡号6222021234567890123被盗刷5000元", severity="high",
                           amount_involved="5000.00", assigned_to="pg_team")
    assert case["case_id"] == "CS-2026-000001" and case["priority"] == "P1"
    assert "尾号0123" in case["description"]
    assert service.move(case["case_id"], "under_review").status_code == 200
    assert service.move(case["case_id"], "followed_up").status_code == 409
    assert service.extend(case["case_id"], 30).json()["due_at"] == "2026-12-24T23:59:59+08:00"
    service.clock.advance(days=28)
    due = service.http.get("/v1/cases/due", params={"within_days": 3, "assigned_to": "pg_team"}, headers=AUTH)
    assert [item["case_id"] for item in due.json()["due_soon"]] == [case["case_id"]]
    again = service.create(key="pg-replay-01")
    assert (again.status_code, service.create(key="pg-replay-01").status_code) == (201, 200)


def test_twenty_concurrent_creates(service: Service) -> None:
    async def create_all() -> List[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=service.app), base_url="http://cases") as http:
            return await asyncio.gather(*(
                http.post("/v1/cases", json=new_case_body(), headers={**AUTH, "Idempotency-Key": f"pg-many-{i:03d}"})
                for i in range(20)))

    before = service.http.get("/v1/cases", params={"client_id": "C000001", "limit": 500}, headers=AUTH).json()
    responses = asyncio.run(create_all())
    assert [response.status_code for response in responses] == [201] * 20
    numbers = sorted(int(response.json()["case_id"][-6:]) for response in responses)
    first = numbers[0]
    assert numbers == list(range(first, first + 20)) and first == len(before["cases"]) + 1
