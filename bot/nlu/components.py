"""Rasa graph components of the bank's Chinese NLU pipeline.

Order in ``config.yml``::

    TextNormaliser → DomainJiebaTokenizer → featurizers → DIET → LinearIntentBlend
    → RegexEntityExtractor
    → KbEntityRuler → EntitySynonymMapper → ResponseSelector → FallbackClassifier
    → EntityCanonicaliser

The normaliser rewrites the message text for the components after it and keeps
the alignment; the canonicaliser, last, moves entities and tokens back onto the
original text, gives entities their contract values and restores the original
text, so what is logged and handed over is what the client wrote.
"""
from __future__ import annotations

import json
import logging
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.kb import KB_DIR, fingerprint_of, load_kb
from bot.nlu.canonical import canonical_value
from bot.nlu.linear_intent import LinearIntentModel, blend_rankings
from bot.nlu.normalise import Normalised, normalise
from bot.nlu.ruler import build_ruler_pipeline, load_ruler_pipeline, person_name
from bot.nlu.segmenter import TokenRules, domain_segmenter, domain_words, segment, words_by_label

__all__ = [
    "MAX_NLU_CHARS",
    "TextNormaliser",
    "DomainJiebaTokenizer",
    "LinearIntentBlend",
    "KbEntityRuler",
    "EntityCanonicaliser",
]

logger = logging.getLogger(__name__)

#: Longer messages are cut to this many characters for the NLU only.
MAX_NLU_CHARS = 500
NORMALISATION = "normalisation"
SCRIPT = "script"
TRUNCATED = "truncated"
TEXT_NORMALISED = "text_normalised"
ORIGINAL_TEXT = "original_text"
DIET_RANKING = "intent_ranking_diet"
LINEAR_RANKING = "intent_ranking_linear"


# what our components are made from beyond their config and training data
_MODEL_CODE = (Path(__file__).resolve().parent, Path(__file__).resolve().parents[1] / "kb.py")
_NOT_MODEL_CODE = frozenset({"evaluation.py", "rasa_parser.py"})  # scripts' and tests' helpers


@lru_cache(maxsize=1)
def _made_from() -> str:
    """A hash of ``kb/`` and of this package's code. Rasa's training cache keys a component
    by its config and its input data only: without this, a changed lexicon or a changed
    segmenter restored the old tokenizer (and everything after it) from the cache."""
    digest = sha256(fingerprint_of(KB_DIR).encode())
    for source in _MODEL_CODE:
        files = sorted(source.glob("*.py")) if source.is_dir() else [source]
        for path in files:
            if path.name not in _NOT_MODEL_CODE:
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


class _MadeFromKbAndCode:
    """Mixed in first: the component's cache key covers ``kb/`` and our NLU code."""

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return _made_from()


