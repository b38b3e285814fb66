"""The evaluation gate: dev figures may not slide.

``benchmarks/gate.yaml`` names each dev corpus with the sha256 of its data file and a floor (or,
for error rates, a ceiling) per figure. ``flashpoint eval --gate`` measures them all and fails
when a figure is worse than its bound by more than ``noise``, or when a data file's hash has
changed (figures on other data are not comparable). Raising a floor is an edit; lowering one
is an explicit act: ``--lower-floors --note "why"`` writes the measured figures as the new
bounds and appends the note, with the old and new values, to the file's ``history``.

Only development sets are gated. The held-out sets stay out of the loop that tunes the code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import Errors, FlashpointError

GATE_FILE = Path(__file__).resolve().parents[3] / "benchmarks" / "gate.yaml"


@dataclass(frozen=True, slots=True)
class Check:
    corpus: str
    figure: str
    bound: float
    measured: float | None
    kind: str  # floor | ceiling
    noise: float

    @property
    def ok(self) -> bool:
        if self.measured is None:
            return False
        if self.kind == "floor":
            return self.measured >= self.bound - self.noise
        return self.measured <= self.bound + self.noise


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def figure(report: dict[str, Any], dotted: str) -> float | None:
    """``micro.f1`` → report["micro"]["f1"]."""
    node: Any = report
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, int | float) else None


def load_gate(path: Path = GATE_FILE) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise FlashpointError(Errors.E050.format(path=path, detail=err)) from err
    if not isinstance(data, dict) or "corpora" not in data:
        raise FlashpointError(Errors.E050.format(path=path, detail="no 'corpora' mapping"))
    return data


def run_gate(
    measure: Callable[[str], tuple[Path, dict[str, Any]]],
    path: Path = GATE_FILE,
    *,
    lower_floors: bool = False,
    note: str | None = None,
) -> list[Check]:
    """Measure every gated corpus (``measure(name)`` → data file, report) and compare.

    With ``lower_floors`` (and a ``note``), bounds the measurement fails are moved to the
    measured value and the change is logged in the file's history.
    """
    gate = load_gate(path)
    noise = float(gate.get("noise", 0.01))
    checks: list[Check] = []
    for name, spec in gate["corpora"].items():
        data_file, report = measure(name)
        digest = sha256(data_file)
        if digest != spec.get("sha256"):
            raise FlashpointError(
                Errors.E062.format(
                    corpus=name, path=data_file, found=digest, pinned=spec.get("sha256")
                )
            )
        for kind, key in (("floor", "floors"), ("ceiling", "ceilings")):
            for fig, bound in (spec.get(key) or {}).items():
                checks.append(
                    Check(name, fig, float(bound), figure(report, fig), kind, noise)
                )
    failed = [c for c in checks if not c.ok]
    if lower_floors and failed:
        if not note:
            raise FlashpointError(Errors.E063)
        entries = []
        for c in failed:
            if c.measured is None:
                continue
            key = "floors" if c.kind == "floor" else "ceilings"
            gate["corpora"][c.corpus][key][c.figure] = round(c.measured, 3)
            entries.append(f"{c.corpus} {c.figure}: {c.bound} -> {round(c.measured, 3)}")
        gate.setdefault("history", []).append(
            {"date": dt.date.today().isoformat(), "note": note, "changes": entries}
        )
        text = yaml.safe_dump(gate, sort_keys=False, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
    return checks
