"""Trains the Rasa model only when something it is made from has changed.

The fingerprint covers the config, the domain, the training data, the ``kb/``
files the NLU reads (``bot.kb.KB_FILES``) and the NLU code the model runs
(``bot/nlu`` without the evaluation helpers). The model is written as
``models/<fingerprint>.tar.gz`` and linked as ``models/current.tar.gz``, the
one every command loads, so CI trains once and reuses the model.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterable

from bot.kb import KB_FILES

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
CURRENT = MODELS / "current.tar.gz"
INPUTS = ("config.yml", "domain", "data", *(f"kb/{name}" for name in KB_FILES), "bot/nlu", "bot/kb.py")
# read by scripts and tests only, never by a trained model
NOT_MODEL_CODE = {"bot/nlu/evaluation.py", "bot/nlu/rasa_parser.py"}


def _files(paths: Iterable[str]) -> Iterable[Path]:
    for name in paths:
        path = ROOT / name
        if path.is_file():
            yield path
        elif path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def fingerprint() -> str:
    digest = hashlib.sha256()
    for path in _files(INPUTS):
        name = path.relative_to(ROOT).as_posix()
        if name in NOT_MODEL_CODE:
            continue
        digest.update(name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train_if_needed(force: bool = False) -> Path:
    MODELS.mkdir(exist_ok=True)
    name = f"nlu-core-{fingerprint()}"
    model = MODELS / f"{name}.tar.gz"
    if model.exists() and not force:
        print(f"Model up to date: {model.relative_to(ROOT)}")
    else:
        print(f"Training {model.relative_to(ROOT)} (inputs changed) …", flush=True)
        command = [
            str(Path(sys.executable).parent / "rasa"), "train",
            "--config", "config.yml", "--domain", "domain", "--data", "data",
            "--out", "models", "--fixed-model-name", name,
        ]
        subprocess.run(command, cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if CURRENT.is_symlink() or CURRENT.exists():
        CURRENT.unlink()
    CURRENT.symlink_to(model.name)
    return model
