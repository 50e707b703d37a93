"""Read-only access to the content in ``kb/`` (products, branches, terms, people).

The knowledge base is content edited by people; this module turns it into
typed records once per process. Nothing here reads the environment: the
folder comes in as an argument (default: the repository's ``kb/``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import sha256
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

import yaml

__all__ = ["KB_DIR", "KB_FILES", "fingerprint_of", "Product", "Branch", "KnowledgeBase", "load_kb"]

KB_DIR = Path(__file__).resolve().parent.parent / "kb"


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    aliases: Tuple[str, ...]
    type: str
    risk: str
    raw: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def names(self) -> Tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Branch:
    name: str
    aliases: Tuple[str, ...]
    city: str
    raw: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def names(self) -> Tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class KnowledgeBase:
    products: Tuple[Product, ...]
    branches: Tuple[Branch, ...]
    terms: Tuple[str, ...]
    surnames: Tuple[str, ...]
    titles: Tuple[str, ...]
    fingerprint: str

    def product_by_name(self, name: str) -> Optional[Product]:
        for product in self.products:
            if name in product.names:
                return product
        return None

    def branch_by_name(self, name: str) -> Optional[Branch]:
        for branch in self.branches:
            if name in branch.names:
                return branch
        return None


def _read(path: Path) -> Dict[str, Any]:
    if not path.exists():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def _strings(values: Any) -> Tuple[str, ...]:
    return tuple(str(value).strip() for value in values or () if str(value).strip())


# the files load_kb reads, which the NLU model is made from; the other kb/ files (the handoff
# configuration, the sentiment lexicon, FX guidance …) are read by services and retrain nothing
KB_FILES = ("products.yml", "branches.yml", "terms.yml", "people.yml")


def fingerprint_of(folder: Path, names: Iterable[str] = KB_FILES) -> str:
    """A hash of the files ``names`` in ``folder``: changes when their content changes."""
    digest = sha256()
    for name in sorted(names):
        path = folder / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()


@lru_cache(maxsize=4)
def load_kb(folder: Path = KB_DIR) -> KnowledgeBase:
    products = tuple(
        Product(
            code=str(item["code"]),
            name=str(item["name"]),
            aliases=_strings(item.get("aliases")),
            type=str(item.get("type", "")),
            risk=str(item.get("risk", "")),
            raw=dict(item),
        )
        for item in _read(folder / "products.yml").get("products", [])
    )
    branches = tuple(
        Branch(
            name=str(item["name"]),
            aliases=_strings(item.get("aliases")),
            city=str(item.get("city", "")),
            raw=dict(item),
        )
        for item in _read(folder / "branches.yml").get("branches", [])
    )
    terms: List[str] = []
    for item in _read(folder / "terms.yml").get("terms", []):
        word = item.get("word") if isinstance(item, dict) else item
        if word and str(word).strip():
            terms.append(str(word).strip())
    people = _read(folder / "people.yml")
    return KnowledgeBase(
        products=products,
        branches=branches,
        terms=tuple(dict.fromkeys(terms)),
        surnames=_strings(people.get("surnames")),
        titles=_strings(people.get("titles")),
        fingerprint=fingerprint_of(folder) if folder.exists() else "",
    )
