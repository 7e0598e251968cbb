"""``extractor sections``: the outline of one report (its numbered sections) as a tree or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.tree import Tree

from extractor.cli.app import app
from extractor.cli.options import MaxSizeOpt
from extractor.limits import DEFAULT_MAX_SIZE_MB, Limits
from extractor.limits import configure as configure_limits
from extractor.loading import load
from extractor.sections import Section, split_sections


def _node(tree: Tree, section: Section) -> None:
    role = f" [dim]{section.role}[/]" if section.role else ""
    label = f"{escape(' '.join(section.heading.split()))}  [cyan]{section.span.start}-{section.span.end}[/]{role}"
    branch = tree.add(label)
    for child in section.children:
        _node(branch, child)


@app.command()
def sections(
    file: Path = typer.Argument(..., help="The report: .txt .md .html .htm .docx or .pdf."),
    as_json: bool = typer.Option(False, "--json", help="Print the sections as JSON instead of a tree."),
    max_size: MaxSizeOpt = DEFAULT_MAX_SIZE_MB,
) -> None:
    """Show a report's outline: its numbered sections with their spans in the normalised text."""
    configure_limits(Limits(max_size_mb=max_size))
    doc = load(file)
    found = split_sections(doc.text)
    if as_json:
        typer.echo(json.dumps([s.model_dump(mode="json") for s in found], ensure_ascii=False, indent=2))
        return
    tree = Tree(f"[bold]{escape(file.name)}[/]  ({len(doc.text)} characters, {len(found)} sections)")
    for section in found:
        _node(tree, section)
    Console(soft_wrap=True).print(tree)
