"""The learned event coder: is this a real event, of which PLOVER type, in which mode.

The trigger lexicon finds candidates cheaply and generously; on news nobody tuned it on, its
type is right about half the time ("Russia beat Croatia" is not an assault, "charged with
murder" is not a killing). This pass hands the decision to a classifier: a softmax regression
over a frozen sentence encoder's embedding of the candidate's sentence, trained on sentences the
project wrote (``data/coder/train/``, ``scripts/train_coder.py``). Its label set is
``data/coder/codes.tsv``: PLOVER type plus mode, and NONE for sport, games, fiction, metaphor,
generic talk and accidents without a perpetrator.

The lexicon keeps a say, as a measured feature rather than the last word: each mention's own
lexicon type gets ``lexicon_weight`` added to the coder's probability for that type, which is
what lets one sentence hold two events of different types ("X condemned the strike"). The
weights live in ``data/coder/decision.yaml``; ``flashpoint eval --without coder`` measures the
pass as a whole.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from spacy.tokens import Span, Token

from ..errors import Errors, FlashpointError
from ..nlp.encoder import Encoder, default_encoder
from .mentions import Mention

NONE = "NONE"


def coder_dir() -> Path:
    return Path(str(resources.files("flashpoint") / "data" / "coder"))


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    type: str
    mode: str | None  # None: keep the mode the lexicon or the instruments give


@dataclass(frozen=True, slots=True)
class Decision:
    """What the coder says of one mention."""

    type: str  # NONE: not an event to code
    mode: str | None
    mode_confidence: float
    relevance: float  # 1 - P(NONE)
    confidence: float  # the winning type's probability
    agrees: bool = True  # the coder alone, without the lexicon's vote, would pick this type


@dataclass(frozen=True, slots=True)
class DecisionConfig:
    lexicon_weight: float
    none_threshold: float
    none_threshold_named: float  # the same, for a trigger that names an act, not a death
    mode_min: float
    root_min: float  # a trigger-less sentence's verb is kept when P(its type) is at least this
    context_sentences: int  # sentences before the candidate's own that the encoder reads too
    phrase_min: int  # an event noun's phrase of at least this many tokens is read on its own
    paragraph_weight: float  # share of the paragraph's reading in each candidate's

    @classmethod
    def load(cls, path: Path | None = None) -> DecisionConfig:
        path = path or coder_dir() / "decision.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            lexicon_weight=float(data["lexicon_weight"]),
            none_threshold=float(data["none_threshold"]),
            none_threshold_named=float(data["none_threshold_named"]),
            mode_min=float(data["mode_min"]),
            root_min=float(data["root_min"]),
            context_sentences=int(data["context_sentences"]),
            phrase_min=int(data["phrase_min"]),
            paragraph_weight=float(data["paragraph_weight"]),
        )


def load_codes(path: Path | None = None) -> list[Code]:
    path = path or coder_dir() / "codes.tsv"
    rows = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    out = []
    for row in csv.DictReader(rows, delimiter="\t"):
        mode = row["mode"]
        out.append(Code(row["code"], row["type"], None if mode == "*" else mode))
    return out


class CoderModel:
    """Softmax regression weights over encoder embeddings, one column per code."""

    def __init__(self, weights: np.ndarray, bias: np.ndarray, codes: Sequence[Code]) -> None:
        if weights.shape[1] != len(codes) or bias.shape != (len(codes),):
            raise ValueError(f"weights {weights.shape} do not fit {len(codes)} codes")
        self.weights = weights.astype(np.float32)
        self.bias = bias.astype(np.float32)
        self.codes = list(codes)
        self.types = sorted({c.type for c in codes})
        self._type_index = np.array([self.types.index(c.type) for c in codes])
        self._codes_of = {t: [k for k, c in enumerate(codes) if c.type == t] for t in self.types}

    @classmethod
    def load(cls, path: Path | None = None) -> CoderModel:
        path = path or coder_dir() / "model.npz"
        try:
            with np.load(path, allow_pickle=False) as z:
                names = [str(c) for c in z["codes"]]
                weights, bias = z["weights"], z["bias"]
        except (OSError, KeyError, ValueError) as err:
            raise FlashpointError(Errors.E161.format(path=path, detail=err)) from err
        by_name = {c.code: c for c in load_codes()}
        for n in names:
            if n.startswith(NONE + ":"):  # the kinds of negative, trained apart (train_coder)
                by_name[n] = Code(n, NONE, None)
        missing = [n for n in names if n not in by_name]
        if missing:
            raise FlashpointError(
                Errors.E161.format(path=path, detail=f"codes not in codes.tsv: {missing}")
            )
        return cls(weights, bias, [by_name[n] for n in names])

    def probabilities(self, embeddings: np.ndarray) -> np.ndarray:
        logits = embeddings @ self.weights + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    def decide(
        self,
        probs: np.ndarray,
        lexicon_type: str | None,
        config: DecisionConfig,
        none_threshold: float | None = None,
    ) -> Decision:
        """One mention's decision from its sentence's code probabilities."""
        limit = config.none_threshold if none_threshold is None else none_threshold
        by_type = np.zeros(len(self.types))
        np.add.at(by_type, self._type_index, probs)
        none_i = self.types.index(NONE) if NONE in self.types else -1
        scores = by_type.copy()
        if lexicon_type in self.types:
            scores[self.types.index(lexicon_type)] += config.lexicon_weight
        if none_i >= 0:
            # relevance is its own question, asked without the lexicon's vote: a disaster's
            # "killed" is a trigger word, not evidence of a perpetrator
            scores[none_i] = np.inf if by_type[none_i] >= limit else -np.inf
        best = int(np.argmax(scores))
        best_type = self.types[best]
        own = by_type.copy()
        if none_i >= 0:
            own[none_i] = -1.0
        agrees = int(np.argmax(own)) == best
        relevance = 1.0 - float(by_type[none_i]) if none_i >= 0 else 1.0
        top = max(self._codes_of[best_type], key=lambda k: probs[k])
        share = float(probs[top] / max(by_type[best], 1e-9))
        return Decision(
            type=best_type,
            mode=self.codes[top].mode,
            mode_confidence=share,
            relevance=relevance,
            confidence=float(by_type[best]),
            agrees=agrees,
        )


@dataclass(slots=True)
class Coder:
    encoder: Encoder
    model: CoderModel
    config: DecisionConfig
    cues: frozenset[str] = frozenset()  # words that make a trigger-less sentence a candidate

    def decide_all(self, mentions: Sequence[Mention]) -> list[Decision]:
        """Decisions for mentions, encoding each distinct text once.

        Each mention is read as a weighted mix of texts (``readings``); their probabilities
        are mixed with the same weights.
        """
        types_in: dict[tuple[int, int], set[str]] = {}
        for m in mentions:
            types_in.setdefault(m.sent_span, set()).add(m.type)
        plans = [self.readings(m, types_in[m.sent_span]) for m in mentions]
        texts: dict[str, int] = {}
        for plan in plans:
            for text, _ in plan:
                texts.setdefault(text, len(texts))
        probs = self.model.probabilities(self.encoder.encode(list(texts)))
        out = []
        for m, plan in zip(mentions, plans, strict=True):
            dist = sum(weight * probs[texts[text]] for text, weight in plan)
            # a word that names the act ("bombing", "ambush") is itself evidence of an event;
            # a death word ("killed") or a bare verb is shared with disasters and accidents
            named = bool(m.type) and not ({"casualty", "root"} & m.flags)
            limit = self.config.none_threshold_named if named else self.config.none_threshold
            out.append(self.model.decide(np.asarray(dist), m.type or None, self.config, limit))
        return out

    def readings(self, m: Mention, types_here: set[str]) -> list[tuple[str, float]]:
        """The texts a mention is read by, with their weights (summing to 1).

        - An event noun whose own phrase tells the event is read by that phrase alone.
        - Else by its sentence; where the sentence holds candidates of different lexicon types
          (``types_here``: "X condemned the strike"), the sentence cannot tell them apart, and
          the trigger's own phrase is averaged in.
        - The paragraph's reading takes ``paragraph_weight`` of the mix: a toll sentence ("At
          least 14 people were killed.") is an attack or a disaster by what is around it.
        """
        cfg = self.config
        own = noun_phrase_text(m, cfg.phrase_min)
        if own:
            plan = [(own, 1.0)]
        else:
            sentence = candidate_text(m, cfg.context_sentences)
            phrase = phrase_text(m) if len(types_here) > 1 else None
            plan = [(sentence, 0.5), (phrase, 0.5)] if phrase else [(sentence, 1.0)]
        para = m.para.text.strip()
        if cfg.paragraph_weight > 0 and para and para != plan[0][0]:
            plan = [(t, w * (1 - cfg.paragraph_weight)) for t, w in plan]
            plan.append((para, cfg.paragraph_weight))
        return plan


def _own_span(tok: Token, sent: Span, min_tokens: int) -> str | None:
    """``tok``'s subtree as text, unless shorter than ``min_tokens`` or the whole sentence."""
    sub = list(tok.subtree)
    start, end = sub[0].i, sub[-1].i + 1
    if end - start < min_tokens or (start <= sent.start and end >= sent.end):
        return None
    return tok.doc[start:end].text.strip()


