"""Safe file writes: a reader sees the old file or the whole new one, never half of it.

A regular file (or a new one) is written to a temporary file beside it and
renamed over it, so a crash or ``kill -9`` in the middle of writing leaves only
a stray temporary file (named ``.<name>.*.tmp``), never a truncated output.

Only regular files are replaced that way. A symlink is followed (its target is
written, the link stays a link); a device or a FIFO (``-o /dev/stdout``,
``/dev/null``, a named pipe) is opened and written in place, never replaced by
a regular file — as root, renaming over ``/dev/null`` would break it for the
whole system. A directory is refused.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from extractor.errors import ExitCode, ExtractorError, WriteError, printable

# errno values that mean "this output cannot be written here": disk full, quota, too big, read-only
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})


@contextlib.contextmanager
def _as_write_error(target: Path) -> Iterator[None]:
    """A full disk or a read-only place while writing ``target`` becomes one line naming it."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in WRITE_ERRNOS:
            raise
        raise WriteError(
            f"cannot write {printable(target)}: {exc.strerror or exc}; free some space or choose another place."
        ) from None

# mkstemp makes 0600 files; outputs should get the mode any other new file would.
_UMASK = os.umask(0)
os.umask(_UMASK)


def _resolve(target: Path) -> tuple[Path, bool]:
    """(where to write, whether it is a special file to write in place) for ``target``.

    Symlinks are followed: a link to a regular file (or a dangling one) is
    resolved so the rename happens beside the real file; a link to a device or
    pipe (``/dev/stdout`` → ``/proc/self/fd/1`` → a pipe) is opened through
    the link itself, since a pipe has no path to resolve to.
    """
    try:
        mode = target.stat().st_mode  # follows links
    except FileNotFoundError:
        return (Path(os.path.realpath(target)) if target.is_symlink() else target), False
    if stat.S_ISDIR(mode):
        raise ExtractorError(  # a mistake in the path, like a missing parent: exit 3, not a full disk
            f"cannot write {printable(target)}: it is a directory; give a file name for the output.", ExitCode.BAD_INPUT
        )
    if not stat.S_ISREG(mode):
        return target, True
    return (Path(os.path.realpath(target)) if target.is_symlink() else target), False


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success its content becomes ``target``'s.

    For writers that want a path rather than a file object (openpyxl's
    ``Workbook.save``). For a regular file the temporary file is renamed over
    the target; for a device or FIFO its bytes are copied into the target. On
    an exception the temporary file is removed and the target is left untouched.
    """
    real, special = _resolve(Path(target))
    with _as_write_error(Path(target)):
        yield from _write_through(real, special)


def _write_through(real: Path, special: bool) -> Iterator[Path]:
    if special:
        fd, tmp = tempfile.mkstemp(prefix=".extractor.", suffix=".tmp")
        os.close(fd)
        tmp_path = Path(tmp)
        try:
            yield tmp_path
            with open(tmp_path, "rb") as src, open(real, "wb") as dst:
                shutil.copyfileobj(src, dst)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
        return
    real.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        mode = real.stat().st_mode & 0o7777 if real.exists() else 0o666 & ~_UMASK
        os.chmod(tmp_path, mode)
        with open(tmp_path, "rb") as fh:  # flush the data to disk before the rename makes it visible
            os.fsync(fh.fileno())
        os.replace(tmp_path, real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def atomic_write_bytes(target: str | Path, data: bytes) -> None:
    """Write ``data`` to ``target``: atomically for a regular file, in place for a device or FIFO."""
    real, special = _resolve(Path(target))
    if special:
        with _as_write_error(Path(target)), open(real, "wb") as fh:
            fh.write(data)
        return
    with atomic_path(real) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(target: str | Path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` (UTF-8 by default); see ``atomic_write_bytes``."""
    atomic_write_bytes(target, text.encode(encoding))
