"""Chooses the intent blend weight and the FallbackClassifier threshold from data, not by taste.

Trains our pipeline on a stratified 80 % of data/nlu and parses the other
20 %. Each parse carries DIET's and the linear model's rankings
(``LinearIntentBlend``), so every DIET weight w of the blend is scored
without retraining. A threshold t sends every message whose top intent
confidence is below t to the fallback, as does a near tie (the top two closer
than the FallbackClassifier's ``ambiguity_threshold`` in config.yml). The chosen (w, t) maximises the share
of correct decisions (a right intent kept, a wrong one sent to the fallback);
the tables show the trade-offs, written to docs/fallback-threshold.md.
Held-out sets in tests/nlu are not used, so they stay unseen.
"""
from __future__ import annotations

import logging
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RASA = str(Path(sys.executable).parent / "rasa")
THRESHOLDS = [round(0.05 * step, 2) for step in range(1, 19)]
DIET_WEIGHTS = [0.0, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0]
Outcome = Tuple[bool, float, float]  # right?, top confidence, margin over the second


def _ambiguity_threshold() -> float:
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text("utf-8"))
    fallback = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    return float(fallback.get("ambiguity_threshold", 0.1))


AMBIGUITY = _ambiguity_threshold()


def _ranking(entries: List[Dict[str, Any]]) -> Dict[str, float]:
    return {entry["name"]: float(entry["confidence"]) for entry in entries or []}


def _kept(outcome: Outcome, threshold: float) -> bool:
    _, confidence, margin = outcome
    return confidence >= threshold and margin >= AMBIGUITY


def _decisions_right(outcomes: List[Outcome], threshold: float) -> float:
    return sum(1 for outcome in outcomes if outcome[0] == _kept(outcome, threshold)) / len(outcomes)


def main() -> int:
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.components import DIET_RANKING, LINEAR_RANKING
    from bot.nlu.linear_intent import blend_rankings
    from bot.nlu.rasa_parser import RasaModelParser

    logging.disable(logging.WARNING)
    data = load_data(str(ROOT / "data" / "nlu"))
    by_intent = defaultdict(list)
    for example in data.intent_examples:
        by_intent[example.get("intent_response_key") or example.get("intent")].append(example)
    rng = random.Random(20261124)
    train, validation = [], []
    for examples in by_intent.values():
        shuffled = examples[:]
        rng.shuffle(shuffled)
        cut = max(1, len(shuffled) // 5)
        validation += shuffled[:cut]
        train += shuffled[cut:]
    with tempfile.TemporaryDirectory() as folder:
        split = TrainingData(
            training_examples=train + [m for m in data.training_examples if not m.get("intent")],
            entity_synonyms=data.entity_synonyms,
            regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
            responses=data.responses,
        )
        (Path(folder) / "train.yml").write_text(split.nlu_as_yaml(), "utf-8")
        subprocess.run(
            [RASA, "train", "nlu", "--config", "config.yml", "--nlu", f"{folder}/train.yml",
             "--domain", "domain", "--out", folder, "--fixed-model-name", "split"],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # no training cache: the split model must not fill or evict the
            # cache that `make train` reuses
            env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_MAX_CACHE_SIZE": "0"},
        )
        parser = RasaModelParser(Path(folder) / "split.tar.gz")
        parses = [(example.get("intent"), parser.parse_raw(example.get("text"))) for example in validation]
    by_weight: Dict[float, List[Outcome]] = {}
    for weight in DIET_WEIGHTS:
        outcomes = []
        for gold, parsed in parses:
            blended = blend_rankings(_ranking(parsed.get(DIET_RANKING)), _ranking(parsed.get(LINEAR_RANKING)), weight)
            margin = blended[0][1] - (blended[1][1] if len(blended) > 1 else 0.0)
            outcomes.append((blended[0][0] == gold, blended[0][1], margin))
        by_weight[weight] = outcomes
    best_weight, best_threshold = max(
        ((w, t) for w in DIET_WEIGHTS for t in THRESHOLDS), key=lambda pair: _decisions_right(by_weight[pair[0]], pair[1])
    )
    outcomes = by_weight[best_weight]
    confusions: Counter = Counter()
    for (gold, parsed), (ok, _, _) in zip(parses, outcomes):
        if not ok:
            blended = blend_rankings(_ranking(parsed.get(DIET_RANKING)), _ranking(parsed.get(LINEAR_RANKING)), best_weight)
            confusions[(gold, blended[0][0])] += 1
    lines = [
        "# Intent blend weight and fallback threshold",
        "",
        f"`make choose-threshold`, {time.strftime('%Y-%m-%d')}: our pipeline trained on a stratified 80 % of "
        f"data/nlu ({len(train)} examples), parsed on the other 20 % ({len(outcomes)} messages). "
        "The intent is the weighted mean of DIET's and the linear model's probabilities (`LinearIntentBlend`); "
        "below threshold t, or with the top two intents closer than the ambiguity threshold "
        f"({AMBIGUITY:.2f}, config.yml), a message goes to the two-stage fallback. "
        "The chosen pair maximises the right decisions: a right intent kept, or a wrong one caught.",
        "",
        "| DIET weight | top-1 accuracy | best threshold | decisions right |",
        "| --- | --- | --- | --- |",
    ]
    for weight in DIET_WEIGHTS:
        accuracy = sum(outcome[0] for outcome in by_weight[weight]) / len(parses)
        threshold = max(THRESHOLDS, key=lambda t: _decisions_right(by_weight[weight], t))
        lines.append(f"| {weight:.2f} | {accuracy:.3f} | {threshold:.2f} | "
                     f"{_decisions_right(by_weight[weight], threshold):.3f} |")
    lines += [
        "",
        f"With DIET weight {best_weight:.2f}:",
        "",
        "| threshold | right kept | wrong caught | right lost | decisions right |",
        "| --- | --- | --- | --- | --- |",
    ]
    for threshold in THRESHOLDS:
        kept_right = sum(1 for o in outcomes if o[0] and _kept(o, threshold))
        caught_wrong = sum(1 for o in outcomes if not o[0] and not _kept(o, threshold))
        lost_right = sum(1 for o in outcomes if o[0] and not _kept(o, threshold))
        lines.append(f"| {threshold:.2f} | {kept_right} | {caught_wrong} | {lost_right} | "
                     f"{_decisions_right(outcomes, threshold):.3f} |")
    lines += ["", f"**Chosen: DIET weight {best_weight:.2f}, threshold {best_threshold:.2f}** "
              f"({_decisions_right(outcomes, best_threshold):.3f} of decisions right). "
              "Set them in config.yml (`LinearIntentBlend.diet_weight`, `FallbackClassifier.threshold`).", "",
              "Most frequent confusions on the validation split (gold → predicted):", ""]
    lines += [f"- {count} × {gold} → {predicted}" for (gold, predicted), count in confusions.most_common(15)]
    report = "\n".join(lines) + "\n"
    print(report)
    (ROOT / "docs" / "fallback-threshold.md").write_text(report, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
