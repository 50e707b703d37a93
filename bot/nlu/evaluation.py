"""Scores of an NLU on held-out examples: the same metrics for every pipeline.

- intent: macro-F1 over the intents of the gold set (a prediction of
  ``nlu_fallback`` or of any other label counts as a miss) and accuracy;
  a retrieval intent ``faq/<topic>`` counts as ``faq`` here, its topic is
  scored as response-selection accuracy.
- entities: micro precision/recall/F1 of exact (type, start, end) matches on
  the original text.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple

from sklearn.metrics import accuracy_score, f1_score

__all__ = ["Example", "Prediction", "Scores", "load_examples", "score"]

EntitySpan = Tuple[str, int, int]


@dataclass(frozen=True)
class Example:
    text: str
    intent: str
    response_key: Optional[str]
    entities: FrozenSet[EntitySpan] = frozenset()


@dataclass(frozen=True)
class Prediction:
    intent: str
    response_key: Optional[str] = None
    entities: FrozenSet[EntitySpan] = frozenset()
    confidence: float = 0.0


@dataclass(frozen=True)
class Scores:
    examples: int
    intent_macro_f1: float
    intent_accuracy: float
    entity_precision: float
    entity_recall: float
    entity_f1: float
    response_accuracy: Optional[float]
    per_intent_f1: Dict[str, float] = field(default_factory=dict)


def load_examples(path: Path) -> List[Example]:
    """Reads a Rasa YAML NLU file into examples (entities on the raw text)."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().read(str(path))
    examples = []
    for message in data.intent_examples:
        full = message.get("intent_response_key")
        examples.append(
            Example(
                text=message.get("text"),
                intent=message.get("intent"),
                response_key=full,
                entities=frozenset(
                    (entity["entity"], entity["start"], entity["end"])
                    for entity in message.get("entities", []) or []
                ),
            )
        )
    return examples


def score(examples: Sequence[Example], predictions: Sequence[Prediction]) -> Scores:
    if len(examples) != len(predictions):
        raise ValueError("one prediction per example")
    gold = [example.intent for example in examples]
    predicted = [prediction.intent for prediction in predictions]
    labels = sorted(set(gold))
    per_intent = f1_score(gold, predicted, labels=labels, average=None, zero_division=0)
    true_positives = sum(
        len(example.entities & prediction.entities)
        for example, prediction in zip(examples, predictions)
    )
    gold_count = sum(len(example.entities) for example in examples)
    predicted_count = sum(len(prediction.entities) for prediction in predictions)
    precision = true_positives / predicted_count if predicted_count else 0.0
    recall = true_positives / gold_count if gold_count else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    keyed = [
        (example.response_key, prediction.response_key)
        for example, prediction in zip(examples, predictions)
        if example.response_key
    ]
    response_accuracy = (
        sum(1 for want, got in keyed if want == got) / len(keyed) if keyed else None
    )
    return Scores(
        examples=len(examples),
        intent_macro_f1=float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)),
        intent_accuracy=float(accuracy_score(gold, predicted)),
        entity_precision=precision,
        entity_recall=recall,
        entity_f1=f1,
        response_accuracy=response_accuracy,
        per_intent_f1={label: float(value) for label, value in zip(labels, per_intent)},
    )
