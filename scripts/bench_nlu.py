"""make bench-nlu: our NLU against the stock Rasa Chinese pipeline and TF-IDF+SVM.

All three train on data/nlu and are scored on the held-out sets in tests/nlu
with the same metrics (bot/nlu/evaluation.py). Prints a table, writes it to
docs/benchmarks.md and the confusion matrices to docs/benchmarks/.
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlu.evaluation import Example, Prediction, Scores, load_examples, score  # noqa: E402

SETS = ("simplified", "traditional", "noisy")
OUT = ROOT / "models" / "bench"
DOCS = ROOT / "docs"
RASA = str(Path(sys.executable).parent / "rasa")


@dataclass
class Result:
    name: str
    train_seconds: float
    scores: Dict[str, Scores]
    latency_p50: float
    latency_p95: float
    predictions: Dict[str, List[Prediction]]


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def train_rasa(name: str, config: Path) -> Tuple[Path, float]:
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    log = OUT / f"{name}.train.log"
    with log.open("w") as handle:
        subprocess.run(
            [RASA, "train", "nlu", "--config", str(config), "--nlu", "data/nlu",
             "--domain", "domain", "--out", str(OUT), "--fixed-model-name", name],
            cwd=ROOT, check=True, stdout=handle, stderr=subprocess.STDOUT,
            # no training cache: every pipeline trains from scratch, so the times
            # compare and nothing is reused from `make train`
            env={**os.environ, "PYTHONPATH": str(ROOT), "RASA_MAX_CACHE_SIZE": "0"},
        )
    return OUT / f"{name}.tar.gz", time.perf_counter() - started


def evaluate(name: str, train_seconds: float, predict: Callable[[List[str]], Tuple[List[Prediction], List[float]]],
             heldout: Dict[str, List[Example]]) -> Result:
    predict([example.text for example in heldout["simplified"][:10]])  # warm up
    scores, predictions, latencies = {}, {}, []
    for set_name, examples in heldout.items():
        predicted, timings = predict([example.text for example in examples])
        scores[set_name] = score(examples, predicted)
        predictions[set_name] = predicted
        latencies += timings
    return Result(name, train_seconds, scores, _percentile(latencies, 0.5), _percentile(latencies, 0.95), predictions)


def rasa_result(name: str, config: Path, heldout: Dict[str, List[Example]]) -> Result:
    from bot.nlu.rasa_parser import RasaModelParser

    model, seconds = train_rasa(name, config)
    parser = RasaModelParser(model)
    return evaluate(name, seconds, parser.predict, heldout)


def svm_result(heldout: Dict[str, List[Example]]) -> Result:
    import jieba
    from rasa.shared.nlu.training_data.loading import load_data
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    data = load_data(str(ROOT / "data" / "nlu"))
    texts = [example.get("text") for example in data.intent_examples]
    labels = [example.get("intent") for example in data.intent_examples]
    tokenize = lambda text: [word for word in jieba.lcut(text) if word.strip()]  # noqa: E731
    started = time.perf_counter()
    vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=True, ngram_range=(1, 2), sublinear_tf=True)
    classifier = LinearSVC(C=1.0).fit(vectorizer.fit_transform(texts), labels)
    seconds = time.perf_counter() - started

    def predict(batch: List[str]) -> Tuple[List[Prediction], List[float]]:
        predictions, timings = [], []
        for text in batch:
            begun = time.perf_counter()
            intent = classifier.predict(vectorizer.transform([text]))[0]
            timings.append((time.perf_counter() - begun) * 1000)
            predictions.append(Prediction(intent=intent))
        return predictions, timings

    return evaluate("jieba + TF-IDF + LinearSVC", seconds, predict, heldout)


def confusion_plot(result: Result, examples: List[Example], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    gold = [example.intent for example in examples]
    predicted = [prediction.intent for prediction in result.predictions["simplified"]]
    labels = sorted(set(gold) | set(predicted))
    figure, axes = plt.subplots(figsize=(14, 12))
    ConfusionMatrixDisplay.from_predictions(gold, predicted, labels=labels, ax=axes, xticks_rotation=90, colorbar=False)
    axes.set_title(f"{result.name}: held-out Simplified")
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)


def table(results: List[Result]) -> str:
    lines = [
        "| pipeline | set | intent macro-F1 | intent accuracy | entity F1 | FAQ topic acc. | train s | parse p50 ms | parse p95 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        for set_name in SETS:
            scores = result.scores[set_name]
            # a pipeline without a response selector predicts no topic at all
            predicts_topics = any(p.response_key for p in result.predictions[set_name])
            topic = f"{scores.response_accuracy:.3f}" if predicts_topics and scores.response_accuracy is not None else "–"
            entity = f"{scores.entity_f1:.3f}" if scores.entity_precision or scores.entity_recall else "–"
            lines.append(
                f"| {result.name} | {set_name} ({scores.examples}) | {scores.intent_macro_f1:.3f} | "
                f"{scores.intent_accuracy:.3f} | {entity} | {topic} | {result.train_seconds:.0f} | "
                f"{result.latency_p50:.1f} | {result.latency_p95:.1f} |"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=["ours", "stock", "svm"], action="append")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    chosen = args.only or ["ours", "stock", "svm"]
    heldout = {name: load_examples(ROOT / "tests" / "nlu" / f"heldout_{name}.yml") for name in SETS}
    results: List[Result] = []
    if "ours" in chosen:
        results.append(rasa_result("ours", ROOT / "config.yml", heldout))
    if "stock" in chosen:
        results.append(rasa_result("stock", ROOT / "bench" / "config_stock.yml", heldout))
    if "svm" in chosen:
        results.append(svm_result(heldout))
    rendered = table(results)
    print(rendered)
    plots = DOCS / "benchmarks"
    plots.mkdir(parents=True, exist_ok=True)
    for result in results:
        slug = result.name.split()[0].lower()
        confusion_plot(result, heldout["simplified"], plots / f"confusion_{slug}.png")
    if set(chosen) == {"ours", "stock", "svm"}:
        (DOCS / "benchmarks.md").write_text(
            "# NLU benchmark\n\n"
            f"`make bench-nlu`, {time.strftime('%Y-%m-%d')}, 2 cores. Same training data (data/nlu), "
            "same held-out sets (tests/nlu), same metrics (bot/nlu/evaluation.py): intent macro-F1 over "
            "the contract intents (a fallback counts as a miss), entity F1 on exact type+span, FAQ topic "
            "accuracy of the response selector, training time, and single-message parse latency on a "
            "loaded, warm model.\n\n" + rendered + "\n\nConfusion matrices (Simplified): "
            + ", ".join(f"[{p.stem}](benchmarks/{p.name})" for p in sorted(plots.glob("confusion_*.png")))
            + "\n",
            "utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
