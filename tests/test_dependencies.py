"""Declared dependencies are the ones the code imports, and the README says what each is for."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Distribution name -> the module the code imports, where the two differ.
IMPORT_NAMES = {
    "charset-normalizer": "charset_normalizer", "python-docx": "docx", "pdfminer.six": "pdfminer",
    "rapidocr-onnxruntime": "rapidocr_onnxruntime", "opencv-python": "cv2", "pillow": "PIL",
}
# Extras whose packages extractor/ itself imports (the others serve the tests and the checks).
CODE_EXTRAS = ("ocr",)


def _names(specs: list[str]) -> list[str]:
    return [re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0] for spec in specs]


def declared() -> list[str]:
    """The dependencies and the extras the package's code imports (``ocr``)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project.get("optional-dependencies", {})
    return _names(project["dependencies"]) + [n for e in CODE_EXTRAS for n in _names(extras.get(e, []))]


def imported_top_level_modules() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "extractor").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found


def test_every_declared_dependency_is_imported_and_every_import_declared() -> None:
    modules = imported_top_level_modules()
    unused = [name for name in declared() if IMPORT_NAMES.get(name, name) not in modules]
    assert unused == [], f"declared in pyproject.toml but never imported by extractor/: {unused}"
    third_party = modules - set(sys.stdlib_module_names) - {"extractor", "__future__"}
    undeclared = third_party - {IMPORT_NAMES.get(name, name) for name in declared()}
    assert undeclared == set(), f"imported by extractor/ but not declared in pyproject.toml: {undeclared}"


def test_the_readme_says_what_each_dependency_is_for() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("### Dependencies") :]
    missing = [name for name in declared() if f"`{name}`" not in table]
    assert missing == [], f"README.md's Dependencies section does not mention {missing}"
