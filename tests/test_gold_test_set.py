"""The held-out event gold (benchmarks/gold/test-events.jsonl) and its text references."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from flashpoint.errors import FlashpointError
from flashpoint.eval import CORPORA, shared_data_dir
from flashpoint.eval.gold import read_gold, resolve_text_ref
from tests.conftest import DATA, ROOT, need

GOLD = ROOT / "benchmarks" / "gold" / "test-events.jsonl"
PLOVER = {
    "ASSAULT", "COERCE", "THREATEN", "REQUEST", "ACCUSE", "PROTEST", "MOBILIZE", "SANCTION",
    "REJECT", "CONSULT", "AGREE", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
}  # fmt: skip
PRECISIONS = {"day", "week", "month", "year", "range"}
CORPUS_FILES = {
    "geoparsing/TR-News.xml": DATA / "geoparsing" / "TR-News.xml",
    "article-extraction-benchmark": DATA / "article-extraction-benchmark" / "ground-truth.json",
}


def _records() -> list[dict[str, Any]]:
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _spans(ev: dict[str, Any]) -> list[dict[str, Any]]:
    return [ev["trigger"], *ev["actors"], *([ev["location"]] if ev["location"] else [])]


def test_file_is_well_formed_and_stores_no_text() -> None:
    recs = _records()
    assert len(recs) == 15 and len({r["id"] for r in recs}) == 15
    for r in recs:
        assert "text" not in r, f"{r['id']}: corpus texts must stay out of the repository"
        ref = r["text_ref"]
        assert ref["corpus"] in CORPUS_FILES and len(ref["sha1"]) == 40
        dt.date.fromisoformat(r["published"])
        assert r["events"], r["id"]
        for ev in r["events"]:
            assert ev["type"] in PLOVER
            s, e = ev["evidence"]["start"], ev["evidence"]["end"]
            assert s < e
            assert all(0 <= span["start"] < span["end"] for span in _spans(ev))
            assert s <= ev["trigger"]["start"] < ev["trigger"]["end"] <= e, ev["trigger"]
            assert all(a["role"] in {"source", "target"} for a in ev["actors"])
            if ev["date"]:
                assert ev["date"]["precision"] in PRECISIONS
                assert ev["date"]["start"] <= ev["date"]["end"]
            if ev["location"]:
                assert -90 <= ev["location"]["lat"] <= 90 and -180 <= ev["location"]["lon"] <= 180
                assert len(ev["location"]["country"]) == 3
            for kind in ("killed", "injured"):
                fig = (ev["casualties"] or {}).get(kind)
                if fig:
                    assert fig["low"] <= fig["best"] <= (fig["high"] or fig["best"])


def test_corpus_shortcut_resolves_to_the_repository_file() -> None:
    stage, rel = CORPORA["test-events"]
    assert stage == "events"
    assert shared_data_dir() / rel == GOLD  # an absolute path survives the CLI's join


def test_refs_resolve_and_every_span_slices_to_its_text() -> None:
    for path in CORPUS_FILES.values():
        need(path)
    docs = {d.id: d for d in read_gold(GOLD, DATA)}
    assert len(docs) == 15
    for r in _records():
        text = docs[r["id"]].text
        assert hashlib.sha1(text.encode("utf-8")).hexdigest() == r["text_ref"]["sha1"]
        for ev in r["events"]:
            for span in _spans(ev):
                assert text[span["start"] : span["end"]] == span["text"], (r["id"], span)
            sentence = text[ev["evidence"]["start"] : ev["evidence"]["end"]]
            assert sentence == sentence.strip() and len(sentence) > 10, (r["id"], sentence)


def test_absent_corpus_skips_records_with_a_warning(tmp_path: Path) -> None:
    with pytest.warns(UserWarning) as caught:
        docs = list(read_gold(GOLD, tmp_path))
    assert docs == []
    messages = [str(w.message) for w in caught]
    assert len(messages) == 15 and all(m.startswith("[W060]") for m in messages)
    assert {c for c in CORPUS_FILES if any(c in m for m in messages)} == set(CORPUS_FILES)


def _tiny_corpora(root: Path) -> None:
    (root / "geo").mkdir()
    (root / "geo" / "mini.xml").write_text(
        "<articles><article><text><![CDATA[First text.]]></text></article>"
        "<article><text><![CDATA[Rebels shelled Kidal.\nTwo died.]]></text></article></articles>",
        encoding="utf-8",
    )
    (root / "article-extraction-benchmark").mkdir()
    (root / "article-extraction-benchmark" / "ground-truth.json").write_text(
        json.dumps({"abc": {"articleBody": "Police arrested five.", "url": "x"}}), encoding="utf-8"
    )


def test_resolve_text_ref_layouts_and_invalid_refs(tmp_path: Path) -> None:
    _tiny_corpora(tmp_path)

    def ref(**kw: Any) -> dict[str, Any]:
        return {"text_ref": kw}

    assert resolve_text_ref(ref(corpus="geo/mini.xml", index=1), tmp_path) == (
        "Rebels shelled Kidal.\nTwo died."
    )
    body = resolve_text_ref(ref(corpus="article-extraction-benchmark", id="abc"), tmp_path)
    assert body == "Police arrested five."
    assert resolve_text_ref(ref(corpus="geo/absent.xml", index=0), tmp_path) is None
    for bad in (
        ref(corpus="geo/mini.xml", index=2),
        ref(corpus="article-extraction-benchmark", id="nope"),
        ref(corpus="../geo/mini.xml", index=0),
        ref(corpus="wikievents/dev.jsonl", index=0),
        ref(corpus="geo/mini.xml", index=0, sha1="0" * 40),
    ):
        with pytest.raises(ValueError):
            resolve_text_ref(bad, tmp_path)


def test_read_gold_fills_text_and_rejects_a_dangling_ref(tmp_path: Path) -> None:
    _tiny_corpora(tmp_path)
    event = {
        "type": "ASSAULT",
        "trigger": {"start": 7, "end": 14, "text": "shelled"},
        "evidence": {"start": 0, "end": 21},
    }
    good = {"id": "m1", "text_ref": {"corpus": "geo/mini.xml", "index": 1}, "events": [event]}
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps(good) + "\n", encoding="utf-8")
    (doc,) = read_gold(gold, tmp_path)
    assert doc.text[slice(*doc.events[0].trigger)] == "shelled"
    bad = {**good, "text_ref": {"corpus": "geo/mini.xml", "index": 9}}
    gold.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(FlashpointError, match="E060"):
        list(read_gold(gold, tmp_path))
