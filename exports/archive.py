"""Write an export's zip: each table as CSV and JSON, then ``manifest.json`` with counts and checksums.

Rows stream from the database into the zip; nothing holds a whole table in memory. The CSV and the
JSON of a table come from one read of it (the JSON is spooled to a temporary file meanwhile), so both
hold the same rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder

from exports.tables import Table
from unison.csv_text import formula_quoted

FORMAT_VERSION = 1
CSV_NOTE = ("UTF-8, comma-separated, a header row; an empty cell is null; true/false for booleans; "
            "JSON values as JSON text; text starting with = + - @ (a spreadsheet formula) is prefixed "
            "with ' in the CSV only. The JSON file of each table holds the exact values.")
HEARTBEAT_ROWS = 5000


class _Hashing(io.RawIOBase):
    """A write-only stream that passes bytes on and keeps their SHA-256 and count."""

    def __init__(self, inner):
        self.inner, self.sha256, self.size = inner, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.sha256.update(data)
        self.size += len(data)
        self.inner.write(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.inner.close()
        super().close()

    def summary(self, path: str) -> dict:
        return {"path": path, "bytes": self.size, "sha256": self.sha256.hexdigest()}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(formula_quoted(value))


def _entry(archive: zipfile.ZipFile, path: str) -> _Hashing:
    return _Hashing(archive.open(path, "w", force_zip64=True))


def _table_write(archive: zipfile.ZipFile, table: Table, heartbeat: Callable[[], None]) -> dict:
    """Write the table's CSV and JSON into the archive; return its manifest entry."""
    csv_raw = _entry(archive, f"{table.path}.csv")
    count = 0
    with tempfile.TemporaryFile() as spool:
        json_text = io.TextIOWrapper(spool, encoding="utf-8", newline="\n")
        with io.TextIOWrapper(io.BufferedWriter(csv_raw), encoding="utf-8", newline="") as csv_text:
            writer = csv.writer(csv_text)
            writer.writerow(table.columns)
            json_text.write("[")
            for row in table.rows():
                writer.writerow([_cell(value) for value in row])
                record = json.dumps(dict(zip(table.columns, row, strict=True)), cls=DjangoJSONEncoder,
                                    ensure_ascii=False)
                json_text.write(("\n" if count == 0 else ",\n") + record)
                count += 1
                if count % HEARTBEAT_ROWS == 0:
                    heartbeat()
            json_text.write("\n]\n" if count else "]\n")
        json_text.flush()
        json_text.detach()
        spool.seek(0)
        json_raw = _entry(archive, f"{table.path}.json")
        with json_raw:
            shutil.copyfileobj(spool, json_raw, length=1024 * 1024)
    files = [csv_raw.summary(f"{table.path}.csv"), json_raw.summary(f"{table.path}.json")]
    return {"name": table.name, "section": table.section, "rows": count, "columns": list(table.columns),
            "files": files}


def archive_write(*, path: Path, tables: list[Table], head: dict,
                  progress: Callable[[int, int], None]) -> dict:
    """Write the export of ``tables`` to ``path``; call ``progress(done, total)`` as it goes; return the manifest.

    ``head`` opens the manifest (organisation, export id, schema versions, what was left out).
    """
    entries = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for done, table in enumerate(tables, start=1):
            entries.append(_table_write(archive, table, heartbeat=lambda d=done: progress(d - 1, len(tables))))
            progress(done, len(tables))
        manifest = {"format": "unison-export", "format_version": FORMAT_VERSION, **head,
                    "csv": CSV_NOTE, "tables": entries}
        archive.writestr("manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
    return manifest
