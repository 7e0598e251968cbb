"""Versioned prompt files: ``prompts/<version>/<task>.md``.

A prompt file is a Jinja template in two parts, the system message then the
user message, separated by a line ``<!-- user -->``. The report text is never
pasted into a template: it arrives as the variable ``{{ source }}`` when
instructor renders the messages (``context=``), so braces in a report cannot
turn into template code. The version (directory name) and a hash of the file
go into every cache key and every output record.

Where prompts are found: ``$EXTRACTOR_PROMPTS_DIR`` if set, else the
``prompt_files`` directory shipped inside the package (``extractor/llm/prompt_files``,
a link to the repository's ``prompts/`` in a checkout).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel

from extractor.errors import ExitCode, ExtractorError

USER_MARKER = "<!-- user -->"
TASKS: tuple[str, ...] = ("meta", "active_disclosure", "applications", "review_litigation", "pre2019", "claims")


def prompts_root() -> Path:
    env = os.environ.get("EXTRACTOR_PROMPTS_DIR")
    if env:
        return Path(env)
    packaged = Path(__file__).with_name("prompt_files")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "prompts"  # a source checkout without the link


def available_versions() -> list[str]:
    root = prompts_root()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")) if root.is_dir() else []


class Prompt(BaseModel):
    """One task's messages as templates, with the identity that goes into cache keys."""

    version: str
    task: str
    system: str
    user: str
    sha256: str

    def messages(self) -> list[ChatCompletionMessageParam]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user}]


@lru_cache(maxsize=64)
def _load(root: str, version: str, task: str) -> Prompt:
    path = Path(root) / version / f"{task}.md"
    if not path.is_file():
        known = ", ".join(available_versions()) or "none"
        raise ExtractorError(
            f"no prompt {task!r} for prompt version {version!r} in {root} (versions: {known})", ExitCode.USAGE
        )
    text = path.read_text(encoding="utf-8")
    if USER_MARKER not in text:
        raise ExtractorError(
            f"{path}: a prompt needs a line {USER_MARKER} between the system and user message", ExitCode.USAGE
        )
    system, user = text.split(USER_MARKER, 1)
    return Prompt(
        version=version,
        task=task,
        system=system.strip(),
        user=user.strip(),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def load_prompt(version: str, task: str) -> Prompt:
    """The prompt of ``task`` in ``version``; an ExtractorError naming the known versions if missing."""
    return _load(str(prompts_root()), version, task)


def check_version(version: str) -> None:
    """Fail early (one clear line) when a prompt version lacks any task."""
    for task in TASKS:
        load_prompt(version, task)
