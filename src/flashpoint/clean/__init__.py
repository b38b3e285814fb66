"""Clean: ``Document`` → ``Article`` (body text, headline, publisher, date, language, id)."""

from .core import article_id, clean, normalise_url
from .html import MAX_HTML_CHARS, extract_html
from .lang import detect_language, guess_language
from .text import clean_text_page, is_boilerplate

__all__ = [
    "MAX_HTML_CHARS",
    "article_id",
    "clean",
    "clean_text_page",
    "detect_language",
    "extract_html",
    "guess_language",
    "is_boilerplate",
    "normalise_url",
]
