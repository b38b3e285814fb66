"""The dashboard's static files (HTML, JavaScript, CSS and vendored libraries), served by
``flashpoint.api``. Third-party files under ``static/vendor`` come from npm through
``scripts/vendor_web_assets.sh`` and are committed, so serving needs no network."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"

__all__ = ["STATIC_DIR"]
