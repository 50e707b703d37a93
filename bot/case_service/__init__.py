"""The case service: complaints as tracked cases with the statutory clock, over HTTP (a separate process).

``create_app`` builds the FastAPI app (``python -m bot case-service`` runs it
with uvicorn on port 8090); ``lifecycle``, ``deadlines`` and ``priority`` are
the pure rules; ``store`` the database operations; ``schemas`` the JSON
bodies; ``database`` and ``migrations`` the schema. Clients use
:mod:`bot.cases.client`, not this package.
"""
from bot.case_service.app import MAX_BODY_BYTES, create_app
from bot.case_service.database import database_url, upgrade_to_head
from bot.case_service.deadlines import ExtensionRefused, due_at
from bot.case_service.lifecycle import ALLOWED_TRANSITIONS, OPEN_STATUSES, STATUSES, InvalidTransition, Status
from bot.case_service.priority import priority_for

__all__ = [
    "ALLOWED_TRANSITIONS",
    "MAX_BODY_BYTES",
    "OPEN_STATUSES",
    "STATUSES",
    "ExtensionRefused",
    "InvalidTransition",
    "Status",
    "create_app",
    "database_url",
    "due_at",
    "priority_for",
    "upgrade_to_head",
]
