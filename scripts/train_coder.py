"""Rebuild the event coder's weights (src/flashpoint/data/coder/model.npz) from its sentences.

    python scripts/train_coder.py            # train on data/coder/train/*.tsv, write model.npz
    python scripts/train_coder.py --folds 5  # also report k-fold accuracy on the training set

Deterministic: the sentences are read in file order, the encoder is a fixed forward pass, and
the softmax regression starts from zeros and runs full-batch gradient descent for a fixed number
of steps, so the same files give the same bytes. The model records a hash of its training files
and of the encoder weights, and ``tests/test_coder.py`` checks the shipped one still matches.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from flashpoint.extract.coder import NONE, coder_dir, fingerprint, load_codes
from flashpoint.nlp.encoder import MINILM_SHA256, default_encoder


def read_examples(folder: Path) -> tuple[list[str], list[str], list[Path]]:
    """Sentences and their labels. NONE is split by the negative's kind (its style column,
    ``none-sport`` -> ``NONE:sport``): the negatives are a dozen unlike things, and one linear
    class per kind fits them better than one class for all, with class balancing weighing each
    kind like one event code rather than all of them like one."""
    known = {c.code for c in load_codes()}
    texts: list[str] = []
    labels: list[str] = []
    files = sorted(folder.glob("*.tsv"))
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            for n, row in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
                code, text = (row.get("code") or "").strip(), (row.get("text") or "").strip()
                if code not in known or not text:
                    sys.exit(f"{path}:{n}: unknown code {code!r} or empty text")
                style = (row.get("style") or "").strip()
                if code == NONE and style.startswith("none-"):
                    code = f"{NONE}:{style[len('none-'):]}"
                texts.append(text)
                labels.append(code)
    return texts, labels, files


def derive_cue_words(
    texts: list[str], labels: list[str], min_count: int = 3, min_share: float = 0.1
) -> list[str]:
    """Words that mark an event code in the training sentences, for the trigger gate.

    The gate parses only paragraphs with a trigger word; a report with none ("fighters set up
    a base") would never reach the coder. Rather than hand-pick more words, take those the
    training sentences themselves tie to one code: in at least ``min_count`` and
    ``min_share`` of that code's sentences, at least 40% of all their uses in that code, four
    in five of their uses in event sentences, lower case (no names), not a stop word.
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    word = re.compile(r"[^\W\d_]+")
    per_code: dict[str, Counter[str]] = defaultdict(Counter)
    events: Counter[str] = Counter()
    negatives: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    for text, label in zip(texts, labels, strict=True):
        seen = set()
        for m in word.finditer(text):
            w = m.group()
            (lower if w.islower() else upper)[w.lower()] += 1
            seen.add(w.lower())
        for w in seen:
            if label.startswith(NONE):
                negatives[w] += 1
            else:
                events[w] += 1
                per_code[label][w] += 1
    sizes = Counter(labels)
    out: set[str] = set()
    for code, counts in per_code.items():
        for w, k in counts.items():
            if len(w) < 4 or w in STOP_WORDS or lower[w] < upper[w]:
                continue
            total = events[w] + negatives[w]
            if (
                k >= min_count
                and k / sizes[code] >= min_share
                and (events[w] + 1) / (total + 2) >= 0.8
                and k / total >= 0.4
            ):
                out.add(w)
    return sorted(out)


def train_softmax(
    x: np.ndarray, y: np.ndarray, classes: int, l2: float, steps: int, lr: float
) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression, class-balanced, by full-batch gradient descent with
    Nesterov momentum. Plain NumPy so the rebuild needs nothing the runtime lacks."""
    n, d = x.shape
    counts = np.bincount(y, minlength=classes).astype(np.float64)
    sample_w = (n / (classes * np.maximum(counts, 1)))[y]
    onehot = np.zeros((n, classes))
    onehot[np.arange(n), y] = 1.0
    w = np.zeros((d, classes))
    b = np.zeros(classes)
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    xd = x.astype(np.float64)
    for _ in range(steps):
        lw, lb = w + 0.9 * vw, b + 0.9 * vb
        logits = xd @ lw + lb
        logits -= logits.max(1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(1, keepdims=True)
        g = (p - onehot) * sample_w[:, None] / n
        gw = xd.T @ g + l2 * lw
        gb = g.sum(0)
        vw = 0.9 * vw - lr * gw
        vb = 0.9 * vb - lr * gb
        w, b = w + vw, b + vb
    return w.astype(np.float32), b.astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=coder_dir() / "train")
    ap.add_argument("--out", type=Path, default=coder_dir() / "model.npz")
    ap.add_argument("--l2", type=float, default=1e-5)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--lr", type=float, default=20.0)
    ap.add_argument("--folds", type=int, default=0, help="k-fold accuracy report (0: none)")
    args = ap.parse_args()

    texts, labels, files = read_examples(args.data)
    order = [c.code for c in load_codes()]
    names = sorted(set(labels), key=lambda n: (order.index(n.split(":")[0]), n))
    y = np.array([names.index(label) for label in labels])
    x = default_encoder().encode(texts)
    print(f"{len(texts)} sentences, {len(names)} codes, from {[f.name for f in files]}")

    if args.folds:
        fold = np.arange(len(y)) % args.folds
        right = 0
        for k in range(args.folds):
            tr, te = fold != k, fold == k
            w, b = train_softmax(x[tr], y[tr], len(names), args.l2, args.steps, args.lr)
            right += int(((x[te] @ w + b).argmax(1) == y[te]).sum())
        print(f"{args.folds}-fold accuracy over codes: {right / len(y):.3f}")

    w, b = train_softmax(x, y, len(names), args.l2, args.steps, args.lr)
    train_acc = float(((x @ w + b).argmax(1) == y).mean())
    np.savez_compressed(
        args.out,
        codes=np.array(names),
        weights=w,
        bias=b,
        train_sha256=np.array(fingerprint(files)),
        encoder_sha256=np.array(MINILM_SHA256),
        counts=np.array([Counter(labels)[n] for n in names]),
        hyper=np.array([args.l2, args.steps, args.lr]),
    )
    cues = derive_cue_words(texts, labels)
    (args.out.parent / "cues.txt").write_text(
        "# Gate words drawn from the training sentences by scripts/train_coder.py "
        "(derive_cue_words):\n"
        "# a paragraph with one of them is parsed and offered to the coder. Do not edit.\n"
        + "\n".join(cues)
        + "\n",
        encoding="utf-8",
    )
    print(f"training accuracy {train_acc:.3f}; wrote {args.out} and {len(cues)} cue words")


if __name__ == "__main__":
    main()
