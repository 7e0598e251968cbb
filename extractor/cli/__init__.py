"""Command-line interface: ``extractor <command>``."""

from extractor.cli.app import app, main
from extractor.cli import commands  # noqa: F401,E402  (registers every command on `app`)

__all__ = ["app", "main"]
