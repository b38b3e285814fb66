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
from typing import Any

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.strings import StringStore
from spacy.tokens import Doc, Token
from spacy.tokens._retokenize import normalize_token_attrs, set_token_attrs

FACTORY = "flashpoint_attribute_ruler"
_SIMPLE_KEYS = {"TAG", "LOWER", "DEP", "IS_SPACE"}
Check = Callable[[Token], bool]


def _value_check(strings: StringStore, key: str, value: Any) -> Check | None:
    """A test on the token's integer attribute (cheaper to read than its string form)."""
    if key == "IS_SPACE":
        return (lambda t: t.is_space) if value else (lambda t: not t.is_space)
    read: Callable[[Token], int] = {
        "TAG": lambda t: t.tag,
        "LOWER": lambda t: t.lower,
        "DEP": lambda t: t.dep,
    }[key]
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


class FastAttributeRuler:
    """Same rules as the ``AttributeRuler`` it replaces; single-token rules are indexed."""

    def __init__(self, nlp: Language, name: str, patterns: list[dict[str, Any]]) -> None:
        self.name = name
        self.patterns = patterns
        self.attrs = [normalize_token_attrs(nlp.vocab, p["attrs"]) for p in patterns]
        self.indices = [int(p.get("index", 0)) for p in patterns]
        self.by_tag: dict[int, list[tuple[int, list[Check]]]] = defaultdict(list)
        self.by_lower: dict[int, list[tuple[int, list[Check]]]] = defaultdict(list)
        self.anywhere: list[tuple[int, list[Check]]] = []
        self.on_space: list[tuple[int, list[Check]]] = []  # rules that need IS_SPACE true
        self.matcher = Matcher(nlp.vocab)
        for rule, p in enumerate(patterns):
            for seq in p["patterns"]:
                compiled = self._compile(nlp.vocab.strings, seq)
                if compiled is None:
                    self.matcher.add(str(rule), [seq])
                    continue
                checks, tag, lower = compiled
                if tag is not None:
                    self.by_tag[nlp.vocab.strings.add(tag)].append((rule, checks))
                elif lower is not None:
                    self.by_lower[nlp.vocab.strings.add(lower)].append((rule, checks))
                elif seq[0].get("IS_SPACE") is True:
                    self.on_space.append((rule, checks))
                else:
                    self.anywhere.append((rule, checks))

    @staticmethod
    def _compile(
        strings: StringStore, seq: list[dict[str, Any]]
    ) -> tuple[list[Check], str | None, str | None] | None:
        """Checks for a one-token pattern (and the tag or lower form that keys it), else None."""
        if len(seq) != 1 or not set(seq[0]) <= _SIMPLE_KEYS:
            return None
        checks: list[Check] = []
        for key, value in seq[0].items():
            check = _value_check(strings, key, value)
            if check is None:
                return None
            checks.append(check)
        tag = seq[0].get("TAG") if isinstance(seq[0].get("TAG"), str) else None
        lower = seq[0].get("LOWER") if isinstance(seq[0].get("LOWER"), str) else None
        return checks, tag, lower

    def __call__(self, doc: Doc) -> Doc:
        found: list[tuple[int, int, int]] = []  # (rule, start, end)
        by_tag, by_lower, anywhere = self.by_tag, self.by_lower, self.anywhere
        for tok in doc:
            i = tok.i
            for rule, checks in by_tag.get(tok.tag, ()):
                if all(check(tok) for check in checks):
                    found.append((rule, i, i + 1))
            for rule, checks in by_lower.get(tok.lower, ()):
                if all(check(tok) for check in checks):
                    found.append((rule, i, i + 1))
            for rule, checks in anywhere:
                if all(check(tok) for check in checks):
                    found.append((rule, i, i + 1))
            if tok.is_space:
                for rule, checks in self.on_space:
                    if all(check(tok) for check in checks):
                        found.append((rule, i, i + 1))
        if len(self.matcher):
            for match_id, start, end in self.matcher(doc, allow_missing=True):
                found.append((int(doc.vocab.strings[match_id]), start, end))
        # the order AttributeRuler applies them in: by rule, later rules winning
        for rule, start, end in sorted(set(found)):
            set_token_attrs(doc[start:end][self.indices[rule]], self.attrs[rule])
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
