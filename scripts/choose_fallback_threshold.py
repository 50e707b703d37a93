"""Chooses the FallbackClassifier threshold from data, not by taste.

Trains our pipeline on a stratified 80 % of data/nlu and parses the other
20 %. A threshold t sends every message whose top intent confidence is below t
to the fallback. The chosen t maximises the share of correct decisions (a
right intent kept, a wrong one sent to the fallback); the table shows the
trade-off, written to docs/fallback-threshold.md. Held-out sets in tests/nlu are not used, so they stay unseen.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RASA = str(Path(sys.executable).parent / "rasa")
THRESHOLDS = [round(0.05 * step, 2) for step in range(1, 19)]


def main() -> int:
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

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
        outcomes = []
        confusions: Counter = Counter()
        for example in validation:
            parsed = parser.parse_raw(example.get("text"))
            ranking = [r for r in parsed.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
            top = ranking[0] if ranking else {"name": None, "confidence": 0.0}
            outcomes.append((top["name"] == example.get("intent"), float(top["confidence"])))
            if top["name"] != example.get("intent"):
                confusions[(example.get("intent"), top["name"])] += 1
    accuracy = sum(ok for ok, _ in outcomes) / len(outcomes)
    lines = [
        "# Fallback threshold",
        "",
        f"`make choose-threshold`, {time.strftime('%Y-%m-%d')}: our pipeline trained on a stratified 80 % of "
        f"data/nlu ({len(train)} examples), parsed on the other 20 % ({len(outcomes)} messages, "
        f"top-1 accuracy {accuracy:.3f}). Below threshold t a message goes to the two-stage fallback. "
        "The chosen t maximises the right decisions: a right intent kept, or a wrong one caught.",
        "",
        "| threshold | right kept | wrong caught | right lost | decisions right |",
        "| --- | --- | --- | --- | --- |",
    ]
    best = (0.0, 0.0)
    for threshold in THRESHOLDS:
        kept_right = sum(1 for ok, conf in outcomes if ok and conf >= threshold)
        caught_wrong = sum(1 for ok, conf in outcomes if not ok and conf < threshold)
        lost_right = sum(1 for ok, conf in outcomes if ok and conf < threshold)
        share = (kept_right + caught_wrong) / len(outcomes)
        lines.append(f"| {threshold:.2f} | {kept_right} | {caught_wrong} | {lost_right} | {share:.3f} |")
        if share > best[1]:
            best = (threshold, share)
    lines += ["", f"**Chosen threshold: {best[0]:.2f}** ({best[1]:.3f} of decisions right).", "",
              "Most frequent confusions on the validation split (gold → predicted):", ""]
    lines += [f"- {count} × {gold} → {predicted}" for (gold, predicted), count in confusions.most_common(15)]
    report = "\n".join(lines) + "\n"
    print(report)
    (ROOT / "docs" / "fallback-threshold.md").write_text(report, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