def _normalised_span(normalised: Normalised, start: int, end: int) -> Optional[Tuple[int, int]]:
    """Maps an original span onto the normalised text (None if it vanished)."""
    inside = [
        index
        for index, (char_start, char_end) in enumerate(zip(normalised.starts, normalised.ends))
        if char_end > start and char_start < end
    ]
    if not inside:
        return None
    return inside[0], inside[-1] + 1


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TextNormaliser(_MadeFromKbAndCode, GraphComponent):
    """Rewrites the text into its canonical form (see :mod:`bot.nlu.normalise`)."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TextNormaliser":
        return cls()

    @staticmethod
    def required_packages() -> List[Text]:
        return ["opencc", "cn2an"]

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if not text:
                continue
            normalised = normalise(text)
            entities = []
            for entity in example.get(ENTITIES, []):
                span = _normalised_span(
                    normalised, entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
                )
                if span is None:
                    continue
                value = entity.get(ENTITY_ATTRIBUTE_VALUE)
                # an entity annotated without a value has its own text as value:
                # keep it equal to the normalised span, or EntitySynonymMapper
                # learns 储蓄卡 → 儲蓄卡 from a Traditional example
                original = text[entity[ENTITY_ATTRIBUTE_START]:entity[ENTITY_ATTRIBUTE_END]]
                if value == original:
                    value = normalised.text[span[0]:span[1]]
                entities.append({
                    **entity,
                    ENTITY_ATTRIBUTE_START: span[0],
                    ENTITY_ATTRIBUTE_END: span[1],
                    ENTITY_ATTRIBUTE_VALUE: value,
                })
            example.set(TEXT, normalised.text)
            if example.get(ENTITIES):
                example.set(ENTITIES, entities)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            truncated = len(text) > MAX_NLU_CHARS
            normalised = normalise(text[:MAX_NLU_CHARS])
            message.set(NORMALISATION, normalised)
            message.set(ORIGINAL_TEXT, text)
            message.set(TEXT, normalised.text)
            message.set(SCRIPT, normalised.script.value, add_to_output=True)
            message.set(TRUNCATED, truncated, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class DomainJiebaTokenizer(_MadeFromKbAndCode, Tokenizer):
    """Jieba with the domain dictionary from ``kb/``; no whitespace tokens."""

    _WORDS_FILE = "domain_words.json"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return ["zh"]

    @staticmethod
    def required_packages() -> List[Text]:
        return ["jieba"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        words: Tuple[str, ...],
        surnames: Tuple[str, ...],
        titles: Tuple[str, ...],
    ) -> None:
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self._words = words
        self._surnames = surnames
        self._titles = titles
        self._segmenter = domain_segmenter(words)
        self._rules = TokenRules(surnames, titles, words)

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DomainJiebaTokenizer":
        kb = load_kb()
        return cls(config, model_storage, resource, domain_words(kb), kb.surnames, kb.titles)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "DomainJiebaTokenizer":
        with model_storage.read_from(resource) as directory:
            meta = json.loads((Path(directory) / cls._WORDS_FILE).read_text("utf-8"))
        return cls(
            config, model_storage, resource,
            tuple(meta["words"]), tuple(meta["surnames"]), tuple(meta["titles"]),
        )

    def train(self, training_data: TrainingData) -> Resource:
        meta = {"words": list(self._words), "surnames": list(self._surnames), "titles": list(self._titles)}
        with self._model_storage.write_to(self._resource) as directory:
            (Path(directory) / self._WORDS_FILE).write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        return self._resource

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        tokens = [Token(word, start, end) for word, start, end in segment(self._segmenter, text, self._rules)]
        return self._apply_token_pattern(tokens)


def _token_texts(message: Message) -> List[str]:
    return [token.text for token in message.get(TOKENS_NAMES[TEXT]) or []]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentBlend(_MadeFromKbAndCode, GraphComponent, IntentClassifier):
    """Blends DIET's intent ranking with a linear n-gram model (:mod:`bot.nlu.linear_intent`).

    Runs after DIET: the message's intent and ranking become the weighted mean
    of DIET's and the linear model's probabilities.
    """

    _FOLDER = "linear_intent"

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # share of DIET in the blend; the rest is the linear model's
            "diet_weight": 0.5,
            # inverse regularisation strength of the logistic regression
            "regularisation": 10.0,
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[LinearIntentModel],
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinearIntentBlend":
        return cls(config, model_storage, resource, None)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearIntentBlend":
        with model_storage.read_from(resource) as directory:
            model = LinearIntentModel.load(Path(directory))
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        self._model = LinearIntentModel.fit(
            [_token_texts(e) for e in examples],
            [e.get(TEXT) for e in examples],
            [e.get(INTENT) for e in examples],
            regularisation=float(self._config["regularisation"]),
        )
        with self._model_storage.write_to(self._resource) as directory:
            self._model.save(Path(directory))
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        for message in messages:
            if not message.get(TEXT):
                continue
            diet = {
                entry[INTENT_NAME_KEY]: float(entry[PREDICTED_CONFIDENCE_KEY])
                for entry in message.get(INTENT_RANKING_KEY) or []
            }
            linear = self._model.probabilities(_token_texts(message), message.get(TEXT))
            # both opinions stay in the parse result: `make choose-threshold`
            # chooses the blend weight from them, and they explain a decision
            message.set(DIET_RANKING, self._top(diet.items()), add_to_output=True)
            message.set(LINEAR_RANKING, self._top(linear.items()), add_to_output=True)
            ranking = [
                {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                for name, confidence in blend_rankings(diet, linear, float(self._config["diet_weight"]))
            ][: int(self._config["ranking_length"])]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _top(self, scores: Any) -> List[Dict[Text, Any]]:
        best = sorted(scores, key=lambda item: -item[1])[: int(self._config["ranking_length"])]
        return [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: round(score, 6)} for name, score in best]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class KbEntityRuler(_MadeFromKbAndCode, GraphComponent, EntityExtractorMixin):
    """spaCy EntityRuler generated from ``kb/``: products, branches, persons."""

    _PIPELINE_DIR = "spacy_zh"
    _WORDS_FILE = "domain_words.json"

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        nlp: Any,
        words: Tuple[str, ...],
        titles: Tuple[str, ...],
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._nlp = nlp
        self._words = words
        self._titles = titles

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "jieba"]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "KbEntityRuler":
        kb = load_kb()
        words = domain_words(kb)
        nlp = build_ruler_pipeline(kb, domain_segmenter(words))
        return cls(model_storage, resource, nlp, words, kb.titles)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "KbEntityRuler":
        with model_storage.read_from(resource) as directory:
            folder = Path(directory)
            meta = json.loads((folder / cls._WORDS_FILE).read_text("utf-8"))
            segmenter = domain_segmenter(tuple(meta["words"]))
            nlp = load_ruler_pipeline(folder / cls._PIPELINE_DIR, segmenter)
        return cls(model_storage, resource, nlp, tuple(meta["words"]), tuple(meta["titles"]))

    def train(self, training_data: TrainingData) -> Resource:
        with self._model_storage.write_to(self._resource) as directory:
            folder = Path(directory)
            self._nlp.to_disk(folder / self._PIPELINE_DIR)
            (folder / self._WORDS_FILE).write_text(
                json.dumps({"words": list(self._words), "titles": list(self._titles)}, ensure_ascii=False),
                "utf-8",
            )
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = []
            for ent in self._nlp(text).ents:
                start, end, value = ent.start_char, ent.end_char, ent.ent_id_ or ent.text
                if ent.label_ == "person":
                    value = person_name(ent.text, self._titles)
                    end = start + len(value)
                found.append({
                    ENTITY_ATTRIBUTE_TYPE: ent.label_,
                    ENTITY_ATTRIBUTE_START: start,
                    ENTITY_ATTRIBUTE_END: end,
                    ENTITY_ATTRIBUTE_VALUE: value,
                    "confidence_entity": 1.0,
                })
            self.add_extractor_name(found)
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages


# extractors whose spans win over DIET's when both find the same kind of entity
_RULE_EXTRACTORS = ("RegexEntityExtractor", "KbEntityRuler")


def _prefer_rules(entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    ranked = sorted(
        entities,
        key=lambda entity: (entity.get("extractor") not in _RULE_EXTRACTORS, entity[ENTITY_ATTRIBUTE_START]),
    )
    kept: List[Dict[str, Any]] = []
    for entity in ranked:
        overlaps = any(
            entity[ENTITY_ATTRIBUTE_START] < other[ENTITY_ATTRIBUTE_END]
            and other[ENTITY_ATTRIBUTE_START] < entity[ENTITY_ATTRIBUTE_END]
            for other in kept
        )
        if not overlaps:
            kept.append(entity)
    return sorted(kept, key=lambda entity: entity[ENTITY_ATTRIBUTE_START])


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EntityCanonicaliser(_MadeFromKbAndCode, GraphComponent, EntityExtractorMixin):
    """Last: contract values, one entity per span, spans on the original text."""

    def __init__(self, surfaces: Dict[str, Dict[str, str]]) -> None:
        self._surfaces = surfaces

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EntityCanonicaliser":
        return cls(words_by_label(load_kb()))

    def _value(self, entity: Dict[str, Any], span_text: str) -> Any:
        kind = entity[ENTITY_ATTRIBUTE_TYPE]
        value = entity.get(ENTITY_ATTRIBUTE_VALUE)
        if kind in self._surfaces:
            table = self._surfaces[kind]
            return table.get(span_text) or table.get(str(value)) or value
        if kind in ("amount", "currency", "time", "case_id", "card_tail"):
            return canonical_value(kind, span_text) or value
        return value

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            normalised: Optional[Normalised] = message.get(NORMALISATION)
            if normalised is None:
                continue
            text = normalised.text
            entities = []
            for entity in _prefer_rules(message.get(ENTITIES, [])):
                start, end = entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
                original_start, original_end = normalised.original_span(start, end)
                entities.append({
                    **entity,
                    ENTITY_ATTRIBUTE_START: original_start,
                    ENTITY_ATTRIBUTE_END: original_end,
                    ENTITY_ATTRIBUTE_VALUE: self._value(entity, text[start:end]),
                })
            for token in message.get(TOKENS_NAMES[TEXT], []) or []:
                token.start, token.end = normalised.original_span(token.start, token.end)
            message.set(ENTITIES, entities, add_to_output=True)
            message.set(TEXT_NORMALISED, text, add_to_output=True)
            message.set(TEXT, message.get(ORIGINAL_TEXT, normalised.original))
        return messages
