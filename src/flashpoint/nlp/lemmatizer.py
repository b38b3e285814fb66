"""A faster drop-in for the English rule lemmatizer, with the same lemmas.

spaCy's rule lemmatizer builds a ``Token`` and looks its lemma up token by token in Python,
which costs about as much as the parser on a gated run. Its answer depends only on the
token's form, POS and morphology, so we read those as one integer array per ``Doc``, look
each triple up in a cache filled by the original method (``lemmatize``) and write the lemmas
back in one ``Doc.from_array`` call. Tokens that already carry a lemma (from the attribute
ruler) keep it, as the model's ``overwrite = false`` asks. ``tests/test_attributes.py``
compares the output with the original's on real text.
"""

from __future__ import annotations

from typing import Any

import numpy
from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.tokens import Doc

FACTORY = "flashpoint_lemmatizer"
_COLUMNS = [ORTH, POS, MORPH, LEMMA]
_CACHE_LIMIT = 200_000  # (form, POS, morphology) triples; about 40 MB at most


class FastEnglishLemmatizer(EnglishLemmatizer):
    """``EnglishLemmatizer`` in rule mode, answering from an integer-keyed cache."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        if not self._validated:
            self._validate_tables()
        rows = doc.to_array(_COLUMNS)
        lemmas = rows[:, 3].copy()
        known, strings = self.known, doc.vocab.strings
        changed = False
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma and not self.overwrite:
                continue
            key = (orth, pos, morph)
            value = known.get(key)
            if value is None:
                value = strings.add(self.lemmatize(doc[i])[0])
                if len(known) >= _CACHE_LIMIT:
                    known.clear()
                known[key] = value
            lemmas[i] = value
            changed = True
        if changed:
            doc.from_array([LEMMA], lemmas.reshape(-1, 1).astype(numpy.uint64))  # type: ignore[arg-type]
        return doc


@Language.factory(FACTORY, default_config={"mode": "rule", "overwrite": False})
def make_fast_lemmatizer(
    nlp: Language, name: str, mode: str, overwrite: bool
) -> FastEnglishLemmatizer:
    return FastEnglishLemmatizer(nlp.vocab, None, name, mode=mode, overwrite=overwrite)


def speed_up_lemmas(nlp: Language) -> Language:
    """Swap an English rule lemmatizer for the cached one, in place, keeping its tables;
    any other lemmatizer (lookup mode, other languages) is left as it is."""
    if "lemmatizer" not in nlp.pipe_names:
        return nlp
    old = nlp.get_pipe("lemmatizer")
    if type(old) is not EnglishLemmatizer or old.mode != "rule":
        return nlp
    new = nlp.replace_pipe(
        "lemmatizer", FACTORY, config={"mode": "rule", "overwrite": old.overwrite}
    )
    assert isinstance(new, FastEnglishLemmatizer)
    new.lookups = old.lookups
    return nlp
