"""The learned event coder: its label set against the export table, its shipped weights against
their training data, and its decisions on invented sentences through the real pipeline."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from flashpoint.export.tables import acled_type
from flashpoint.extract.coder import (
    NONE,
    CoderModel,
    DecisionConfig,
    coder_dir,
    fingerprint,
    load_codes,
)

ROOT = Path(__file__).resolve().parents[1]
ACLED_SUBTYPES = {
    "Armed clash", "Government regains territory", "Non-state actor overtakes territory",
    "Chemical weapon", "Air/drone strike", "Suicide bomb", "Shelling/artillery/missile attack",
    "Remote explosive/landmine/IED", "Grenade", "Sexual violence", "Attack",
    "Abduction/forced disappearance", "Peaceful protest", "Protest with intervention",
    "Excessive force against protesters", "Violent demonstration", "Mob violence", "Agreement",
    "Arrests", "Change to group/activity", "Disrupted weapons use",
    "Headquarters or base established", "Looting/property destruction",
    "Non-violent transfer of territory", "Other",
}  # fmt: skip


def test_every_acled_subtype_is_reachable_from_a_code() -> None:
    reached = {
        acled_type(c.type, c.mode, kinds).sub_event_type
        for c in load_codes()
        if c.type != NONE
        for kinds in (set(), {"civilians"})
    }
    assert reached == ACLED_SUBTYPES


def test_every_violent_mode_has_its_own_row_and_a_ucdp_type() -> None:
    """A mode the coder or the lexicon emits never falls through to a catch-all by accident."""
    triggers = yaml.safe_load((coder_dir().parent / "ontology" / "triggers.yaml").read_text())
    modes = {(c.type, c.mode) for c in load_codes() if c.mode}
    modes |= {(t["type"], t["mode"]) for t in triggers["triggers"] if t.get("mode")}
    modes |= {(p["type"], p["mode"]) for p in triggers["patterns"] if p.get("mode")}
    for ptype, mode in sorted(modes):
        got = acled_type(ptype, mode, set())
        if ptype == "ASSAULT":
            assert got.ucdp in {"onesided", "state|nonstate"} or (
                got.sub_event_type == "Looting/property destruction"
            ), (ptype, mode)
            assert got.sub_event_type != "Armed clash" or mode == "firearms", (ptype, mode)


def test_shipped_model_matches_codes_and_training_data() -> None:
    model = CoderModel.load()
    with np.load(coder_dir() / "model.npz") as z:
        trained_on = str(z["train_sha256"])
    files = sorted((coder_dir() / "train").glob("*.tsv"))
    assert trained_on == fingerprint(files), "training data changed: run scripts/train_coder.py"
    assert {c.type for c in model.codes} >= {"ASSAULT", "PROTEST", "COERCE", NONE}
    assert model.weights.shape == (384, len(model.codes))


def test_training_is_deterministic() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from train_coder import train_softmax

    rng = np.random.default_rng(0)
    y = np.arange(60) % 3
    x = rng.normal(size=(60, 8)).astype(np.float32)
    x[np.arange(60), y] += 3.0  # three separable clusters
    w1, b1 = train_softmax(x, y, 3, 1e-5, 50, 5.0)
    w2, b2 = train_softmax(x, y, 3, 1e-5, 50, 5.0)
    assert w1.tobytes() == w2.tobytes() and b1.tobytes() == b2.tobytes()
    assert ((x @ w1 + b1).argmax(1) == y).mean() > 0.6  # it learns, not just repeats zeros


def test_decision_relevance_comes_before_the_lexicon_vote() -> None:
    model = CoderModel.load()
    cfg = DecisionConfig.load()
    probs = np.zeros(len(model.codes))
    none_codes = [k for k, c in enumerate(model.codes) if c.type == NONE]
    assault = next(k for k, c in enumerate(model.codes) if c.code == "ASSAULT/targeted")
    probs[none_codes[0]] = cfg.none_threshold + 0.01
    probs[assault] = 1 - probs[none_codes[0]]
    assert model.decide(probs, "ASSAULT", cfg).type == NONE
    probs[none_codes[0]] = cfg.none_threshold - 0.01
    probs[assault] = 1 - probs[none_codes[0]]
    decided = model.decide(probs, "ASSAULT", cfg)
    assert (decided.type, decided.mode) == ("ASSAULT", "targeted")


def _events(pipeline, text: str) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    ex = pipeline.extract_text(text, published="2025-03-14")
    return [(e.type, e.mode) for e in ex.events if e.modality == "asserted"]


@pytest.mark.parametrize(
    "text",
    [
        "The visitors beat the home side 3-1 on Saturday, their striker firing twice before the "
        "break.",
        "A gas cylinder exploded in a crowded restaurant in the old town on Thursday, killing "
        "four diners, firefighters said.",
        "Heavy rains triggered a landslide that buried a dozen homes overnight, killing at "
        "least 19 people.",
    ],
)
def test_no_violent_event_in_sport_accidents_and_disasters(pipeline, text) -> None:  # type: ignore[no-untyped-def]
    assert not [t for t, _ in _events(pipeline, text) if t == "ASSAULT"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Armed men raided the village of Kotoro on Wednesday night and shot dead seven "
            "farmers, a local official said.",
            ("ASSAULT", "Attack"),
        ),
        (
            "Prosecutors charged two former police commanders with murder over the deaths of "
            "protesters, a court official said on Thursday.",
            ("ACCUSE", None),
        ),
        (
            "Hundreds of traders set tyres ablaze and hurled stones at police in the market "
            "town on Tuesday after the authorities raised stall fees.",
            ("PROTEST", "Violent demonstration"),
        ),
    ],
)
def test_types_on_invented_reports(pipeline, text, expected) -> None:  # type: ignore[no-untyped-def]
    events = _events(pipeline, text)
    assert events, text
    ptype, mode = events[0]
    assert ptype == expected[0]
    if expected[1]:
        assert acled_type(ptype, mode, set()).sub_event_type == expected[1] or expected[1] == (
            acled_type(ptype, mode, {"civilians"}).sub_event_type
        )
