"""Bounds on the work one input may cause: its size, its kind of file, what it inflates to, time and memory.

Why: a hostile or broken input must not take the machine (or a batch) down
with it. A DOCX whose XML inflates to 200 MB ran past 400 s at 7.6 GB; a PDF
with one 100 MB stream past 300 s; ``/dev/zero`` read until MemoryError and a
FIFO named ``.txt`` blocked forever. Every input is therefore checked before
any parser sees it:

- it must be a regular file (not a FIFO, device, socket or directory);
- its size must be at most ``max_size`` (``--max-size``, default 10 MB: 25
  times the largest report of the eval set; a 50 MB text is refused);
- a DOCX's parts may inflate to at most ``INFLATION`` × ``max_size`` in total,
  and a PDF's compressed streams likewise (measured by inflating them in
  chunks, never holding more than one chunk);

and a batch runs each report in a worker process that is killed when it runs
past ``timeout`` (``--timeout``, default 120 s) or is stopped by the kernel
when it allocates more than ``worker_memory`` (an address-space limit set in
the worker, default ``DEFAULT_WORKER_MEMORY_MB`` MB, less when the machine's
memory shared by the workers is smaller). Measured: the reader needs about
75 bytes of memory and 3 ms per byte of text, so a 10 MB text takes about 30 s
and 0.8 GB (``benchmarks/bench_memory.py``).

The bounds in force are module state (``configure`` / ``current``) so that the
loader's checks need no extra argument on every call; a batch sets them before
its workers start, and the workers inherit them.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import stat
import threading
import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

from pydantic import BaseModel, Field

from extractor.errors import InputError, printable

MB = 1000 * 1000  # decimal, as people and `ls -h --si` count
DEFAULT_MAX_SIZE_MB = 10.0
DEFAULT_TIMEOUT_S = 120.0
DEFAULT_WORKER_MEMORY_MB = 4096
INFLATION = 4  # a DOCX's XML or a PDF's streams may inflate to this many times --max-size
_CHUNK = 1 * MB


class Limits(BaseModel):
    """The bounds in force (runtime only: they never change a result, so they are not in the settings hash)."""

    max_size_mb: float = Field(default=DEFAULT_MAX_SIZE_MB, gt=0)
    timeout_s: float | None = Field(default=DEFAULT_TIMEOUT_S, gt=0)  # None: no limit
    worker_memory_mb: int | None = Field(default=DEFAULT_WORKER_MEMORY_MB, gt=0)  # None: no limit

    @property
    def max_size(self) -> int:
        return int(self.max_size_mb * MB)

    @property
    def max_inflated(self) -> int:
        return INFLATION * self.max_size


_current = Limits()


def configure(limits: Limits) -> None:
    """Set the bounds for this process (and the worker processes it starts afterwards)."""
    global _current
    _current = limits


def current() -> Limits:
    return _current


def _mb(n: float) -> str:
    if n >= 10 * MB:
        return f"{n / MB:.0f} MB"
    return f"{n / MB:.1f} MB" if n >= MB / 10 else f"{n / 1000:.1f} kB"


def too_big(name: str, what: str, size: float | None, limit: float) -> InputError:
    """The one-line refusal: what is too big, the limit, and the option that moves it."""
    over = f"more than the limit of {_mb(limit)}"
    amount = f"{_mb(size)}, {over}" if size is not None else over
    return InputError(
        f"{printable(name)}: {what} {amount}; "
        f"if it really is a report, raise --max-size (now {_current.max_size_mb:g} MB)."
    )


# ---------------------------------------------------------------- the file itself
def check_input_file(path: Path) -> int:
    """The size of ``path`` if it may be read as a report; ``InputError`` if it is not a regular file or too big."""
    try:
        st = path.stat()
    except OSError as exc:
        why = exc.strerror or exc
        raise InputError(f"{printable(path)}: cannot be read ({why}); check the path and its permissions.") from None
    mode = st.st_mode
    if not stat.S_ISREG(mode):
        kind = (
            "a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a directory" if stat.S_ISDIR(mode) else "not a regular file"
        )
        raise InputError(f"{printable(path)} is {kind}, not a regular file; give a report file.")
    if st.st_size > _current.max_size:
        raise too_big(str(path), "the file has", st.st_size, _current.max_size)
    return st.st_size


def read_input(path: Path) -> bytes:
    """The bytes of a report file, refused before reading when it is not a regular file or over ``max_size``.

    Reads at most ``max_size`` + 1 bytes, so a file that grows while it is read
    (or lies about its size) is still bounded. ``PermissionError`` and the
    like become ``InputError`` (exit 3).
    """
    check_input_file(path)
    limit = _current.max_size
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise InputError(f"{printable(path)}: cannot be read ({exc.strerror or exc}); check its permissions.") from None
    if len(data) > limit:
        raise too_big(str(path), "the file has", None, limit)
    return data


# ---------------------------------------------------------------- what a package inflates to
def check_docx(data: bytes, name: str) -> None:
    """Refuse a DOCX whose parts would inflate past ``max_inflated`` (a zip bomb, or XML padded with junk).

    The sizes come from the ZIP directory; a part whose real content is longer
    than its directory entry says fails python-docx's CRC check anyway.
    """
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a ZIP at all: the DOCX reader says so in its own words
    if total > _current.max_inflated:
        raise too_big(name, "the DOCX inflates to", total, _current.max_inflated)


_STREAM = re.compile(rb"stream\r?\n")
_FLATE = re.compile(rb"/FlateDecode|/Fl\b")


def check_pdf(data: bytes, name: str) -> None:
    """Refuse a PDF whose compressed streams inflate past ``max_inflated`` in total.

    Each Flate stream found after a ``stream`` keyword is inflated in chunks of
    at most 1 MB and only counted, so checking never holds the inflated data.
    """
    limit = _current.max_inflated
    total = 0
    pos = 0
    while True:
        m = _STREAM.search(data, pos)
        if m is None:
            return
        start = m.end()
        end = data.find(b"endstream", start)
        end = len(data) if end < 0 else end
        pos = end + len(b"endstream")
        if not _FLATE.search(data, max(0, m.start() - 512), m.start()):
            total += end - start
        else:
            inflater = zlib.decompressobj()
            chunk = data[start:end]
            try:
                while chunk and not inflater.eof:
                    out = inflater.decompress(chunk, _CHUNK)
                    total += len(out)
                    if total > limit or (not out and inflater.unconsumed_tail == chunk):
                        break  # over the bound, or no progress (a truncated stream)
                    chunk = inflater.unconsumed_tail
            except zlib.error:
                pass  # a damaged stream: pdfminer decides what to make of it
        if total > limit:
            raise too_big(name, "the PDF's streams inflate to", None, limit)


# ---------------------------------------------------------------- workers
def cpu_count() -> int:
    """Cores this process may use (the affinity mask, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def total_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def worker_memory(limits: Limits, workers: int) -> int | None:
    """Bytes of address space each of ``workers`` worker processes may take: the limit, shared fairly
    so that the workers together keep to 80 % of the machine's memory."""
    if limits.worker_memory_mb is None:
        return None
    limit = limits.worker_memory_mb * MB
    machine = total_memory()
    if machine:
        limit = min(limit, int(machine * 0.8 / max(1, workers)))
    return max(limit, 512 * MB)


@contextlib.contextmanager
def memory_limit(limit: int | None) -> Iterator[None]:
    """``apply_worker_memory`` for the length of a block, then the previous limit again (the soft limit
    can be raised back up to the hard one), so a caller in the same process is not left bounded."""
    try:
        import resource

        previous = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, ValueError, OSError):
        yield
        return
    apply_worker_memory(limit)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, previous)


def apply_worker_memory(limit: int | None) -> None:
    """Set this process's address-space limit (in a worker: a runaway parse then fails with MemoryError)."""
    if limit is None:
        return
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        new = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (new, hard))
    except (ImportError, ValueError, OSError):
        pass


_ALARM_REPEAT_S = 0.1


@contextlib.contextmanager
def time_limit(seconds: float | None, path: Path) -> Iterator[None]:
    """Raise ``InputError`` in this (main) thread when the block runs past ``seconds`` (SIGALRM).

    After the first alarm it rings again every tenth of a second until the block
    ends: an exception raised while Python runs a finalizer or a gc callback is
    printed and dropped ("Exception ignored in …"), and one lost alarm must not
    let a hanging report run for ever.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise InputError(
            f"{printable(path)}: took longer than --timeout {seconds:g} s and was stopped; "
            "if it really is a report, run it again with a larger --timeout."
        )

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, _ALARM_REPEAT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
