"""Parses messages with a trained Rasa model, in process, for evaluation."""
from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

from bot.nlu.evaluation import Prediction

__all__ = ["RasaModelParser"]


class RasaModelParser:
    """Loads a model once; parses texts into :class:`Prediction` objects."""

    def __init__(self, model: Path) -> None:
        from rasa.core.agent import Agent
        from rasa.utils.log_utils import configure_structlog

        # Rasa logs every parse at debug level through structlog unless told
        configure_structlog(logging.WARNING)
        self._loop = asyncio.new_event_loop()
        self._agent = Agent.load(str(model))

    def parse_raw(self, text: str) -> Dict[str, Any]:
        return self._loop.run_until_complete(self._agent.parse_message(text))

    @staticmethod
    def to_prediction(parsed: Dict[str, Any]) -> Prediction:
        intent = (parsed.get("intent") or {}).get("name") or "nlu_fallback"
        selector = (parsed.get("response_selector") or {})
        response_key = None
        for key in ("faq", "default"):
            found = (selector.get(key) or {}).get("response", {}).get("intent_response_key")
            if found:
                response_key = found
                break
        entities = frozenset(
            (entity["entity"], entity["start"], entity["end"])
            for entity in parsed.get("entities") or []
        )
        return Prediction(
            intent=intent,
            response_key=response_key if intent == "faq" else None,
            entities=entities,
            confidence=float((parsed.get("intent") or {}).get("confidence") or 0.0),
        )

    def predict(self, texts: Sequence[str]) -> Tuple[List[Prediction], List[float]]:
        """Predictions and per-message parse latencies in milliseconds."""
        predictions, latencies = [], []
        for text in texts:
            started = time.perf_counter()
            parsed = self.parse_raw(text)
            latencies.append((time.perf_counter() - started) * 1000)
            predictions.append(self.to_prediction(parsed))
        return predictions, latencies
