"""Hostile inputs and bad days (issue 10): bounded work, safe outputs, recoverable stores, one-line errors.

Each case is run as a user would meet it (the CLI through its entry point,
in a process of its own where signals or devices are the point) where the
point is what the user sees — one line on stderr, a documented exit code, no
traceback, within seconds — and through the library where the point is a
mechanism (limits, the worker pool, redaction).
"""

from __future__ import annotations

import io
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import zipfile
import zlib
from pathlib import Path

import batch_support as bs
import pytest
from cli_support import one_line_error, run, run_process

from extractor import limits
from extractor.atomic import atomic_write_text
from extractor.batch import LOCK_NAME, run_batch
from extractor.errors import ExitCode, InputError, WriteError, printable
from extractor.limits import Limits
from extractor.loading import load, load_bytes
from extractor.pipeline import ExtractOptions
from extractor.storage import DB_NAME, ResultsDB

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "eval" / "reports" / "hebei-gxt-2023.txt"
FEW = ["huaian-hongze-2023", "hebei-kjt-2021", "pingtan-zone-2022"]


@pytest.fixture(autouse=True)
def _default_limits() -> None:
    limits.configure(Limits())


# ---------------------------------------------------------------- outputs
def test_output_to_a_fifo_is_written_in_place_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    atomic_write_text(fifo, '{"a": 1}\n')
    reader.join(10)
    assert got == [b'{"a": 1}\n']
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_output_to_dev_null_keeps_the_device_and_dev_full_is_exit_7() -> None:
    done = run("extract", str(REPORT), "-o", "/dev/null")
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    done = run_process("extract", str(REPORT), "-o", "/dev/stdout")  # a link to a pipe here: written through the link
    assert done.returncode == 0 and '"meta"' in done.stdout, done.stderr
    last = one_line_error(run("extract", str(REPORT), "-o", "/dev/full"), ExitCode.WRITE)
    assert "/dev/full" in last and "space" in last


def test_output_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    atomic_write_text(link, "new")
    assert link.is_symlink() and target.read_text() == "new"
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "sub" / "made.json")
    atomic_write_text(dangling, "x")
    assert dangling.is_symlink() and (tmp_path / "sub" / "made.json").read_text() == "x"


