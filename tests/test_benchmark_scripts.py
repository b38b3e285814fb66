"""The benchmark scripts are run by hand, not by CI: at least their imports must still resolve
(a renamed helper once broke ``benchmarks/gazetteer.py`` unnoticed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.mark.parametrize("script", sorted(BENCHMARKS.glob("*.py")), ids=lambda p: p.name)
def test_benchmark_script_imports(script: Path) -> None:
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)  # module level only: each script guards its main()
    finally:
        sys.modules.pop(spec.name, None)
    assert callable(getattr(module, "main", None))
