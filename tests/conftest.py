"""Shared fixtures: the real pipeline (loaded once per session) and the shared corpora."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI explores the same examples every run (a red CI must be reproducible); locally hypothesis
# keeps searching new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
EXAMPLE = SHARED / "examples" / "anadolu-2024-01-24-us-strikes-iraq.txt"
DATA = SHARED / "data"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared corpora live in ../shared beside the repo)")
    return path


@pytest.fixture(scope="session")
def pipeline():  # type: ignore[no-untyped-def]
    from flashpoint.pipeline import Pipeline

    return Pipeline()


@pytest.fixture(scope="session")
def example_extraction(pipeline):  # type: ignore[no-untyped-def]
    outcomes = list(pipeline.run([str(need(EXAMPLE))]))
    assert len(outcomes) == 1 and outcomes[0].extraction is not None, outcomes
    return outcomes[0].extraction
