"""Running the desk server: uvicorn with masked logs (``python -m bot desk``).

As for the case service (:mod:`bot.case_service.serve`): every log record is
masked (:func:`bot.masking.install_log_masking`), access lines use the plain
formatter, websockets are off (the pages use Server-Sent Events).
"""
from __future__ import annotations

import os

__all__ = ["serve"]


def serve(host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serves the chat page, the desk page and their API until interrupted."""
    import uvicorn

    from bot.case_service.serve import log_config
    from bot.desk.app import app_from_environment
    from bot.masking import install_log_masking

    install_log_masking()
    uvicorn.run(app_from_environment(os.environ), host=host, port=port, log_config=log_config(), ws="none",
                timeout_graceful_shutdown=3)
