"""The desk server: the client's web chat and the advisor desk (``python -m bot desk``, port 8080).

- ``app``: :func:`create_app` (FastAPI), :func:`app_from_environment`;
- ``auth``: bearer tokens, the demo login; ``chat``: the client's routes; ``desk``: the desk's routes;
- ``rasa_client``: :class:`RasaClient` (app channel, tracker events, trigger_intent);
- ``streams``: Server-Sent Events from Redis pub/sub (:mod:`bot.handoff.live` names the channels);
- ``settings``: :class:`DeskSettings` from the environment; ``texts``: the server's messages (``texts.yml``);
- ``inputs``: reading posted bodies; ``views``: the JSON shapes; ``directory``: who may log in, names;
- ``services``: what the routes share; ``serve``: uvicorn.
"""
from bot.desk.app import STATIC_DIR, app_from_environment, create_app
from bot.desk.rasa_client import BotMessage, Button, RasaClient, RasaError, RasaFailure, RasaUnavailable
from bot.desk.settings import DeskSettings

__all__ = [
    "STATIC_DIR",
    "BotMessage",
    "Button",
    "DeskSettings",
    "RasaClient",
    "RasaError",
    "RasaFailure",
    "RasaUnavailable",
    "app_from_environment",
    "create_app",
]
