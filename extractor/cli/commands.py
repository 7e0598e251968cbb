"""Importing this module registers every command on the app (one module per job)."""

from extractor.cli import extract  # noqa: F401
