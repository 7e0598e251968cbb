"""The results database of a batch: one SQLite file (WAL) in the output directory.

Why SQLite: a batch must survive Ctrl-C, crashes and ``kill -9`` without losing
a finished report, and the results must be queryable with plain SQL. Each
report is written in one transaction (its row, cells, findings and claims
appear whole or not at all), keyed by the hash of its input bytes and of the
settings that produced it, so a rerun skips what is already done.

The schema is documented in ``docs/database.md``; keep the two in step.
Only the process that runs the batch writes; workers hand results back to it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel

from extractor.errors import (
    ExtractorError,
    InputError,
    StoreError,
    WriteError,
    printable,
)
from extractor.readings import Extraction, Finding
from extractor.record import Record, flatten

DB_NAME = "results.db"
SCHEMA_VERSION = 2

# ok: extracted; partial: extracted, but a requested model engine failed on some sections
# (kept and exported, retried by a rerun); failed: nothing extracted, ``error`` says why.
ReportStatus = Literal["ok", "partial", "failed"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (
    sha256            TEXT PRIMARY KEY,
    json              TEXT NOT NULL,
    extractor_version TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    id              INTEGER PRIMARY KEY,
    started         TEXT NOT NULL,
    finished        TEXT,
    settings_sha256 TEXT NOT NULL REFERENCES settings(sha256),
    inputs          TEXT NOT NULL,
    files           INTEGER NOT NULL DEFAULT 0,
    processed       INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS reports (
    id              INTEGER PRIMARY KEY,
    path            TEXT NOT NULL,
    content_sha256  TEXT NOT NULL,
    settings_sha256 TEXT NOT NULL REFERENCES settings(sha256),
    batch_id        INTEGER REFERENCES batches(id),
    agency          TEXT,
    year            INTEGER,
    layout          TEXT,
    kind            TEXT,
    published       TEXT,
    engine          TEXT,
    model           TEXT,
    prompt_version  TEXT,
    status          TEXT NOT NULL CHECK (status IN ('ok', 'partial', 'failed')),
    error           TEXT,
    record_json     TEXT,
    seconds         REAL,
    created         TEXT NOT NULL,
    UNIQUE (content_sha256, settings_sha256)
);
CREATE INDEX IF NOT EXISTS reports_agency_year ON reports(agency, year);
CREATE TABLE IF NOT EXISTS cells (
    report_id      INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    tbl            TEXT NOT NULL,
    row_key        TEXT NOT NULL,
    col_key        TEXT NOT NULL,
    path           TEXT NOT NULL,
    value,
    engine         TEXT,
    source         TEXT,
    evidence_start INTEGER,
    evidence_end   INTEGER,
    note           TEXT,
    PRIMARY KEY (report_id, path)
);
CREATE INDEX IF NOT EXISTS cells_key ON cells(tbl, row_key, col_key);
CREATE TABLE IF NOT EXISTS findings (
    id              INTEGER PRIMARY KEY,
    report_id       INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    other_report_id INTEGER REFERENCES reports(id) ON DELETE CASCADE,
    scope           TEXT NOT NULL CHECK (scope IN ('report', 'cross_year')),
    rule            TEXT NOT NULL,
    location        TEXT NOT NULL,
    paths           TEXT NOT NULL,
    stated,
    computed,
    severity        TEXT NOT NULL,
    status          TEXT NOT NULL,
    message         TEXT NOT NULL,
    evidence        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS findings_report ON findings(report_id);
-- One row per input: its most recent result when it was extracted under several settings.
CREATE VIEW IF NOT EXISTS latest_reports AS
    SELECT * FROM reports WHERE id IN (
        SELECT id FROM (
            SELECT id, ROW_NUMBER() OVER (PARTITION BY content_sha256 ORDER BY created DESC, id DESC) AS n
            FROM reports)
        WHERE n = 1);
CREATE TABLE IF NOT EXISTS claims (
    report_id         INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
    idx               INTEGER NOT NULL,
    total_name        TEXT,
    total_value,
    total_unit        TEXT,
    parts             TEXT NOT NULL,
    complete          INTEGER NOT NULL,
    rate_name         TEXT,
    rate_percent,
    rate_numerator,
    rate_denominator,
    PRIMARY KEY (report_id, idx)
);
"""


