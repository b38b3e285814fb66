"""Users extend the actor registry with their own YAML/CSV files (FLASHPOINT_ACTORS)."""

from __future__ import annotations

from pathlib import Path

from flashpoint.config import Settings
from flashpoint.pipeline import Pipeline

TEXT = (
    "Fighters of the Northern Lions Brigade attacked an army checkpoint near Gao on Monday, "
    "killing four soldiers, the regional governor said.\n\n"
    "The NLB has carried out several raids in the region this year."
)


def test_user_actor_file_is_used_by_the_pipeline(tmp_path: Path, pipeline: Pipeline) -> None:
    extra = tmp_path / "my_actors.yaml"
    extra.write_text(
        "- name: Northern Lions Brigade\n  kind: militia\n  country: MLI\n  acronyms: [NLB]\n",
        encoding="utf-8",
    )
    plain = pipeline.extract_text(TEXT, published="2024-03-06")
    custom = Pipeline(Settings(actor_files=(extra,)), nlp=pipeline.nlp).extract_text(
        TEXT, published="2024-03-06"
    )

    def sources(ex):  # type: ignore[no-untyped-def]
        return {(a.name, a.country, a.kind) for e in ex.events for a in e.actors_in("source")}

    assert ("Northern Lions Brigade", "MLI", "militia") in sources(custom)
    assert ("Northern Lions Brigade", "MLI", "militia") not in sources(plain)


def test_settings_read_actor_files_from_the_environment(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, b = tmp_path / "a.yaml", tmp_path / "b.csv"
    monkeypatch.setenv("FLASHPOINT_ACTORS", f"{a}:{b}")
    assert Settings.from_env().actor_files == (a, b)
