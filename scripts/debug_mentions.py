"""Print each sentence's trigger mentions with their raw arguments (a developer's lens)."""

from __future__ import annotations

import sys

from flashpoint.clean import clean
from flashpoint.extract.assemble import ArticleContext, _read_sentence
from flashpoint.extract.lexicon import load_lexicon
from flashpoint.extract.mentions import find_mentions
from flashpoint.ingest import read_inputs
from flashpoint.nlp import parse_articles


def main(path: str) -> None:
    doc = next(iter(read_inputs([path])))
    article = clean(doc)  # type: ignore[arg-type]
    parsed = next(parse_articles([article]))
    ctx = ArticleContext(parsed, load_lexicon())
    for para in parsed.paragraphs:
        for sent in para.doc.sents:
            found = find_mentions(para, sent)
            _read_sentence(ctx, para, sent, found)
            if not found:
                continue
            print("»", sent.text.strip()[:160])
            for m in found:
                print(
                    f"   {m.trigger.text}/{m.type}/{m.mode} mod={m.modality} ana={m.anaphoric} "
                    f"src={[t.text for t in m.sources]} tgt={[t.text for t in m.targets]} "
                    f"clm={[t.text for t in m.claimants]} plc={[t.text for t in m.places]} "
                    f"ins={[t.text for t in m.instruments]} dates={[d.text for d in m.dates]} "
                    f"host={m.host.trigger.text if m.host else None} "
                    f"since={m.since.trigger.text if m.since else None}"
                )


if __name__ == "__main__":
    main(sys.argv[1])