def now_iso() -> str:
    """UTC timestamp with microseconds: orders rows and shows when a report was finished."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def split_path(path: str) -> tuple[str, str, str]:
    """``applications.denied.state_secret.total`` -> (table, row, column).

    Row keys keep their dots (``denied.state_secret``); column keys never have
    one, so the column is the last segment. A scalar such as
    ``pre2019.proactive_items`` has the empty string as its column.
    """
    table, _, rest = path.partition(".")
    if "." in rest:
        row, _, col = rest.rpartition(".")
        return table, row, col
    return table, rest, ""


class StoredReport(BaseModel):
    """One row of ``reports``, with its extraction parsed back when it succeeded."""

    id: int
    path: str
    content_sha256: str
    settings_sha256: str
    batch_id: int | None = None
    agency: str | None = None
    year: int | None = None
    layout: str | None = None
    kind: str | None = None
    published: str | None = None
    engine: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    status: ReportStatus
    error: str | None = None
    seconds: float | None = None
    created: str
    extraction: Extraction | None = None


class StoredFinding(BaseModel):
    """One row of ``findings``: a ``Finding`` plus the report(s) it is about."""

    id: int
    report_id: int
    other_report_id: int | None = None
    scope: Literal["report", "cross_year"]
    finding: Finding


class ResultsDB:
    """A results database; use as a context manager so the connection is closed.

    Opened for writing by a batch (schema created or migrated); opened
    read-only (``readonly=True``, what ``open_existing`` does) by ``export``
    and ``check --across``, so an archived database on a read-only disk, or
    one another batch is writing, can still be read. Either way the file is
    first checked with ``PRAGMA quick_check``: a damaged database is one line
    saying what to do (``StoreError``), never a traceback halfway through.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        shown = printable(self.path)
        try:
            if readonly:
                self.conn = _connect_readonly(self.path)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except OSError as exc:
            raise WriteError(
                f"cannot create {shown} ({exc.strerror or exc}): choose a writable --out directory."
            ) from None
        except sqlite3.Error as exc:
            if "unable to open" not in str(exc):
                raise store_error(exc, self.path) from None
            if readonly:
                raise InputError(f"cannot open {shown} ({exc}): check that it can be read.") from None
            raise WriteError(f"cannot create {shown} ({exc}): choose a writable --out directory.") from None
        self.conn.row_factory = sqlite3.Row
        try:
            if not readonly:
                self.conn.execute("PRAGMA journal_mode=WAL")
                # NORMAL in WAL mode: a committed report survives a crash or kill -9 of this process.
                self.conn.execute("PRAGMA synchronous=NORMAL")
                self.conn.execute("PRAGMA foreign_keys=ON")
            self._verify()
            if readonly:
                self._check_version()
            else:
                self._migrate()
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise store_error(exc, self.path) from None
        except ExtractorError:
            self.conn.close()
            raise

    @classmethod
    def open_existing(cls, path: str | Path, *, readonly: bool = True) -> ResultsDB:
        """Open the database of an output directory (or the file itself) to read; a user error if absent."""
        path = Path(path)
        db_path = path / DB_NAME if path.is_dir() else path
        if not db_path.is_file():
            raise InputError(
                f"no results database at {printable(db_path)}: "
                f"run `extractor extract FILES... --out {printable(path)}` first."
            )
        return cls(db_path, readonly=readonly)

    def _verify(self) -> None:
        """A one-line ``StoreError`` when the file is not a sound SQLite database (quick_check: seconds per GB)."""
        rows = self.conn.execute("PRAGMA quick_check(3)").fetchall()
        problems = [r[0] for r in rows if r[0] != "ok"]
        if problems:
            raise StoreError(
                f"{printable(self.path)} is damaged (sqlite quick_check: {problems[0]}): "
                "move it aside and run the batch again into a new --out (or restore a copy); "
                "`sqlite3 FILE .recover` can save what is readable."
            )

    def __enter__(self) -> ResultsDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.conn.close()

    # ------------------------------------------------------------ schema
    def _migrate(self) -> None:
        with self._transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            row = self.conn.execute("SELECT value FROM schema_info WHERE key = 'version'").fetchone()
            if row is None:
                self.conn.execute("INSERT INTO schema_info VALUES ('version', ?)", (str(SCHEMA_VERSION),))
            elif int(row["value"]) != SCHEMA_VERSION:
                raise InputError(
                    f"{self.path} has results schema {row['value']}, this extractor writes {SCHEMA_VERSION}: "
                    "use a new --out directory."
                )

    def _check_version(self) -> None:
        """What ``_migrate`` checks, without writing: the file holds this extractor's schema."""
        try:
            row = self.conn.execute("SELECT value FROM schema_info WHERE key = 'version'").fetchone()
        except sqlite3.OperationalError:
            row = None
        if row is None:
            raise InputError(f"{printable(self.path)} is not a results database (no schema_info); check the path.")
        if int(row["value"]) != SCHEMA_VERSION:
            raise InputError(
                f"{printable(self.path)} has results schema {row['value']}, this extractor reads {SCHEMA_VERSION}: "
                "export it with the extractor version that wrote it."
            )

    def _transaction(self) -> _Transaction:
        return _Transaction(self.conn)

    # ------------------------------------------------------------ settings and batches
    def save_settings(self, sha256: str, settings_json: str, version: str) -> None:
        with self._transaction():
            self.conn.execute(
                "INSERT OR IGNORE INTO settings (sha256, json, extractor_version) VALUES (?, ?, ?)",
                (sha256, settings_json, version),
            )

    def start_batch(self, settings_sha256: str, inputs: list[str], files: int) -> int:
        with self._transaction():
            cur = self.conn.execute(
                "INSERT INTO batches (started, settings_sha256, inputs, files) VALUES (?, ?, ?, ?)",
                (now_iso(), settings_sha256, json.dumps(inputs, ensure_ascii=False), files),
            )
            return int(cur.lastrowid or 0)

    def finish_batch(self, batch_id: int, processed: int, skipped: int, failed: int, complete: bool = True) -> None:
        """Record a batch's counts; ``finished`` stays NULL unless it went through every input."""
        with self._transaction():
            self.conn.execute(
                "UPDATE batches SET finished = ?, processed = ?, skipped = ?, failed = ? WHERE id = ?",
                (now_iso() if complete else None, processed, skipped, failed, batch_id),
            )

    # ------------------------------------------------------------ reports
    def finished_hashes(self, settings_sha256: str) -> set[str]:
        """Content hashes already extracted successfully with these settings (what a rerun skips)."""
        rows = self.conn.execute(
            "SELECT content_sha256 FROM reports WHERE settings_sha256 = ? AND status = 'ok'", (settings_sha256,)
        )
        return {r[0] for r in rows}

    def save_report(
        self,
        *,
        path: str,
        content_sha256: str,
        settings_sha256: str,
        extraction: Extraction | None = None,
        error: str | None = None,
        partial: bool = False,
        engine: str | None = None,
        batch_id: int | None = None,
        seconds: float | None = None,
    ) -> int:
        """Store one report's result in one transaction and return its id.

        Without an extraction the report failed and ``error`` says why; with
        one and ``partial`` set, ``error`` says which sections the model
        failed on. A previous row for the same input and settings (a failure
        being retried) is replaced, with everything that hangs off it.
        """
        if (extraction is None and error is None) or (extraction is None and partial):
            raise ValueError("save_report needs an extraction, or an error for a failed report")
        status: ReportStatus = "failed" if extraction is None else "partial" if partial else "ok"
        meta = extraction.record.meta if extraction else None
        run = extraction.run if extraction else None
        with self._transaction():
            self.conn.execute(
                "DELETE FROM reports WHERE content_sha256 = ? AND settings_sha256 = ?",
                (content_sha256, settings_sha256),
            )
            cur = self.conn.execute(
                """INSERT INTO reports (path, content_sha256, settings_sha256, batch_id, agency, year, layout,
                       kind, published, engine, model, prompt_version, status, error, record_json, seconds, created)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    path,
                    content_sha256,
                    settings_sha256,
                    batch_id,
                    meta.agency if meta else None,
                    meta.year if meta else None,
                    meta.layout if meta else None,
                    meta.kind if meta else None,
                    meta.published if meta else None,
                    "+".join(run.engines) if run else engine,
                    run.model if run else None,
                    run.prompt_version if run else None,
                    status,
                    error,
                    json.dumps(extraction.to_json_dict(), ensure_ascii=False) if extraction else None,
                    seconds,
                    now_iso(),
                ),
            )
            report_id = int(cur.lastrowid or 0)
            if extraction is not None:
                self._insert_cells(report_id, extraction)
                self._insert_findings(report_id, None, "report", extraction.findings)
                self._insert_claims(report_id, extraction.record)
        return report_id

    def _insert_cells(self, report_id: int, extraction: Extraction) -> None:
        rows = []
        for path, value in flatten(extraction.record).items():
            if path.startswith("meta."):
                continue  # meta lives in the reports row
            table, row, col = split_path(path)
            ev = extraction.evidence.get(path)
            rows.append(
                (
                    report_id, table, row, col, path, value,
                    ev.engine if ev else None,
                    ev.source if ev else None,
                    ev.span.start if ev and ev.span else None,
                    ev.span.end if ev and ev.span else None,
                    ev.note if ev else None,
                )
            )
        self.conn.executemany("INSERT INTO cells VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def _insert_findings(
        self, report_id: int, other_report_id: int | None, scope: str, findings: Iterable[Finding]
    ) -> None:
        self.conn.executemany(
            """INSERT INTO findings (report_id, other_report_id, scope, rule, location, paths, stated, computed,
                   severity, status, message, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [
                (
                    report_id, other_report_id, scope, f.rule, f.where,
                    json.dumps(f.paths, ensure_ascii=False), f.stated, f.computed, f.severity, f.status,
                    f.message, json.dumps([s.model_dump() for s in f.evidence]),
                )
                for f in findings
            ],
        )

    def _insert_claims(self, report_id: int, record: Record) -> None:
        self.conn.executemany(
            "INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    report_id, i,
                    c.total.name if c.total else None,
                    c.total.value if c.total else None,
                    c.total.unit if c.total else None,
                    json.dumps([p.model_dump() for p in c.parts], ensure_ascii=False),
                    int(c.complete),
                    c.rate.name if c.rate else None,
                    c.rate.percent if c.rate else None,
                    c.rate.numerator if c.rate else None,
                    c.rate.denominator if c.rate else None,
                )
                for i, c in enumerate(record.claims)
            ],
        )

    def _select(self, columns: str, status: ReportStatus | None, latest_only: bool) -> Iterator[sqlite3.Row]:
        sql = f"SELECT {columns} FROM {'latest_reports' if latest_only else 'reports'}"
        params: list[Any] = []
        if status is not None:
            sql += " WHERE status = ?"
            params.append(status)
        return self.conn.execute(sql + " ORDER BY id", params)

    def iter_reports(self, status: ReportStatus | None = None, latest_only: bool = True) -> Iterator[StoredReport]:
        """Stored reports in id order, one at a time (a batch's results need not fit in memory).

        With ``latest_only`` an input extracted under several settings appears
        once, with its most recent result (view ``latest_reports``): what
        exports and cross-year checks use.
        """
        for row in self._select("*", status, latest_only):
            yield self._stored(row)

    def reports(self, status: ReportStatus | None = None, latest_only: bool = True) -> list[StoredReport]:
        """``iter_reports`` as a list."""
        return list(self.iter_reports(status, latest_only))

    def records(self, latest_only: bool = True) -> Iterator[tuple[int, str, Record]]:
        """(id, path, record) of every extracted report: the record only, without validating its evidence."""
        fields = set(Record.model_fields)
        for row in self._select("id, path, record_json", None, latest_only):
            if row["record_json"]:
                data = json.loads(row["record_json"])
                yield row["id"], row["path"], Record.model_validate({k: v for k, v in data.items() if k in fields})

    @staticmethod
    def _stored(row: sqlite3.Row) -> StoredReport:
        data = dict(row)
        record_json = data.pop("record_json")
        extraction = Extraction.from_json_dict(json.loads(record_json)) if record_json else None
        return StoredReport(**data, extraction=extraction)

    # ------------------------------------------------------------ findings
    def replace_cross_year_findings(self, items: Iterable[tuple[int, int, Finding]]) -> int:
        """Replace every cross-year finding with ``(previous_id, current_id, finding)`` items.

        Cross-year findings depend on the whole set of reports, so they are
        recomputed together and swapped in one transaction.
        """
        items = list(items)
        with self._transaction():
            self.conn.execute("DELETE FROM findings WHERE scope = 'cross_year'")
            for prev_id, cur_id, finding in items:
                self._insert_findings(cur_id, prev_id, "cross_year", [finding])
        return len(items)

    def findings(self, report_ids: Iterable[int] | None = None) -> list[StoredFinding]:
        rows = self.conn.execute("SELECT * FROM findings ORDER BY report_id, id").fetchall()
        wanted = set(report_ids) if report_ids is not None else None
        out = []
        for r in rows:
            if wanted is not None and r["report_id"] not in wanted:
                continue
            finding = Finding(
                rule=r["rule"], where=r["location"], paths=json.loads(r["paths"]), stated=r["stated"],
                computed=r["computed"], severity=r["severity"], status=r["status"], message=r["message"],
                evidence=json.loads(r["evidence"]),
            )
            out.append(
                StoredFinding(
                    id=r["id"], report_id=r["report_id"], other_report_id=r["other_report_id"],
                    scope=r["scope"], finding=finding,
                )
            )
        return out

    def query(self, sql: str, params: Iterable[Any] = ()) -> Iterator[sqlite3.Row]:
        """Run a read-only query (docs examples, tests)."""
        return iter(self.conn.execute(sql, tuple(params)).fetchall())


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection that never writes beside the file.

    ``mode=ro`` still needs to create the WAL index (``-shm``) when the
    directory allows it; on a read-only disk, or a database file that is
    read-only and has no index beside it, the file is opened ``immutable``
    (SQLite then reads it as a plain file and takes no locks).
    """
    uri = f"file:{quote(str(path.resolve()))}"
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30, isolation_level=None)
    try:
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        conn.close()
        if "unable to open" not in str(exc) and "readonly" not in str(exc) and "read-only" not in str(exc):
            raise
    return sqlite3.connect(f"{uri}?immutable=1", uri=True, timeout=30, isolation_level=None)


def store_error(exc: sqlite3.Error, path: Path) -> ExtractorError:
    """One line for a SQLite error on a results database: corrupted, locked, full or read-only."""
    shown = printable(path)
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(f"{shown} is locked by another program; wait for it to finish, or close it.")
    if "disk is full" in text or "database or disk is full" in text:
        return WriteError(f"{shown}: the disk (or the database) is full; free some space and run the command again.")
    if "readonly" in text or "read-only" in text:
        return WriteError(f"{shown} is read-only; give a writable --out directory.")
    if "file is not a database" in text:
        return InputError(f"{shown} is not a results database ({text}); use a new --out directory.")
    if "malformed" in text or "corrupt" in text:
        return StoreError(
            f"{shown} is damaged ({text}): move it aside and run the batch again into a new --out "
            "(or restore a copy); `sqlite3 FILE .recover` can save what is readable."
        )
    return StoreError(f"{shown} cannot be used as a results database ({text}); use a new --out directory.")


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT`` (or ``ROLLBACK`` on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
