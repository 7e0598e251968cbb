"""Command-line interface: ``extractor <command>``."""

from extractor.cli import commands  # noqa: F401  (registers every command on `app`)
from extractor.cli.app import app, main

__all__ = ["app", "main"]
