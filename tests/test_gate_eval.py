"""The evaluation gate: dev figures against benchmarks/gate.yaml, and how a floor is lowered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from flashpoint.errors import FlashpointError
from flashpoint.eval.gate import run_gate, sha256

from .conftest import SHARED


@pytest.mark.corpus
def test_dev_figures_hold_their_floors() -> None:
    if not (SHARED / "data" / "wikievents" / "dev.jsonl").exists():
        pytest.skip("../shared/data is absent")
    from typer.testing import CliRunner

    from flashpoint.cli import app

    result = CliRunner().invoke(app, ["eval", "--gate"])
    assert result.exit_code == 0, result.output


def _gate(tmp_path: Path, data: Path, floor: float) -> Path:
    path = tmp_path / "gate.yaml"
    spec = {"sha256": sha256(data), "floors": {"acc": floor}, "ceilings": {"err": 0.2}}
    path.write_text(yaml.safe_dump({"noise": 0.01, "corpora": {"dev": spec}}))
    return path


def test_gate_fails_a_slide_and_lowering_needs_a_note(tmp_path: Path) -> None:
    data = tmp_path / "dev.jsonl"
    data.write_text("{}\n")
    gate = _gate(tmp_path, data, 0.80)

    def measure(name: str) -> tuple[Path, dict[str, Any]]:
        return data, {"acc": 0.75, "err": 0.1}

    checks = run_gate(measure, gate)
    assert [c.ok for c in checks] == [False, True]
    with pytest.raises(FlashpointError) as err:
        run_gate(measure, gate, lower_floors=True)
    assert err.value.code == "E063"
    run_gate(measure, gate, lower_floors=True, note="new dev set is harder")
    saved = yaml.safe_load(gate.read_text())
    assert saved["corpora"]["dev"]["floors"]["acc"] == 0.75
    assert saved["history"][0]["note"] == "new dev set is harder"
    assert all(c.ok for c in run_gate(measure, gate))


def test_gate_refuses_changed_data(tmp_path: Path) -> None:
    data = tmp_path / "dev.jsonl"
    data.write_text("{}\n")
    gate = _gate(tmp_path, data, 0.5)
    data.write_text('{"changed": true}\n')
    with pytest.raises(FlashpointError) as err:
        run_gate(lambda name: (data, {"acc": 0.9, "err": 0.0}), gate)
    assert err.value.code == "E062"
