"""Running the CLI as a user meets it: through ``extractor.cli.main``, its error boundary and exit codes.

``run`` does it in this process (the library is already imported, so a call
costs only its work); ``run_process`` starts ``python -m extractor`` for what
only a process shows: signals, ``/dev/stdout``, workers outliving their parent.
Both give ``returncode``, ``stdout`` and ``stderr``, and neither sees a model
configured in the developer's environment (``run`` takes one as ``env``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from extractor.cli import main


def _model_env() -> list[str]:
    return [k for k in os.environ if k.startswith("EXTRACTOR_") or k == "OPENAI_API_KEY"]


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Done:
    """``extractor ARGS`` in this process, as ``main()`` runs it (Ctrl-C handler and working directory restored);
    ``env`` is set on top of an environment without model settings."""
    argv, here, sigint = sys.argv, Path.cwd(), signal.getsignal(signal.SIGINT)
    with CliRunner().isolation(env={**dict.fromkeys(_model_env()), **(env or {})}) as (out, err, _):
        sys.argv = ["extractor", *args]
        try:
            if cwd is not None:
                os.chdir(cwd)
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        finally:
            sys.argv = argv
            os.chdir(here)
            signal.signal(signal.SIGINT, sigint)
        sys.stdout.flush()
        sys.stderr.flush()
        return Done(code, out.getvalue().decode(), err.getvalue().decode())


def run_process(*args: str, cwd: Path | None = None, timeout: float = 60) -> Done:
    """``python -m extractor ARGS`` in a process of its own."""
    env = {k: v for k, v in os.environ.items() if k not in _model_env()}
    done = subprocess.run([sys.executable, "-m", "extractor", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout, check=False)
    return Done(done.returncode, done.stdout, done.stderr)


def one_line_error(done: Done, code: int) -> str:
    """The last stderr line, after checking the exit code and that no traceback was shown."""
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("error: "), done.stderr
    return last