def test_an_injected_enospc_is_a_write_error_and_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")

    def full(self: Path, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(WriteError, match="out.json: No space left on device"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["out.json"]


# ---------------------------------------------------------------- limits
def test_inputs_that_are_not_regular_files_are_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "report.txt"
    os.mkfifo(fifo)
    started = time.monotonic()
    assert "named pipe" in one_line_error(run("extract", str(fifo)), ExitCode.BAD_INPUT)
    assert "device" in one_line_error(run("extract", "/dev/zero"), ExitCode.BAD_INPUT)
    # in a batch the FIFO fails alone and the rest are extracted
    bs.copy_eval(tmp_path, FEW)
    done = run("extract", str(tmp_path), "--out", str(tmp_path / "out"), "--jobs", "2")
    assert done.returncode == ExitCode.PARTIAL and "report.txt" in done.stderr and "named pipe" in done.stderr
    assert time.monotonic() - started < 60


def test_a_file_over_max_size_is_refused_naming_the_option(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:  # 50 MB, sparse: refused from its size, never read
        fh.truncate(50 * limits.MB)
    last = one_line_error(run("extract", str(big)), ExitCode.BAD_INPUT)
    assert "--max-size" in last and "50 MB" in last
    small = tmp_path / "r.txt"
    small.write_bytes(REPORT.read_bytes())
    last = one_line_error(run("extract", str(small), "--max-size", "0.001"), ExitCode.BAD_INPUT)
    assert "--max-size" in last


def _docx_inflating_to(size: int) -> bytes:
    """A small DOCX whose document.xml inflates to ``size`` bytes (spaces inside one paragraph)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
        tail = b"</w:t></w:r></w:p></w:body></w:document>"
        with zf.open("word/document.xml", "w") as fh:
            fh.write(head)
            chunk = b" " * limits.MB
            for _ in range(size // limits.MB):
                fh.write(chunk)
            fh.write(tail)
    return buf.getvalue()


def _pdf_with_stream(size: int) -> bytes:
    """A small PDF with one Flate stream inflating to ``size`` bytes."""
    body = zlib.compress(b"0" * size, 9)
    return (b"%PDF-1.4\n1 0 obj\n<< /Length " + str(len(body)).encode() + b" /Filter /FlateDecode >>\nstream\n"
            + body + b"\nendstream\nendobj\ntrailer\n<< >>\n%%EOF\n")


def test_a_docx_or_pdf_that_inflates_past_the_bound_is_refused_quickly(tmp_path: Path) -> None:
    docx = _docx_inflating_to(200 * limits.MB)
    pdf = _pdf_with_stream(100 * limits.MB)
    assert len(docx) < limits.MB and len(pdf) < limits.MB  # small files…
    for name, data in (("bomb.docx", docx), ("bomb.pdf", pdf)):
        (tmp_path / name).write_bytes(data)
        started = time.monotonic()
        last = one_line_error(run("extract", str(tmp_path / name)), ExitCode.BAD_INPUT)
        assert "inflate" in last and "--max-size" in last and name in last
        assert time.monotonic() - started < 30
    # within the bound, the same kind of file goes on to the real reader
    limits.check_docx(_docx_inflating_to(2 * limits.MB), "ok.docx")
    limits.check_pdf(_pdf_with_stream(2 * limits.MB), "ok.pdf")


def test_a_report_past_the_timeout_is_killed_and_recorded_failed(tmp_path: Path) -> None:
    bs.copy_eval(tmp_path / "in", FEW)
    (tmp_path / "in" / "slow.txt").write_text("hangs", encoding="utf-8")
    started = time.monotonic()
    summary = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=2, work=bs.work_slow,
                        limits=Limits(timeout_s=1.5))
    assert time.monotonic() - started < 20
    assert [Path(f.path).name for f in summary.failures] == ["slow.txt"]
    assert "--timeout 1.5 s" in (summary.failures[0].error or "")
    assert summary.extracted == len(FEW)
    with ResultsDB(tmp_path / "out" / DB_NAME) as db:
        (failed,) = db.reports(status="failed")
    assert "--timeout" in (failed.error or "")


def test_a_worker_that_takes_too_much_memory_fails_alone(tmp_path: Path) -> None:
    bs.copy_eval(tmp_path / "in", FEW)
    (tmp_path / "in" / "hog.txt").write_text("greedy", encoding="utf-8")
    summary = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=2, work=bs.work_hog,
                        limits=Limits(worker_memory_mb=1500))
    assert [Path(f.path).name for f in summary.failures] == ["hog.txt"]
    assert "memory" in (summary.failures[0].error or "")
    assert summary.extracted == len(FEW)


def test_jobs_are_capped_at_the_cores(tmp_path: Path) -> None:
    bs.copy_eval(tmp_path / "in", FEW)
    notes: list[str] = []
    summary = run_batch([tmp_path / "in"], tmp_path / "out", ExtractOptions(), jobs=128, work=bs.work_gold,
                        notice=notes.append)
    assert summary.ok and summary.extracted == len(FEW)
    assert notes and f"lowered to {limits.cpu_count()}" in notes[0]


# ---------------------------------------------------------------- interrupts
def _slow_input(dest: Path) -> Path:
    """A real report file the reader takes many seconds over (about 5 MB of report text)."""
    text = "\n".join(load(p).text for p in sorted((ROOT / "eval" / "reports").glob("*.txt")))
    target = dest / "aaa-slow.txt"
    target.write_text(text * (1_700_000 // len(text) + 1), encoding="utf-8")
    return target


def _start_batch(inputs: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "extractor", "extract", str(inputs), "--out", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def _reports_in(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(con.execute("SELECT COUNT(*) FROM reports").fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize("presses", [1, 2])
def test_ctrl_c_stops_a_batch_within_seconds_while_a_slow_report_runs(tmp_path: Path, presses: int) -> None:
    inputs = tmp_path / "in"
    bs.copy_eval(inputs, FEW)
    _slow_input(inputs)
    out = tmp_path / "out"
    proc = _start_batch(inputs, out)
    deadline = time.monotonic() + 60
    while _reports_in(out / DB_NAME) < len(FEW):  # the small ones are done; the slow one is running
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    pressed = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    if presses == 2:
        time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=15)
        assert time.monotonic() - pressed < 8, "Ctrl-C took too long"
        assert proc.returncode == ExitCode.INTERRUPTED, err.decode()
        assert b"Traceback" not in err
        assert bs.group_gone(proc.pid, within=3), "worker processes outlived the batch"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    assert _reports_in(out / DB_NAME) == len(FEW)  # finished reports kept


# ---------------------------------------------------------------- stores
def test_two_batches_on_one_out_both_finish(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    files = bs.copy_eval(inputs, copies=2)
    out = tmp_path / "out"
    first = _start_batch(inputs, out)
    while not (out / LOCK_NAME).exists():
        time.sleep(0.02)
    time.sleep(0.3)
    second = _start_batch(inputs, out)
    err1 = first.communicate(timeout=300)[1].decode()
    err2 = second.communicate(timeout=300)[1].decode()
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert "Traceback" not in err1 + err2
    assert "waiting for it to finish" in err2
    assert f"{len(files)} already done" in " ".join(err2.split())  # the second only skipped
    with ResultsDB(out / DB_NAME) as db:
        assert len(db.reports()) == len(files)


def _gold_db(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    return bs.build_gold_db(out / DB_NAME)


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True, check=False).returncode == 0


@pytest.fixture
def read_only_dir(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A directory on a read-only bind mount (root ignores file modes, so chmod would prove nothing)."""
    src, ro = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    ro.mkdir()
    if not _mount("--bind", str(src), str(ro)):
        pytest.skip("cannot bind-mount here (needs root)")
    if not _mount("-o", "remount,bind,ro", str(ro)):
        _mount_cleanup(ro)
        pytest.skip("cannot remount read-only here")
    yield src, ro
    _mount_cleanup(ro)


def _mount_cleanup(path: Path) -> None:
    subprocess.run(["umount", str(path)], capture_output=True, check=False)


def test_a_read_only_results_database_is_exported_and_checked(read_only_dir: tuple[Path, Path]) -> None:
    src, ro = read_only_dir
    _gold_db(src / "out")
    with pytest.raises(OSError):
        (ro / "out" / "probe").write_text("x")  # really read-only, even for root
    done = run("export", str(ro / "out"), "--format", "csv", "-o", "-")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") > 10
    done = run("check", "--across", str(ro / "out"))
    assert done.returncode in (0, 5) and "Traceback" not in done.stderr, done.stderr
    # and a batch into a read-only empty --out is one line, exit 7
    (src / "empty").mkdir()
    last = one_line_error(run("extract", str(REPORT), str(REPORT.with_name("hebei-gxt-2021.txt")), "--out", str(ro / "empty")),
                           ExitCode.WRITE)
    assert "read-only" in last.lower() and "--out" in last


def test_a_smashed_results_database_is_one_line_exit_8(tmp_path: Path) -> None:
    db = _gold_db(tmp_path / "out")
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(db.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, 5 * page):  # scribble over every fifth page's header
        data[offset:offset + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))
    for args in (["export", str(tmp_path / "out"), "-f", "jsonl", "-o", "-"], ["check", "--across", str(tmp_path / "out")]):
        last = one_line_error(run(*args), ExitCode.STORE)
        assert "damaged" in last and "new --out" in last


def test_a_full_disk_under_the_results_database_is_one_line_exit_7(tmp_path: Path) -> None:
    mnt = tmp_path / "small"
    mnt.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=300k", "tmpfs", str(mnt)):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        bs.copy_eval(tmp_path / "in", copies=1)
        done = run("extract", str(tmp_path / "in"), "--out", str(mnt / "out"))
        last = one_line_error(done, ExitCode.WRITE)
        assert "full" in last
    finally:
        _mount_cleanup(mnt)


def test_a_damaged_answer_cache_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    from extractor.llm.cache import AnswerCache, CachedAnswer

    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    (cache_dir / "cache.db").write_bytes(os.urandom(64 * 1024))
    done = run_process("cache", "stats", "--cache-dir", str(cache_dir), "--json")  # the warning is logged: a process shows it
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("\n") == 1 and "damaged" in done.stderr and "Traceback" not in done.stderr
    assert any(p.name.startswith("cache.db.damaged-") for p in cache_dir.iterdir())
    cache = AnswerCache(cache_dir)
    try:
        cache.put("k", CachedAnswer.model_validate({"answer": {"x": 1}, "prompt_version": "v2"}))
        assert cache.get("k") is not None
    finally:
        cache.close()


# ---------------------------------------------------------------- names, encodings, secrets
def test_file_names_with_control_characters_are_printed_escaped(tmp_path: Path) -> None:
    evil = tmp_path / "in" / "x\x1b]0;pwned\x07.txt"
    evil.parent.mkdir()
    evil.write_bytes(b"not a report at all")
    done = run("extract", str(evil.parent), "--out", str(tmp_path / "out"))
    assert done.returncode == ExitCode.PARTIAL, done.stderr
    assert "\x1b" not in done.stderr and "\x07" not in done.stderr
    assert "x\\x1b]0;pwned\\x07.txt" in done.stderr
    assert printable("a\nb") == "a\\nb"


def test_big5_text_is_refused_not_read_as_gb18030_garbage() -> None:
    text = ("政府資訊公開工作年度報告。本年度共收到政府資訊公開申請一百件，其中已辦結的有九十件，"
            "依法主動公開政府資訊三百條。行政複議和行政訴訟的情況如下，均在法定期限內予以答覆。") * 3
    with pytest.raises(InputError, match="Big5"):
        load_bytes(text.encode("big5"), "report.txt")
    simplified = "政府信息公开工作年度报告。本年度共收到政府信息公开申请一百件，其中已办结的有九十件。" * 3
    assert "政府信息公开" in load_bytes(simplified.encode("gb18030"), "report.txt").text


def test_unreadable_folders_and_broken_links_in_a_batch_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = tmp_path / "in"
    bs.copy_eval(inputs, FEW)
    (inputs / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    locked = inputs / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: object = ".") -> object:  # root reads any folder: deny this one the way the kernel would
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", scandir)
    summary = run_batch([inputs], tmp_path / "out", ExtractOptions(), jobs=1, work=bs.work_gold)
    reasons = {Path(f.path).name: f.error or "" for f in summary.failures}
    assert "broken symbolic link" in reasons["gone.txt"]
    assert "Permission denied" in reasons["locked"]
    assert summary.extracted == len(FEW)


def test_an_unreadable_file_is_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.txt"
    path.write_bytes(REPORT.read_bytes())
    real_open = open

    def deny(file: object, *args: object, **kwargs: object) -> object:
        if Path(str(file)) == path:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(InputError, match="Permission denied") as err:
        load(path)
    assert err.value.exit_code == ExitCode.BAD_INPUT


def test_credentials_in_the_base_url_never_reach_the_database(tmp_path: Path) -> None:
    from extractor.llm import LlmSettings

    url = "http://user:URLPASS-31337@127.0.0.1:9/v1?api-key=QUERYKEY-31337&api-version=1"
    options = ExtractOptions(engine="llm", llm=LlmSettings(model="m", base_url=url, api_key="sk-KEY-31337"))
    bs.copy_eval(tmp_path / "in", FEW[:1])
    summary = run_batch([tmp_path / "in"], tmp_path / "out", options, jobs=1, work=bs.work_echo_url, cross_year=False)
    assert summary.failures and "127.0.0.1" in (summary.failures[0].error or "")
    for written in (tmp_path / "out").iterdir():
        data = written.read_bytes()
        for secret in (b"URLPASS-31337", b"QUERYKEY-31337", b"sk-KEY-31337"):
            assert secret not in data, written
    with ResultsDB(tmp_path / "out" / DB_NAME) as db:
        (settings,) = db.query("SELECT json FROM settings")
    assert "api-version=1" in settings[0] and "***" in settings[0]


def test_a_key_with_a_trailing_newline_is_stripped_and_one_with_junk_inside_is_named() -> None:
    from extractor.errors import ModelError
    from extractor.llm import LlmSettings

    settings = LlmSettings.from_env({"EXTRACTOR_API_KEY": "sk-abc123\n", "EXTRACTOR_MODEL": "m"})
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-abc123"
    with pytest.raises(ModelError, match="EXTRACTOR_API_KEY contains spaces or control characters"):
        LlmSettings.from_env({"EXTRACTOR_API_KEY": "sk-abc\n123", "EXTRACTOR_MODEL": "m"})


def test_a_single_extract_past_the_timeout_stops_with_one_line(tmp_path: Path) -> None:
    slow = _slow_input(tmp_path)
    started = time.monotonic()
    last = one_line_error(run("extract", str(slow), "--timeout", "1"), ExitCode.BAD_INPUT)
    assert "--timeout 1 s" in last and time.monotonic() - started < 30


def test_a_timeout_dropped_inside_a_finalizer_rings_again(tmp_path: Path) -> None:
    dropped: list[InputError] = []
    started = time.monotonic()
    with pytest.raises(InputError, match="--timeout"), limits.time_limit(0.05, tmp_path / "r.txt"):
        try:
            time.sleep(5)
        except InputError as exc:  # what Python does with an exception raised inside a gc callback or __del__
            dropped.append(exc)
        time.sleep(5)
    assert len(dropped) == 1 and time.monotonic() - started < 2


def test_every_command_that_reads_a_report_takes_max_size(tmp_path: Path) -> None:
    for command in ("sections", "check", "review"):
        last = one_line_error(run(command, str(REPORT), "--max-size", "0.001", cwd=tmp_path), ExitCode.BAD_INPUT)
        assert "--max-size" in last and "1.0 kB" in last


def test_a_single_extract_in_process_leaves_the_callers_memory_limit_as_it_was(tmp_path: Path) -> None:
    import resource

    from typer.testing import CliRunner

    import extractor.cli.commands  # noqa: F401  (registers every command)
    from extractor.cli.app import app

    before = resource.getrlimit(resource.RLIMIT_AS)
    result = CliRunner().invoke(app, ["extract", str(REPORT), "-o", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # a browser started later still has room


def test_a_model_engine_report_past_the_timeout_is_recorded_failed(tmp_path: Path) -> None:
    from extractor.llm import LlmSettings

    bs.copy_eval(tmp_path / "in", FEW)
    (tmp_path / "in" / "slow.txt").write_text("hangs", encoding="utf-8")
    options = ExtractOptions(engine="llm", llm=LlmSettings(model="m", base_url="http://127.0.0.1:9/v1"))
    started = time.monotonic()
    summary = run_batch([tmp_path / "in"], tmp_path / "out", options, jobs=2, work=bs.work_slow_briefly,
                        limits=Limits(timeout_s=1), cross_year=False)
    assert time.monotonic() - started < 4  # not waiting for the abandoned thread
    assert [Path(f.path).name for f in summary.failures] == ["slow.txt"]
    assert "--timeout 1 s" in (summary.failures[0].error or "")
    assert summary.extracted == len(FEW)
