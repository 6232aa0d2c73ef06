"""The job store: leases claimed by compare-and-set, renewed, lost on expiry, never held twice."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import pytest

from service.datasets import Dataset
from service.db import Database
from service.errors import NotFoundError, ServiceError
from service.jobs import store
from service.jobs.models import Job, JobProgress
from service.tenancy import Caller

ANYONE = Caller.anonymous()
UNITS = [("squad", "es", "translate"), ("squad", "sw", "codeswitch")]


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.connect(database_url)
    database.init_db()
    with database.session() as session:
        session.add(
            Dataset(id="d1", task="squad", filename="f.json", sha256="0" * 64, size_bytes=1, examples=7)
        )
    yield database
    database.dispose()


def add_jobs(db: Database, count: int) -> list[str]:
    ids = []
    with db.session() as session:
        for i in range(count):
            ids.append(store.create_job(session, {"n": i}, "d1", UNITS, 7).id)
    return ids


def test_created_job_is_queued_with_zeroed_progress(db: Database) -> None:
    (job_id,) = add_jobs(db, 1)
    with db.session() as session:
        job = store.get_job(session, job_id, ANYONE)
        progress = store.job_progress(session, job_id)
    assert job.state == "queued" and job.attempts == 0 and job.lease_owner is None
    assert [(p.task, p.lang, p.method, p.done_rows, p.total_rows) for p in progress] == [
        ("squad", "es", "translate", 0, 7),
        ("squad", "sw", "codeswitch", 0, 7),
    ]


def test_claim_takes_oldest_queued_job_and_holds_the_lease(db: Database) -> None:
    first, second = add_jobs(db, 2)
    lease = store.claim(db, "w1", lease_seconds=30, max_attempts=3)
    assert lease is not None and lease.job_id == first and lease.attempt == 1 and lease.request == {"n": 0}
    other = store.claim(db, "w2", lease_seconds=30, max_attempts=3)
    assert other is not None and other.job_id == second
    assert store.claim(db, "w3", lease_seconds=30, max_attempts=3) is None
    with db.session() as session:
        job = session.get_one(Job, first)
        assert (job.state, job.lease_owner, job.attempts) == ("running", "w1", 1)


def test_expired_lease_is_taken_over_and_the_old_holder_is_fenced_off(db: Database) -> None:
    (job_id,) = add_jobs(db, 1)
    old = store.claim(db, "w1", lease_seconds=0.2, max_attempts=3)
    assert old is not None
    assert store.heartbeat(db, old, 0.2)
    assert store.claim(db, "w2", lease_seconds=30, max_attempts=3) is None
    time.sleep(0.3)
    new = store.claim(db, "w2", lease_seconds=30, max_attempts=3)
    assert new is not None and new.job_id == job_id and new.attempt == 2
    assert not store.heartbeat(db, old, 30)
    assert not store.record_progress(db, old, 30, UNITS[0], 3, 7, 3, 0)
    assert not store.finish(db, old, "failed", "late")
    assert store.record_progress(db, new, 30, UNITS[0], 7, 7, 6, 1)
    assert store.finish(db, new, "succeeded")
    with db.session() as session:
        job = session.get_one(Job, job_id)
        row = session.get_one(JobProgress, (job_id, *UNITS[0]))
    assert (job.state, job.error, job.lease_owner) == ("succeeded", None, "w2")
    assert (row.done_rows, row.kept, row.dropped) == (7, 6, 1)


def test_concurrent_claims_never_hand_out_a_job_twice(db: Database) -> None:
    ids = add_jobs(db, 24)
    claimed: list[tuple[str, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def work(name: str) -> None:
        start.wait()
        while (lease := store.claim(db, name, lease_seconds=60, max_attempts=3)) is not None:
            with lock:
                claimed.append((lease.job_id, name))

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counts = Counter(job_id for job_id, _ in claimed)
    assert sorted(counts) == sorted(ids)
    assert set(counts.values()) == {1}
    with db.session() as session:
        owners = {job.id: job.lease_owner for job in session.query(Job)}
        attempts = {job.attempts for job in session.query(Job)}
    assert owners == dict(claimed)
    assert attempts == {1}


def test_cancel_fences_the_worker_and_is_409_once_finished(db: Database) -> None:
    queued, running = add_jobs(db, 2)
    lease = store.claim(db, "w1", 30, 3)
    assert lease is not None and lease.job_id == queued
    with db.session() as session:
        assert store.cancel_job(session, queued, ANYONE).state == "cancelled"
        assert store.cancel_job(session, running, ANYONE).state == "cancelled"
    assert not store.heartbeat(db, lease, 30)
    assert not store.finish(db, lease, "succeeded")
    with db.session() as session, pytest.raises(ServiceError) as err:
        store.cancel_job(session, queued, ANYONE)
    assert err.value.status == 409 and "already cancelled" in err.value.message
    assert store.claim(db, "w2", 30, 3) is None
    with db.session() as session, pytest.raises(NotFoundError):
        store.cancel_job(session, "nope", ANYONE)


def test_release_puts_the_job_back_for_another_worker(db: Database) -> None:
    (job_id,) = add_jobs(db, 1)
    lease = store.claim(db, "w1", 30, 3)
    assert lease is not None and store.release(db, lease)
    again = store.claim(db, "w2", 30, 3)
    assert again is not None and again.job_id == job_id and again.attempt == 2


def test_job_whose_workers_keep_dying_is_failed(db: Database) -> None:
    (job_id,) = add_jobs(db, 1)
    for attempt in (1, 2):
        lease = store.claim(db, f"w{attempt}", 0.05, max_attempts=2)
        assert lease is not None and lease.attempt == attempt
        time.sleep(0.1)
    assert store.claim(db, "w3", 0.05, max_attempts=2) is None
    with db.session() as session:
        job = session.get_one(Job, job_id)
        assert job.state == "failed" and job.error is not None and "2 attempts" in job.error
        assert store.count_by_state(session) == {
            "queued": 0,
            "running": 0,
            "succeeded": 0,
            "failed": 1,
            "cancelled": 0,
        }


def test_list_filters_by_state_and_pages(db: Database) -> None:
    ids = add_jobs(db, 5)
    store.claim(db, "w1", 30, 3)
    with db.session() as session:
        queued, total = store.list_jobs(session, "queued", limit=2, offset=0, caller=ANYONE)
        rest, _ = store.list_jobs(session, "queued", limit=10, offset=2, caller=ANYONE)
        running, running_total = store.list_jobs(session, "running", limit=10, offset=0, caller=ANYONE)
    assert total == 4 and len(queued) == 2 and len(rest) == 2
    assert {j.id for j in queued + rest} == set(ids[1:])
    assert running_total == 1 and running[0].id == ids[0]


def test_a_key_sees_and_cancels_only_its_owners_jobs(db: Database) -> None:
    alice, bob = Caller("k1", "team-a", "write"), Caller("k2", "team-b", "write")
    with db.session() as session:
        mine = store.create_job(session, {}, "d1", UNITS, 7, owner="team-a").id
        unowned = store.create_job(session, {}, "d1", UNITS, 7).id
    with db.session() as session:
        assert [j.id for j in store.list_jobs(session, None, 10, 0, alice)[0]] == [mine]
        assert store.list_jobs(session, None, 10, 0, bob) == ([], 0)
        assert store.list_jobs(session, None, 10, 0, Caller("k3", "team-b", "admin"))[1] == 2
        for job_id in (mine, unowned):
            with pytest.raises(NotFoundError):
                store.get_job(session, job_id, bob)
            with pytest.raises(NotFoundError):
                store.cancel_job(session, job_id, bob)
        assert store.get_job(session, mine, alice).owner == "team-a"
    with db.session() as session:
        assert {j.state for j in session.query(Job)} == {"queued"}


def test_processes_starting_together_create_the_tables_once(database_url: str) -> None:
    url = database_url
    start = threading.Barrier(8)
    errors: list[Exception] = []

    def init() -> None:
        database = Database.connect(url)
        start.wait()
        try:
            database.init_db()
        except Exception as exc:
            errors.append(exc)
        finally:
            database.dispose()

    threads = [threading.Thread(target=init) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    database = Database.connect(url)
    with database.session() as session:
        assert store.count_by_state(session)["queued"] == 0
    database.dispose()


def test_shutdowns_and_paused_takeovers_are_not_charged(db: Database) -> None:
    (job_id,) = add_jobs(db, 1)
    first = store.claim(db, "w1", lease_seconds=30, max_attempts=2)
    assert first is not None and store.release(db, first)  # shutdown: free
    paused = store.claim(db, "w2", lease_seconds=0.1, max_attempts=2)
    assert paused is not None and paused.attempt == 2
    time.sleep(0.2)
    taker = store.claim(db, "w3", lease_seconds=0.1, max_attempts=2)
    assert taker is not None and taker.attempt == 3
    assert store.refund(db, paused)  # the paused worker resumed and found its lease taken
    assert not store.refund(db, taker)  # no newer claim: a live lease is not refunded
    time.sleep(0.2)
    assert store.claim(db, "w4", lease_seconds=0.1, max_attempts=2) is not None  # 1 charged claim of 2
    time.sleep(0.2)
    assert store.claim(db, "w5", lease_seconds=0.1, max_attempts=2) is None
    with db.session() as session:
        job = session.get_one(Job, job_id)
        assert (job.state, job.attempts, job.free_attempts) == ("failed", 4, 2)
        assert "on each of 2 attempts" in (job.error or "")


def test_transient_failures_retry_until_the_attempts_run_out(db: Database) -> None:
    (job_id,) = add_jobs(db, 1)
    lease = store.claim(db, "w1", lease_seconds=30, max_attempts=2)
    assert lease is not None
    assert store.retry_or_fail(db, lease, "backend timed out", max_attempts=2) == "queued"
    with db.session() as session:
        assert session.get_one(Job, job_id).error == "attempt 1 failed, retrying: backend timed out"
    assert store.retry_or_fail(db, lease, "again", max_attempts=2) is None  # lease gone: nothing written
    again = store.claim(db, "w2", lease_seconds=30, max_attempts=2)
    assert again is not None
    assert store.retry_or_fail(db, again, "backend timed out", max_attempts=2) == "failed"
    with db.session() as session:
        job = session.get_one(Job, job_id)
        assert (job.state, job.error) == ("failed", "backend timed out")
