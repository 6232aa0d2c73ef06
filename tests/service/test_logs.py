"""Log lines: JSON objects with the context's ids; a job's worker lines carry its id."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from service.datasets import Dataset
from service.db import Database
from service.jobs import store
from service.jobs.worker import Worker
from service.logs import JsonFormatter, TextFormatter, bound, job_id_var, request_id_var
from service.settings import Settings
from tests.service.logcapture import json_lines


def record(message: str, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("service.test", logging.WARNING, __file__, 1, message, (), None)
    made.__dict__.update(extra)
    return made


def test_json_line_holds_the_context_ids_and_escapes_what_utf8_cannot_carry() -> None:
    with bound(request_id_var, "r1"):
        line = JsonFormatter().format(record("text \ud800\n", status=201))
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "text \ud800\n" and parsed["request_id"] == "r1"
    assert parsed["status"] == 201 and parsed["level"] == "WARNING" and "job_id" not in parsed
    line.encode("utf-8")


def test_text_line_appends_the_ids() -> None:
    with bound(job_id_var, "j1"):
        assert TextFormatter().format(record("done")).endswith("service.test: done job_id=j1")
    assert request_id_var.get() is None and job_id_var.get() is None


def test_worker_log_lines_carry_the_job_id(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    db = Database.connect(settings.resolved_database_url())
    db.init_db()
    try:
        with db.session() as session:
            session.add(
                Dataset(id="d1", task="squad", filename="f.json", sha256="0" * 64, size_bytes=1, examples=1)
            )
            session.flush()
            job_id = store.create_job(session, {"not": "a job request"}, "d1", [], 1).id
        with json_lines("service.jobs.worker") as lines:
            assert Worker(db, settings, "w1").run_once()
    finally:
        db.dispose()
    assert len(lines) >= 2 and all(line["job_id"] == job_id for line in lines)
    assert any("failed" in line["message"] for line in lines)
