"""Rate limits without Redis: one counter file that every worker process of the host shares."""

import multiprocessing
import time

import pytest
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from app import create_app
from core.ratelimit import FileStorage, file_storage_uri

pytestmark = pytest.mark.one_engine


def _hit(uri: str, times: int, results) -> None:
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    results.put(sum(limiter.hit(RateLimitItemPerMinute(25), "login", "127.0.0.1") for _ in range(times)))


def test_processes_share_one_count_and_the_limit_holds_exactly(tmp_path):
    uri = file_storage_uri(str(tmp_path))
    assert isinstance(storage_from_string(uri), FileStorage)
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [context.Process(target=_hit, args=(uri, 10, results)) for _ in range(4)]
    for worker in workers:
        worker.start()
    allowed = sum(results.get(timeout=30) for _ in workers)
    for worker in workers:
        worker.join(30)
    assert allowed == 25  # 40 attempts in four processes, 25 let through: the announced limit
    assert (tmp_path / "ratelimits.sqlite3").stat().st_mode & 0o777 == 0o600


def test_a_window_ends_and_counts_start_again(tmp_path):
    storage = FileStorage(file_storage_uri(str(tmp_path)))
    assert storage.incr("key", 1) == 1
    assert storage.incr("key", 1) == 2
    assert storage.get("key") == 2 and storage.get_expiry("key") > time.time()
    time.sleep(1.05)
    assert storage.get("key") == 0
    assert storage.incr("key", 1) == 1
    storage.clear("key")
    assert storage.get("key") == 0 and storage.check()


def test_without_redis_the_login_limit_refuses_the_eleventh_attempt(make_app, make_member, tmp_path):
    """Flask-Limiter's own storage without Redis is the counter file (tests/ops/test_workers.py: 4 workers)."""
    assert make_app().config["RATELIMIT_STORAGE_URI"] == "memory://"  # the suite's; production's default:
    assert create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "INSTANCE_PATH": str(tmp_path)}).config[
        "RATELIMIT_STORAGE_URI"] == file_storage_uri(str(tmp_path))
    workers = [make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=file_storage_uri(str(tmp_path)))
               for _ in range(2)]
    member = make_member()
    statuses = [workers[attempt % 2].test_client().post(
        "/members/login", data={"email": member.email, "password": "wrong-password-123"}).status_code
        for attempt in range(11)]
    assert statuses == [200] * 10 + [429]
