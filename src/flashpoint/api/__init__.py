"""The HTTP API and dashboard: ``create_app(db_url)`` returns the FastAPI application that
``flashpoint serve`` runs."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
