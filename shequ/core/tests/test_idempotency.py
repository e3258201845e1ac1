"""core.idempotency: work done once per (user, key), its result replayed on retries."""

import pytest

from shequ.core import idempotency
from shequ.core.errors import Conflict, Invalid
from shequ.core.models import IdempotencyRecord


class Counter:
    def __init__(self):
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return 100 + self.calls


def test_once_runs_the_work_once_and_returns_its_id_on_retries(world):
    work = Counter()
    first = idempotency.once(user=world.resident_a, key="form:abc", path="/appeals/report/", work=work)
    again = idempotency.once(user=world.resident_a, key="form:abc", path="/appeals/report/", work=work)
    assert first == again == 101
    assert work.calls == 1
    record = IdempotencyRecord.objects.get(user=world.resident_a, key="form:abc")
    assert (record.method, record.path, record.status_code) == ("POST", "/appeals/report/", 201)


def test_keys_belong_to_one_user(world):
    work = Counter()
    a = idempotency.once(user=world.resident_a, key="form:abc", path="/p/", work=work)
    b = idempotency.once(user=world.resident_b, key="form:abc", path="/p/", work=work)
    assert (a, b, work.calls) == (101, 102, 2)


def test_a_failed_work_leaves_no_record_and_may_be_retried(world):
    def fail() -> int:
        IdempotencyRecord.objects.create(user=world.resident_b, key="side-effect", method="POST", path="/x/")
        raise Invalid("不行。", "No.")

    with pytest.raises(Invalid):
        idempotency.once(user=world.resident_a, key="form:abc", path="/p/", work=fail)
    # The work's own writes roll back with the record.
    assert not IdempotencyRecord.objects.exists()
    assert idempotency.once(user=world.resident_a, key="form:abc", path="/p/", work=Counter()) == 101


def test_remember_replays_status_and_body(world):
    first = idempotency.remember(
        user=world.resident_a, key="k", method="POST", path="/api/x", work=lambda: (201, {"id": 7})
    )
    again = idempotency.remember(
        user=world.resident_a,
        key="k",
        method="POST",
        path="/api/x",
        work=lambda: pytest.fail("work ran twice"),
    )
    assert (first.status, first.body, first.replayed) == (201, {"id": 7}, False)
    assert (again.status, again.body, again.replayed) == (201, {"id": 7}, True)


def test_remember_forgets_error_answers(world):
    bad = idempotency.remember(
        user=world.resident_a, key="k", path="/api/x", work=lambda: (422, {"error": {}})
    )
    assert (bad.status, bad.replayed) == (422, False)
    assert not IdempotencyRecord.objects.exists()
    good = idempotency.remember(
        user=world.resident_a, key="k", path="/api/x", work=lambda: (200, {"ok": True})
    )
    assert (good.status, good.body, good.replayed) == (200, {"ok": True}, False)


def test_a_key_reused_for_another_request_is_a_conflict(world):
    idempotency.remember(user=world.resident_a, key="k", path="/api/x", work=lambda: (201, {}))
    with pytest.raises(Conflict) as exc:
        idempotency.remember(user=world.resident_a, key="k", path="/api/y", work=lambda: (201, {}))
    assert exc.value.code == "idempotency_key_reused"
    with pytest.raises(Conflict):
        idempotency.remember(
            user=world.resident_a, key="k", method="PUT", path="/api/x", work=lambda: (201, {})
        )


def test_a_concurrent_first_attempt_is_replayed(world, monkeypatch):
    """The lookup misses (the other attempt had not committed yet), the insert then hits the unique
    constraint: the helper reads again and replays the winner's answer instead of doing the work."""
    IdempotencyRecord.objects.create(
        user=world.resident_a,
        key="form:abc",
        method="POST",
        path="/p/",
        status_code=201,
        response_body={"id": 55},
    )
    real_filter = IdempotencyRecord.objects.filter
    lookups = []

    def late_filter(*args, **kwargs):
        lookups.append(kwargs)
        return IdempotencyRecord.objects.none() if len(lookups) == 1 else real_filter(*args, **kwargs)

    monkeypatch.setattr(IdempotencyRecord.objects, "filter", late_filter)
    work = Counter()
    assert idempotency.once(user=world.resident_a, key="form:abc", path="/p/", work=work) == 55
    assert work.calls == 0 and len(lookups) == 2


def test_a_record_without_a_result_is_in_progress(world):
    IdempotencyRecord.objects.create(
        user=world.resident_a, key="form:abc", method="POST", path="/p/", status_code=201, response_body={}
    )
    with pytest.raises(idempotency.InProgress) as exc:
        idempotency.once(user=world.resident_a, key="form:abc", path="/p/", work=Counter())
    assert exc.value.status == 409
