"""The indexed attribute ruler and the cached lemmatizer give exactly the model's own output."""

from __future__ import annotations

import json

import spacy

from flashpoint.nlp import load_model, resolve_model_name
from flashpoint.nlp.attributes import FastAttributeRuler, speed_up
from flashpoint.nlp.lemmatizer import FastEnglishLemmatizer, speed_up_lemmas

from .conftest import DATA, EXAMPLE, need


def test_same_tags_pos_morphology_and_lemmas_as_the_original() -> None:
    texts = [need(EXAMPLE).read_text(encoding="utf-8")]
    lines = need(DATA / "wikievents" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts += [" ".join(s[1] for s in json.loads(line)["sentences"]) for line in lines[:8]]
    texts.append("He  said:\n\n  “it’s   done” — U.S.-led forces didn't, won't; there're 3.5 km.")
    original = spacy.load(resolve_model_name())
    fast = load_model()
    assert isinstance(fast.get_pipe("attribute_ruler"), FastAttributeRuler)
    assert isinstance(fast.get_pipe("lemmatizer"), FastEnglishLemmatizer)
    assert fast.pipe_names == original.pipe_names
    tokens = 0
    for a, b in zip(original.pipe(texts), fast.pipe(texts), strict=True):
        for x, y in zip(a, b, strict=True):
            tokens += 1
            assert (x.tag_, x.pos_, str(x.morph), x.lemma_, x.dep_) == (
                y.tag_, y.pos_, str(y.morph), y.lemma_, y.dep_
            ), (x.text, x.i)
    assert tokens > 5000


def test_speed_up_is_idempotent_and_leaves_other_pipelines_alone() -> None:
    nlp = load_model()
    ruler = nlp.get_pipe("attribute_ruler")
    lemmatizer = nlp.get_pipe("lemmatizer")
    assert speed_up(nlp).get_pipe("attribute_ruler") is ruler
    assert speed_up_lemmas(nlp).get_pipe("lemmatizer") is lemmatizer
    blank = spacy.blank("en")
    assert speed_up(blank).pipe_names == []
    assert speed_up_lemmas(blank).pipe_names == []
