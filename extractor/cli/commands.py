"""Importing this module registers every command on the app (one module per job), in the order `--help` lists them."""

from importlib import import_module

# The order is the order of `extractor --help` (so not alphabetical, and not left to an import sorter).
COMMAND_MODULES = ("sections", "extract", "check", "review", "export", "evaluate", "cache")

for _module in COMMAND_MODULES:
    import_module(f"extractor.cli.{_module}")
