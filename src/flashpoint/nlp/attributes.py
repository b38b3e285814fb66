"""A faster drop-in for the model's attribute ruler (tag → POS, morphology and lemma fixes).

spaCy's ``AttributeRuler`` runs a general ``Matcher`` with ~180 patterns over every token,
which costs about as much as the tagger, parser and tok2vec of a gated run together. Nearly
all of those patterns look at one token (its tag, lower form, dependency label), so they can be
looked up by tag and by lower form instead of matched; the few multi-token ones still go
through a ``Matcher``. The result is the same as the original's, attribute for attribute
(``tests/test_attributes.py`` compares them on real text): matches are applied in the order of
the rules, later rules overriding earlier ones, exactly as ``AttributeRuler`` does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.tokens._retokenize import normalize_token_attrs, set_token_attrs

FACTORY = "flashpoint_attribute_ruler"
# A token is read once, as a row of these integer attributes (``Doc.to_array``): building a
# ``Token`` object per token would cost more than the rules themselves.
_COLUMNS = {"TAG": TAG, "LOWER": LOWER, "DEP": DEP, "IS_SPACE": IS_SPACE}
_SIMPLE_KEYS = set(_COLUMNS)
Row = tuple[int, ...]
Check = Callable[[Row], bool]


def _value_check(strings: StringStore, key: str, value: Any) -> Check | None:
    """A test on one column of the token's row."""
    read: Callable[[Row], int] = itemgetter(list(_COLUMNS).index(key))
    if key == "IS_SPACE":
        return (lambda t: bool(read(t))) if value else (lambda t: not read(t))
    if isinstance(value, dict):
        if set(value) == {"IN"}:
            allowed = frozenset(strings.add(v) for v in value["IN"])
            return lambda t: read(t) in allowed
        if set(value) == {"NOT_IN"}:
            banned = frozenset(strings.add(v) for v in value["NOT_IN"])
            return lambda t: read(t) not in banned
        return None
    if not isinstance(value, str):
        return None
    wanted = strings.add(value)
    return lambda t: read(t) == wanted


def _key_values(strings: StringStore, key: str, value: Any) -> list[int] | None:
    """The values a one-token pattern can be looked up by on ``key``, if it names them."""
    if key == "IS_SPACE":
        return [int(bool(value))] if isinstance(value, bool) else None
    if isinstance(value, str):
        return [strings.add(value)]
    if isinstance(value, dict) and set(value) == {"IN"}:
        return [strings.add(v) for v in value["IN"]]
    return None


Indexed = list[tuple[int, list[Check]]]  # (rule, the checks left after the lookup)


class FastAttributeRuler:
    """Same rules as the ``AttributeRuler`` it replaces; single-token rules are indexed."""

    def __init__(self, nlp: Language, name: str, patterns: list[dict[str, Any]]) -> None:
        self.name = name
        self.patterns = patterns
        self.attrs = [normalize_token_attrs(nlp.vocab, p["attrs"]) for p in patterns]
        self.indices = [int(p.get("index", 0)) for p in patterns]
        # per column (position in the row), the rules found by the value there
        index: list[defaultdict[int, Indexed]] = [defaultdict(list) for _ in _COLUMNS]
        self.anywhere: Indexed = []  # only NOT_IN tests: tried on every token
        self.matcher = Matcher(nlp.vocab)
        for rule, p in enumerate(patterns):
            for seq in p["patterns"]:
                compiled = self._compile(nlp.vocab.strings, seq)
                if compiled is None:
                    self.matcher.add(str(rule), [seq])
                    continue
                checks, column, values = compiled
                if column is None:
                    self.anywhere.append((rule, checks))
                    continue
                for value in values:
                    index[column][value].append((rule, checks))
        self.columns = [(col, dict(table)) for col, table in enumerate(index) if table]

    @staticmethod
    def _compile(
        strings: StringStore, seq: list[dict[str, Any]]
    ) -> tuple[list[Check], int | None, list[int]] | None:
        """For a one-token pattern: the column and values to look it up by (the first of
        TAG, LOWER, DEP, IS_SPACE that names its values) and the checks left; else None."""
        if len(seq) != 1 or not set(seq[0]) <= _SIMPLE_KEYS:
            return None
        keyed: str | None = None
        values: list[int] = []
        for key in _COLUMNS:
            if key in seq[0] and (found := _key_values(strings, key, seq[0][key])) is not None:
                keyed, values = key, found
                break
        checks: list[Check] = []
        for key, value in seq[0].items():
            check = _value_check(strings, key, value)
            if check is None:
                return None
            if key != keyed:
                checks.append(check)
        return checks, None if keyed is None else list(_COLUMNS).index(keyed), values

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[int, int, int]] = []  # (rule, start, end)
        columns, anywhere = self.columns, self.anywhere
        rows = doc.to_array(list(_COLUMNS.values())).tolist() if len(doc) else []
        for i, row in enumerate(rows):
            for col, table in columns:
                for rule, checks in table.get(row[col], ()):
                    if not checks or all(check(row) for check in checks):
                        found.append((rule, i, i + 1))
            for rule, checks in anywhere:
                if all(check(row) for check in checks):
                    found.append((rule, i, i + 1))
        if len(self.matcher):
            for match_id, start, end in self.matcher(doc, allow_missing=True):
                found.append((int(doc.vocab.strings[match_id]), start, end))
        # the order AttributeRuler applies them in: by rule, later rules winning; a token's
        # attributes are merged first so that it is written (and built as a Token) once
        merged: dict[int, dict[int, Any]] = {}
        for rule, start, end in sorted(set(found)):
            index = self.indices[rule]
            if not -(end - start) <= index < end - start:
                raise IndexError(f"attribute rule {rule}: index {index} outside its match")
            at = (start if index >= 0 else end) + index
            merged.setdefault(at, {}).update(self.attrs[rule])
        for at, attrs in merged.items():
            set_token_attrs(doc[at], attrs)
        return doc


@Language.factory(FACTORY, default_config={"patterns": []})
def make_fast_attribute_ruler(
    nlp: Language, name: str, patterns: list[dict[str, Any]]
) -> FastAttributeRuler:
    return FastAttributeRuler(nlp, name, patterns)


def speed_up(nlp: Language) -> Language:
    """Swap the model's ``attribute_ruler`` for the indexed one, in place; other models
    (without one) are left as they are."""
    if "attribute_ruler" not in nlp.pipe_names:
        return nlp
    ruler = nlp.get_pipe("attribute_ruler")
    if isinstance(ruler, FastAttributeRuler):
        return nlp
    patterns = list(ruler.patterns)  # type: ignore[attr-defined]
    nlp.replace_pipe("attribute_ruler", FACTORY, config={"patterns": patterns})
    return nlp
