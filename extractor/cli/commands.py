"""Importing this module registers every command on the app (one module per job), in the order `--help` lists them."""

from extractor.cli import sections  # noqa: F401
from extractor.cli import extract  # noqa: F401
from extractor.cli import check  # noqa: F401
from extractor.cli import review  # noqa: F401
from extractor.cli import export  # noqa: F401
from extractor.cli import evaluate  # noqa: F401
from extractor.cli import cache  # noqa: F401
