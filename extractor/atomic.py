"""Atomic file writes: a reader sees the old file or the whole new one, never half of it.

A crash or ``kill -9`` in the middle of writing leaves only a stray temporary
file beside the target (named ``.<name>.*.tmp``), never a truncated output.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

# mkstemp makes 0600 files; outputs should get the mode any other new file would.
_UMASK = os.umask(0)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's directory; on success it replaces ``target``.

    For writers that want a path rather than a file object (openpyxl's
    ``Workbook.save``). On an exception the temporary file is removed and the
    target is left untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        mode = target.stat().st_mode & 0o7777 if target.exists() else 0o666 & ~_UMASK
        os.chmod(tmp_path, mode)
        with open(tmp_path, "rb") as fh:  # flush the data to disk before the rename makes it visible
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def atomic_write_bytes(target: str | Path, data: bytes) -> None:
    """Write ``data`` to ``target`` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` atomically (UTF-8 by default)."""
    atomic_write_bytes(target, text.encode(encoding))
