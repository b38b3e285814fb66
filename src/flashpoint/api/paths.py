"""Local file paths stay on the machine: the API shows the file name an article came from.

``ingest`` records where each article came from (``article.source``): a URL, ``-`` for standard
input, or the path it was given, absolute if the user typed one. Over HTTP the folders of the
machine that ran ``ingest`` are nobody's business (as ``/api/stats`` hides the database's), so
every route that returns article metadata passes it through here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def local_name(source: Any) -> Any:
    """``/home/me/corpus/a.txt`` → ``a.txt`` (``a.jsonl:12`` keeps its line); URLs and ``-``
    stay whole."""
    if not isinstance(source, str) or "://" in source or source == "-":
        return source
    return source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or source


def hide_path(record: dict[str, Any]) -> dict[str, Any]:
    """An event (or mention) dict with its ``article.source`` cut to ``local_name``, in place."""
    article = record.get("article")
    if isinstance(article, dict) and "source" in article:
        article["source"] = local_name(article["source"])
    return record


def hide_paths(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """``hide_path`` over a stream of events, as lazily as the stream."""
    for record in records:
        yield hide_path(record)
