"""The served process logs uvicorn's access lines masked, without a formatting error."""
from __future__ import annotations

import logging

from uvicorn.logging import DefaultFormatter

from bot.case_service.serve import log_config
from bot.masking import mask_record


def test_access_lines_are_masked_and_formatted() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:50000", "GET", "/v1/cases?client_id=13812345678", "1.1", 200), None)
    mask_record(record)  # what install_log_masking does to every record: the arguments merged into the message
    access = log_config()["formatters"]["access"]
    formatter = DefaultFormatter(fmt=access["fmt"], use_colors=False)
    line = formatter.format(record)
    assert line.endswith('127.0.0.1:50000 - "GET /v1/cases?client_id=138****5678 HTTP/1.1" 200')


def test_our_own_loggers_are_shown() -> None:
    assert log_config()["loggers"]["bot"]["level"] == "INFO"
