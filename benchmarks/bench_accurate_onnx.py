"""Sentence-embedding speed of the "accurate" model: PyTorch (as shipped) against ONNX Runtime.

Run:  pip install onnx onnxruntime   # not dependencies of yalomfactors; only for this comparison
      python benchmarks/bench_accurate_onnx.py [--n 600]

Exports the packaged all-MiniLM-L6-v2 weights to ONNX in a temporary folder (nothing is
downloaded), encodes the same held-out texts both ways with two threads, length-sorted batches of
32 and the same mean pooling, and prints texts per second for each and the largest difference
between the two sets of unit vectors.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=600)
    args = parser.parse_args()
    try:
        import onnxruntime as ort
        import torch
        from transformers import AutoModel, AutoTokenizer
    except ImportError as error:
        raise SystemExit(f"needs the embeddings extra plus onnx and onnxruntime: {error}") from None

    from yalomfactors import load_corpus
    from yalomfactors.embeddings import encode, encoder_dir, verify_encoder

    folder = encoder_dir()
    verify_encoder(folder)
    tokenizer = AutoTokenizer.from_pretrained(str(folder))
    model = AutoModel.from_pretrained(str(folder)).eval()
    texts = load_corpus("test")["text"].tolist()[: args.n]

    class Hidden(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, ids: torch.Tensor, mask: torch.Tensor, types: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=ids, attention_mask=mask, token_type_ids=types).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    example = tokenizer(["a short example"], return_tensors="pt")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "minilm.onnx"
        torch.onnx.export(Hidden(model), tuple(example[name] for name in names), str(path), input_names=names,
                          output_names=["hidden"], opset_version=17, dynamo=False,
                          dynamic_axes={name: {0: "batch", 1: "tokens"} for name in names + ["hidden"]})
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

        def onnx_encode(batch: list[str], size: int = 32) -> np.ndarray:
            order = np.argsort([len(text) for text in batch], kind="stable")
            out = np.zeros((len(batch), 384), dtype=np.float32)
            for start in range(0, len(order), size):
                index = order[start : start + size]
                encoded = tokenizer([batch[i] for i in index], padding=True, truncation=True, max_length=256,
                                    return_tensors="np")
                hidden = session.run(None, {name: encoded[name] for name in names})[0]
                mask = encoded["attention_mask"][..., None].astype(np.float32)
                vectors = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
                out[index] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
            return out

        encode(texts[:32])
        onnx_encode(texts[:32])
        for _ in range(2):
            started = time.perf_counter()
            reference = encode(texts, batch_size=32)
            torch_rate = len(texts) / (time.perf_counter() - started)
            started = time.perf_counter()
            exported = onnx_encode(texts)
            onnx_rate = len(texts) / (time.perf_counter() - started)
            print(f"PyTorch {torch_rate:,.0f} texts/s; ONNX Runtime {onnx_rate:,.0f} texts/s "
                  f"({onnx_rate / torch_rate:.2f} x); largest difference {np.abs(reference - exported).max():.1e}")


if __name__ == "__main__":
    main()
