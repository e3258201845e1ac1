"""Helpers for the elections tests: an owners'-committee election of compound A voting now, a photo of a
paper ballot, and the API's token and error checks."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from shequ.core import clock
from shequ.decisions.tests.factories import photo
from shequ.elections import services
from shequ.elections.models import Election

__all__ = ["AFTER", "T0", "VOTING", "api_error", "api_token", "cids", "owners_election", "photo"]

T0 = timezone.make_aware(datetime(2026, 11, 2, 9, 0))
VOTING = T0 + timedelta(days=8)
AFTER = T0 + timedelta(days=23)


def owners_election(world, *, seats=2, max_choices=2, candidates=("甲", "乙", "丙")) -> Election:
    """An owners'-committee election of compound A (register: `standard_register`), voting from T0 + 7 days."""
    with clock.frozen(T0):
        e = services.election_create(
            actor=world.rc_staff,
            organiser=world.rc,
            place=world.compound_a,
            kind="owners_committee",
            electorate="owners",
            title="甲小区第一届业主委员会选举",
            seats=seats,
            max_choices=max_choices,
        )
        for name in candidates:
            services.candidate_nominate(
                actor=world.rc_staff, election=e, route="residents_committee", name=name, statement="服务业主"
            )
        e = services.election_publicise(
            actor=world.rc_staff,
            election=e,
            opens_at=T0 + timedelta(days=7),
            closes_at=T0 + timedelta(days=22),
        )
    with clock.frozen(T0 + timedelta(days=7)):
        e = services.election_open(actor=world.rc_staff, election=e)
    return e


def cids(e: Election) -> dict[str, int]:
    """Candidate name → id."""
    return dict(e.candidates.values_list("name", "pk"))


def api_token(client, user) -> dict:
    r = client.post(
        "/api/v1/auth/login",
        {"phone": user.phone, "password": "shequ-test-pass"},
        content_type="application/json",
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


def api_error(r, status, code=None) -> dict:
    """The response is the error `status` with zh and en messages (and `code`, when given)."""
    assert r.status_code == status, r.content
    body = r.json()["error"]
    assert body["message_zh"] and body["message_en"]
    if code:
        assert body["code"] == code
    return body
