"""Flashpoint: structured, evidence-linked conflict events from news reports."""

__version__ = "0.1.0"
