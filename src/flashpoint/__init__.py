"""Flashpoint: structured, evidence-linked conflict events from news reports."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .database import Database

__version__ = "0.1.0"


def open(url: str | os.PathLike[str]) -> Database:
    """Open a Flashpoint database for reading: ``flashpoint.open("events.db").events(...)``.

    See ``flashpoint.database`` (the store is imported on first use, so ``import flashpoint``
    stays light).
    """
    from .database import open_database

    return open_database(url)
