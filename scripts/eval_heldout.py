"""Held-out NLU evaluation of the trained model; the regression gate of make test.

Prints intent macro-F1/accuracy, entity F1 and FAQ topic accuracy for each
held-out set in tests/nlu/, and exits 1 when intent macro-F1 on the
Simplified set is below --gate.
"""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlu.evaluation import load_examples, score  # noqa: E402
from bot.nlu.rasa_parser import RasaModelParser  # noqa: E402

SETS = ("simplified", "traditional", "noisy")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "current.tar.gz")
    parser.add_argument("--gate", type=float, default=0.90)
    parser.add_argument("--errors", action="store_true", help="print misclassified examples")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    model = RasaModelParser(args.model)
    results = {}
    print(f"{'set':<12} {'n':>4} {'intent F1':>9} {'accuracy':>9} {'entity F1':>9} {'faq topic':>9}")
    for name in SETS:
        examples = load_examples(ROOT / "tests" / "nlu" / f"heldout_{name}.yml")
        predictions, _ = model.predict([example.text for example in examples])
        scores = score(examples, predictions)
        results[name] = scores
        topic = f"{scores.response_accuracy:.3f}" if scores.response_accuracy is not None else "-"
        print(
            f"{name:<12} {scores.examples:>4} {scores.intent_macro_f1:>9.3f} "
            f"{scores.intent_accuracy:>9.3f} {scores.entity_f1:>9.3f} {topic:>9}"
        )
        if args.errors:
            for example, prediction in zip(examples, predictions):
                if example.intent != prediction.intent:
                    print(f"    {example.intent:>24} → {prediction.intent:<24} {example.text}")
    simplified = results["simplified"].intent_macro_f1
    if simplified < args.gate:
        print(f"FAILED: intent macro-F1 on Simplified {simplified:.3f} < gate {args.gate:.2f}")
        return 1
    print(f"passed: intent macro-F1 on Simplified {simplified:.3f} >= gate {args.gate:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
