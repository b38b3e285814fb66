"""The NumPy MiniLM forward pass against reference values computed once with torch.

The references come from ``transformers.AutoModel`` on the same safetensors (mean pooling over
real tokens, L2 norm), so a regression in the hand-written forward pass shows as a number.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from flashpoint.nlp.encoder import MINILM_SHA256, default_encoder, model_dir, read_safetensors

TEXTS = [
    "Gunmen killed five villagers in Borno on Tuesday.",
    "Russia beat Croatia 2-1 in the final.",
    "hello",
]
# first six dimensions of each embedding, from torch 2.13 + transformers
REFERENCE = [
    [0.01964, 0.03230, -0.01862, -0.03549, 0.10127, -0.02427],
    [-0.01297, 0.09124, -0.05347, 0.06983, 0.02903, -0.00537],
    [-0.06277, 0.05496, 0.05216, 0.08579, -0.08275, -0.07457],
]
COSINES = [[1.0, 0.07715, 0.01624], [0.07715, 1.0, 0.06566], [0.01624, 0.06566, 1.0]]


@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    return default_encoder()


def test_weights_are_the_official_release() -> None:
    digest = hashlib.sha256((model_dir() / "model.safetensors").read_bytes()).hexdigest()
    assert digest == MINILM_SHA256


def test_matches_torch_reference(encoder) -> None:  # type: ignore[no-untyped-def]
    vecs = encoder.encode(TEXTS)
    assert vecs.shape == (3, 384)
    np.testing.assert_allclose(vecs[:, :6], REFERENCE, atol=2e-4)
    np.testing.assert_allclose(vecs @ vecs.T, COSINES, atol=2e-4)


def test_batching_and_padding_do_not_change_vectors(encoder) -> None:  # type: ignore[no-untyped-def]
    alone = encoder.encode([TEXTS[2]])
    mixed = encoder.encode([TEXTS[0] * 3, TEXTS[2], TEXTS[1]], batch_size=3)
    np.testing.assert_allclose(alone[0], mixed[1], atol=1e-5)


def test_empty_input_and_long_text(encoder) -> None:  # type: ignore[no-untyped-def]
    assert encoder.encode([]).shape == (0, 384)
    long = encoder.encode(["word " * 2000])  # cut at 128 tokens, not an error
    assert abs(float(np.linalg.norm(long[0])) - 1.0) < 1e-4


def test_safetensors_reader_keeps_shapes() -> None:
    tensors = read_safetensors(model_dir() / "model.safetensors")
    assert tensors["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert tensors["encoder.layer.5.output.dense.weight"].shape == (384, 1536)


def test_missing_encoder_folder_is_a_coded_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from flashpoint.nlp.encoder import Encoder, EncoderMissing

    with pytest.raises(EncoderMissing) as err:
        Encoder(tmp_path)
    assert err.value.code == "E160"
