"""A linear intent model over word and character n-grams, kept as plain arrays.

Multinomial logistic regression on two TF-IDF blocks: word 1–2-grams of the
domain tokenizer's tokens, and character 1–3-grams (``char_wb``) of the
normalised text. scikit-learn fits it; what is kept is the vocabulary, the
idf weights and the coefficients, saved as JSON and a NumPy archive (no
pickle), and prediction recomputes the features from them.

Why it is in the pipeline: on the validation split of ``data/nlu`` a linear
model alone ranks better than DIET, and the blend of the two better than
either (README, "NLU pipeline"; ``make choose-threshold`` measures it).
"""
from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

import numpy as np

__all__ = ["NgramBlock", "LinearIntentModel", "blend_rankings"]

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (1, 3)


@lru_cache(maxsize=1)
def _word_analyzer() -> Callable[[Sequence[str]], List[str]]:
    low, high = WORD_NGRAMS

    def analyse(tokens: Sequence[str]) -> List[str]:
        grams: List[str] = []
        for n in range(low, high + 1):
            grams += [" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
        return grams

    return analyse


@lru_cache(maxsize=1)
def _char_analyzer() -> Callable[[str], List[str]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, lowercase=False).build_analyzer()


@dataclass(frozen=True)
class NgramBlock:
    """One TF-IDF block: n-gram → column, idf per column; sublinear tf, l2 norm."""

    vocabulary: Dict[str, int]
    idf: np.ndarray

    def transform(self, grams: Sequence[str]) -> np.ndarray:
        row = np.zeros(len(self.vocabulary))
        for gram, count in Counter(grams).items():
            column = self.vocabulary.get(gram)
            if column is not None:
                row[column] = (1.0 + math.log(count)) * self.idf[column]
        norm = np.linalg.norm(row)
        return row / norm if norm else row


@dataclass(frozen=True)
class LinearIntentModel:
    """Intent probabilities from tokens and normalised text."""

    intents: Tuple[str, ...]
    words: NgramBlock
    chars: NgramBlock
    coef: np.ndarray
    intercept: np.ndarray

    @classmethod
    def fit(cls, tokens: Sequence[Sequence[str]], texts: Sequence[str], intents: Sequence[str],
            regularisation: float) -> "LinearIntentModel":
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        word_grams = _word_analyzer()
        word_vectorizer = TfidfVectorizer(analyzer=lambda grams: grams, sublinear_tf=True)
        char_vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=CHAR_NGRAMS, lowercase=False, sublinear_tf=True, min_df=2
        )
        features = hstack([
            word_vectorizer.fit_transform([word_grams(list(t)) for t in tokens]),
            char_vectorizer.fit_transform(texts),
        ]).tocsr()
        classifier = LogisticRegression(C=regularisation, max_iter=5000).fit(features, list(intents))
        return cls(
            intents=tuple(classifier.classes_.tolist()),
            words=NgramBlock({g: int(c) for g, c in word_vectorizer.vocabulary_.items()}, word_vectorizer.idf_),
            chars=NgramBlock({g: int(c) for g, c in char_vectorizer.vocabulary_.items()}, char_vectorizer.idf_),
            coef=classifier.coef_,
            intercept=classifier.intercept_,
        )

    def probabilities(self, tokens: Sequence[str], text: str) -> Dict[str, float]:
        row = np.concatenate([
            self.words.transform(_word_analyzer()(list(tokens))),
            self.chars.transform(_char_analyzer()(text)),
        ])
        scores = self.coef @ row + self.intercept
        scores = np.exp(scores - scores.max())
        scores /= scores.sum()
        return {intent: float(p) for intent, p in zip(self.intents, scores)}

    def save(self, folder: Path) -> None:
        meta = {"intents": list(self.intents), "words": self.words.vocabulary, "chars": self.chars.vocabulary}
        (folder / "linear_intent.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        np.savez_compressed(
            folder / "linear_intent.npz",
            word_idf=self.words.idf, char_idf=self.chars.idf, coef=self.coef, intercept=self.intercept,
        )

    @classmethod
    def load(cls, folder: Path) -> "LinearIntentModel":
        meta = json.loads((folder / "linear_intent.json").read_text("utf-8"))
        with np.load(folder / "linear_intent.npz", allow_pickle=False) as arrays:
            return cls(
                intents=tuple(meta["intents"]),
                words=NgramBlock(meta["words"], arrays["word_idf"]),
                chars=NgramBlock(meta["chars"], arrays["char_idf"]),
                coef=arrays["coef"],
                intercept=arrays["intercept"],
            )


def blend_rankings(first: Dict[str, float], second: Dict[str, float], first_weight: float) -> List[Tuple[str, float]]:
    """Weighted mean of two intent distributions, best first; a missing intent counts 0."""
    names = set(first) | set(second)
    blended = {
        name: first_weight * first.get(name, 0.0) + (1.0 - first_weight) * second.get(name, 0.0)
        for name in names
    }
    return sorted(blended.items(), key=lambda item: (-item[1], item[0]))