def noun_phrase_text(m: Mention, min_tokens: int) -> str | None:
    """An event noun's own phrase when it tells the event by itself ("an Oct. 7 cross-border
    incursion by Hamas in Israel", "the abduction of 40 students from a school"): read alone,
    it is not drowned by a sentence about something else ("tensions have risen since ...")."""
    if m.trigger.pos_ not in {"NOUN", "PROPN"}:
        return None
    return _own_span(m.trigger, m.sent, min_tokens)


def phrase_text(m: Mention, min_tokens: int = 3) -> str | None:
    """The trigger's own phrase: a noun trigger's subtree ("an Oct. 7 incursion by Hamas"),
    else the clause of the verb that governs it or that it is; None when that is the whole
    sentence or too short to read alone."""
    tok = m.trigger
    short = len(list(tok.subtree)) < min_tokens
    if tok.pos_ in {"NOUN", "PROPN"} and short and tok.head is not tok:
        tok = tok.head
    return _own_span(tok, m.sent, min_tokens)


def candidate_text(m: Mention, context: int) -> str:
    """The mention's sentence, after up to ``context`` sentences before it in its paragraph:
    "At least 14 people were killed." is a disaster or an attack only with what came before."""
    sent = m.sent
    start = sent.start
    for _ in range(context):
        if start <= 0:
            break
        start = sent.doc[start - 1].sent.start
    return sent.doc[start : sent.end].text.strip()


