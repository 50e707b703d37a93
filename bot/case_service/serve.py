"""Running the case service: uvicorn with masked logs (``python -m bot case-service``).

Every log record is masked (:func:`bot.masking.install_log_masking`), which
merges a record's arguments into its message; uvicorn's access formatter
needs the arguments, so access lines use the plain formatter instead (the
line reads the same). Websockets are off: the service has none, and
uvicorn's websockets support needs a newer ``websockets`` than Rasa pins.
"""
from __future__ import annotations

import copy
from typing import Any, Dict

__all__ = ["log_config", "serve"]


def log_config() -> Dict[str, Any]:
    """uvicorn's logging configuration with a masking-safe access formatter and our own loggers at INFO."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"] = {"()": "uvicorn.logging.DefaultFormatter", "fmt": "%(levelprefix)s %(message)s"}
    config["loggers"]["bot"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(host: str = "127.0.0.1", port: int = 8090) -> None:
    """Migrates the database (``$CASE_DATABASE_URL``) to head and serves until interrupted."""
    import uvicorn

    from bot.case_service.app import create_app
    from bot.masking import install_log_masking

    install_log_masking()
    uvicorn.run(create_app(), host=host, port=port, log_config=log_config(), ws="none")
