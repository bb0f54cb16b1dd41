"""Real moving parts for the job tests: a Celery worker process, and a Redis server of our own."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from redis import Redis
from redis.exceptions import RedisError

from unison.celery import app as celery_app

ROOT = Path(settings.BASE_DIR)
CELERY = Path(sys.executable).parent / "celery"  # beside the Python running the tests (the project's .venv)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def eventually(probe: Callable, *, seconds: float = 60, what: str = "the worker's effect"):
    """Return the first truthy result of ``probe()``, polling; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = probe()
        if result:
            return result
        time.sleep(0.2)
    pytest.fail(f"Gave up waiting {seconds:.0f} s for {what}.")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture
def queue() -> str:
    """Return a queue name of this test's own, so no other run's jobs (or workers) meet ours."""
    return f"lifecycle-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def broker(queue):
    """Return a function that points this process's Celery app at a broker and our queue, eager mode off."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.task_always_eager, conf.task_default_queue
    used: list[str] = []

    def use(url: str) -> None:
        conf.broker_url, conf.task_always_eager, conf.task_default_queue = url, False, queue
        celery_app._after_fork()  # drop pooled connections to the previous broker
        used.append(url)

    yield use
    conf.broker_url, conf.task_always_eager, conf.task_default_queue = saved
    celery_app._after_fork()
    for url in used:  # remove our queue's keys, and only those
        with suppress(RedisError):
            Redis.from_url(url, socket_connect_timeout=1).delete(
                queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}"
            )


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


def mails_in(folder: Path) -> list[str]:
    """Return the messages the worker's file backend wrote (one file per connection, messages split)."""
    messages = []
    for path in sorted(folder.glob("*.log")):
        messages += [m for m in path.read_text().split("-" * 79) if m.strip()]
    return messages


def worker_command(name: str, *, include: str = "") -> list[str]:
    """Return the command of a real one-process Celery worker named ``name`` (importing ``include`` too)."""
    command = [str(CELERY), "-A", "unison", "worker", "-P", "solo", "-l", "info",
               "--without-heartbeat", "--without-gossip", "--without-mingle", "-n", f"{name}@%h"]
    return command + (["--include", include] if include else [])


@pytest.fixture
def start_worker(tmp_path, mail_dir, queue):
    """Return a function that starts a real ``celery worker`` on the test database and a broker URL."""
    started: list[subprocess.Popen] = []
    db = connection.settings_dict

    def start(broker_url: str) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "unison.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
            "CELERY_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "CELERY_QUEUE": queue,
            "TEST_EMAIL_FILE_PATH": str(mail_dir),
            "PYTHONPATH": str(ROOT),
        }
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(worker_command(f"lifecycle-{os.getpid()}"), cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        started.append(process)
        return process

    yield start
    for process in started:
        _stop(process)


@pytest.fixture
def own_redis(tmp_path):
    """Start a redis-server of our own on a free port (never the shared one); return its controls."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is not installed")
    port = free_port()

    class OwnRedis:
        url = f"redis://127.0.0.1:{port}/0"
        process: subprocess.Popen | None = None

        def start(self) -> None:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--dir", str(tmp_path)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            eventually(self.answers, seconds=10, what="redis-server to start")

        def stop(self) -> None:
            _stop(self.process)
            assert not self.answers()

        def answers(self) -> bool:
            try:
                return bool(Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
            except RedisError:
                return False

    redis = OwnRedis()
    redis.start()
    yield redis
    if redis.process:
        _stop(redis.process)