@lru_cache(maxsize=1)
def default_coder() -> Coder:
    """The shipped coder, loaded once per process (90 MB of encoder weights)."""
    return Coder(default_encoder(), CoderModel.load(), DecisionConfig.load(), candidate_cues())


def apply_coder(mentions: list[Mention], coder: Coder) -> None:
    """Retype, remode or drop ``mentions`` in place by the coder's decisions.

    A casualty verb or claim hosted by another mention ("died in the blast") follows its host,
    so the two still merge; a mention whose host is dropped is dropped with it.
    """
    free = [m for m in mentions if m.host is None]
    decisions = coder.decide_all(free)
    dropped: set[int] = set()
    for m, d in zip(free, decisions, strict=True):
        if d.type == NONE or ("root" in m.flags and d.confidence < coder.config.root_min):
            dropped.add(id(m))
            continue
        if m.anaphoric:
            continue  # "these attacks", "the raid": typed by what they refer back to
        if d.type != m.type:
            m.mode = None  # the lexicon's mode belonged to the lexicon's type
        m.type = d.type
        # the trigger word's own mode ("airstrike" for "strike") stands unless the coder is
        # sure of another, or the trigger had none; a type the coder chose only with the
        # lexicon's vote has no mode of the coder's ("cease these attacks" in a demand).
        # A death or injury with no agent ("several others were wounded") tells an outcome:
        # its mode comes from the event it joins, not from a sentence that names no act
        outcome = "casualty" in m.flags and not (m.sources or m.instruments or m.claimants)
        if d.mode is not None and d.agrees and not outcome:
            sure = d.mode_confidence >= coder.config.mode_min
            if sure or m.mode is None:
                m.coder_mode = d.mode
                m.coder_mode_sure = sure
    for m in mentions:
        host = m.host
        while host is not None and host.host is not None and host.host is not m:
            host = host.host
        if host is not None:
            if id(host) in dropped:
                dropped.add(id(m))
            else:
                m.type = host.type
    kept = [m for m in mentions if id(m) not in dropped]
    for m in kept:
        if m.since is not None and id(m.since) in dropped:
            m.since = None
        if m.describes is not None and id(m.describes) in dropped:
            m.describes = None
    mentions[:] = kept


@lru_cache(maxsize=1)
def cue_words() -> tuple[str, ...]:
    """The gate words the training script drew from the training sentences (``cues.txt``)."""
    path = coder_dir() / "cues.txt"
    if not path.exists():
        return ()
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(w.strip() for w in lines if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=1)
def candidate_cues() -> frozenset[str]:
    """Words that make a sentence worth the coder's reading: the cue words and the lexicon's
    gate words (casualty words). The gate opens a paragraph for them, and a sentence with no
    trigger offers its verb only when it holds one."""
    from .lexicon import load_lexicon

    return frozenset(cue_words()) | frozenset(w.lower() for w in load_lexicon().gate_words)


def fingerprint(paths: Sequence[Path]) -> str:
    """sha256 over files, in order: ties a trained model to the exact data it came from."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()
