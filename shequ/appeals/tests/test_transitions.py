"""The appeal state machine against a matrix written out by hand from DESIGN §3 (not derived from
`TRANSITIONS`): every action from every status, allowed and refused, and every action refused to the
wrong actors. A new action or status fails `test_matrix_covers_the_state_machine` until someone writes
its row here."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shequ.appeals import services
from shequ.appeals.models import Appeal, AppealEvent, Status
from shequ.appeals.services import ACTORS, TRANSITIONS
from shequ.core import clock
from shequ.core.errors import Conflict, Forbidden

pytestmark = pytest.mark.django_db
S = Status


def force_status(appeal: Appeal, status: str, world) -> Appeal:
    """Put an appeal straight into a status (test setup only; production goes through the service)."""
    now = clock.now()
    fields: dict = {"status": status}
    if status == S.SUBMITTED:
        fields.update(responsible_party=world.rc, first_party=None)
    if status in (S.ACCEPTED, S.IN_PROGRESS, S.PAUSED, S.RESOLVED, S.CLOSED):
        fields.update(accepted_at=now - timedelta(hours=2), handler=world.handler_x)
    if status == S.PAUSED:
        fields["paused_at"] = now - timedelta(hours=1)
    if status in (S.RESOLVED, S.CLOSED):
        fields.update(resolved_at=now - timedelta(hours=1), callback_due_at=now + timedelta(days=6))
    if status == S.CLOSED:
        fields.update(closed_at=now, callback_due_at=None)
    if status == S.MERGED:
        other = Appeal.objects.exclude(pk=appeal.pk).filter(community_id=appeal.community_id).first()
        fields.update(merged_into=other, closed_at=now)
    Appeal.objects.filter(pk=appeal.pk).update(**fields)
    return Appeal.objects.get(pk=appeal.pk)


def actor_for(action: str, status: str, world):
    if action in ("dispatch", "redispatch", "close", "merge"):
        return world.rc_staff
    if action in ("confirm", "reopen", "rate"):
        return world.resident_a
    if action == "close_unrated":
        return None
    if action == "assign_helper":
        return world.env_director
    return world.rc_staff if status == S.SUBMITTED else world.handler_x


def data_for(action: str, world, original: Appeal) -> dict:
    return {
        "dispatch": {"to_party": world.company_x},
        "redispatch": {"to_party": world.mutual_aid, "reason": "不属于物业"},
        "transfer": {"to_party_id": world.mutual_aid.pk, "reason": "邻里纠纷"},
        "return": {"reason": "不归我们管"},
        "pause": {"reason": "等配件"},
        "reply": {"text": "师傅下午到"},
        "note": {"text": "内部：需要备件"},
        "resolve": {"text": "已更换门机板"},
        "reopen": {"reason": "又坏了"},
        "rate": {"solved": True, "rating": "satisfied"},
        "close": {"reason": "重复提交"},
        "merge": {"into": original},
        "escalate": {"reason": "超时未处理"},
        "assign_helper": {"company": world.company_y},
    }.get(action, {})


# Columns: the status an appeal is in. Cells: the status the action leads to ("=" unchanged), or "-"
# refused with a Conflict. `rate` is answered "solved"; `reply` is the party's, after accepting.
COLUMNS = (S.SUBMITTED, S.DISPATCHED, S.ACCEPTED, S.IN_PROGRESS, S.PAUSED, S.RESOLVED, S.CLOSED, S.MERGED)
MATRIX = """
action         submitted   dispatched  accepted    in_progress paused      resolved    closed      merged
dispatch       dispatched  -           -           -           -           -           -           -
accept         accepted    accepted    -           -           -           -           -           -
return         -           submitted   submitted   submitted   -           -           -           -
redispatch     -           dispatched  dispatched  dispatched  dispatched  -           -           -
transfer       -           dispatched  dispatched  dispatched  -           -           -           -
pause          -           -           paused      paused      -           -           -           -
resume         -           -           -           -           in_progress -           -           -
reply          =           =           in_progress =           =           =           -           -
note           =           =           =           =           =           =           =           =
resolve        -           -           resolved    resolved    resolved    -           -           -
confirm        -           -           -           -           -           closed      -           -
reopen         -           -           -           -           -           in_progress in_progress -
rate           -           -           -           -           -           closed      closed      -
close          closed      closed      closed      closed      closed      closed      -           -
merge          merged      merged      merged      merged      merged      -           -           -
escalate       =           =           =           =           =           -           -           -
close_unrated  -           -           -           -           -           closed      -           -
assign_helper  =           =           =           =           =           -           -           -
"""


def matrix() -> dict[str, dict[str, str]]:
    lines = [line.split() for line in MATRIX.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    assert tuple(header[1:]) == COLUMNS
    return {row[0]: dict(zip(COLUMNS, row[1:], strict=True)) for row in rows}


def test_matrix_covers_the_state_machine():
    assert set(matrix()) == set(TRANSITIONS)
    assert set(COLUMNS) == set(S.values)


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_every_action_from_every_status(world, file_appeal, action):
    original = file_appeal(text="同一部电梯，先报的")
    for status, expected in matrix()[action].items():
        appeal = force_status(file_appeal(), status, world)
        actor = actor_for(action, status, world)
        before = AppealEvent.objects.filter(appeal=appeal).count()
        if expected != "-":
            result = services.appeal_transition(
                appeal=appeal, actor=actor, action=action, **data_for(action, world, original)
            )
            assert result.status == (status if expected == "=" else expected), (action, status)
            assert AppealEvent.objects.filter(appeal=appeal).count() == before + 1
            event = AppealEvent.objects.filter(appeal=appeal).last()
            assert event.kind == services.EVENT_OF[action]
            assert event.data["from"] == status and event.data["to"] == result.status
        else:
            with pytest.raises(Conflict):
                services.appeal_transition(
                    appeal=appeal, actor=actor, action=action, **data_for(action, world, original)
                )
            assert Appeal.objects.get(pk=appeal.pk).status == status
            assert AppealEvent.objects.filter(appeal=appeal).count() == before


# Who may NOT do each action (on an appeal of compound A dispatched to company X, in a valid status).
REFUSED = {
    "dispatch": ["handler_x", "resident_a", "observer", "handler_y", "party_secretary"],
    "accept": ["resident_a", "rc_staff", "observer", "handler_y", "volunteer", None],
    "return": ["resident_a", "rc_staff", "observer", "handler_y", None],
    "redispatch": ["handler_x", "resident_a", "observer", "handler_y"],
    "transfer": ["resident_a", "observer", "handler_y", None],
    "pause": ["resident_a", "rc_staff", "observer", "handler_y", None],
    "resume": ["resident_a", "rc_staff", "observer", "handler_y", None],
    "reply": ["resident_b", "observer", "handler_y", "volunteer", None],
    "note": ["resident_a", "resident_b", "observer", "handler_y", "outsider"],
    "resolve": ["resident_a", "rc_staff", "observer", "handler_y", None],
    "confirm": ["resident_a2", "handler_x", "rc_staff", "observer", None],
    "reopen": ["resident_b", "handler_x", "rc_staff", "observer", None],
    "rate": ["resident_a2", "handler_x", "rc_staff", "observer", None],
    "close": ["handler_x", "resident_a", "observer", "handler_y"],
    "merge": ["handler_x", "resident_a", "observer", None],
    "escalate": ["resident_a", "observer", "handler_y", "volunteer", "outsider"],
    "close_unrated": ["resident_a", "handler_x", "rc_staff", "party_secretary", "observer"],
    "assign_helper": ["resident_a", "handler_x", "rc_staff", "party_secretary", "observer", None],
}
VALID_STATUS = {
    "dispatch": S.SUBMITTED,
    "accept": S.DISPATCHED,
    "return": S.ACCEPTED,
    "redispatch": S.ACCEPTED,
    "transfer": S.ACCEPTED,
    "pause": S.IN_PROGRESS,
    "resume": S.PAUSED,
    "reply": S.IN_PROGRESS,
    "note": S.IN_PROGRESS,
    "resolve": S.IN_PROGRESS,
    "confirm": S.RESOLVED,
    "reopen": S.RESOLVED,
    "rate": S.RESOLVED,
    "close": S.IN_PROGRESS,
    "merge": S.DISPATCHED,
    "escalate": S.DISPATCHED,
    "close_unrated": S.RESOLVED,
    "assign_helper": S.DISPATCHED,
}


def test_refusal_table_covers_every_action():
    assert set(REFUSED) == set(TRANSITIONS) == set(ACTORS) == set(VALID_STATUS)


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_wrong_actors_are_refused(world, file_appeal, action):
    original = file_appeal(text="先报的")
    appeal = force_status(file_appeal(), VALID_STATUS[action], world)
    for name in REFUSED[action]:
        actor = getattr(world, name) if name else None
        with pytest.raises(Forbidden):
            services.appeal_transition(
                appeal=appeal, actor=actor, action=action, **data_for(action, world, original)
            )
    assert Appeal.objects.get(pk=appeal.pk).status == VALID_STATUS[action]
    # …and the right actor may.
    services.appeal_transition(
        appeal=appeal,
        actor=actor_for(action, VALID_STATUS[action], world),
        action=action,
        **data_for(action, world, original),
    )


def test_company_cannot_act_on_places_it_does_not_serve(world, file_appeal):
    appeal = file_appeal()
    # Even if an appeal of compound A somehow sits with company Y, Y may not act on it.
    Appeal.objects.filter(pk=appeal.pk).update(responsible_party=world.company_y)
    with pytest.raises(Forbidden):
        services.appeal_transition(appeal=appeal, actor=world.handler_y, action="accept")


def test_cannot_dispatch_to_company_not_serving_place(world, file_appeal):
    from shequ.core.errors import Invalid

    appeal = file_appeal()
    with pytest.raises(Invalid):
        services.appeal_transition(
            appeal=appeal, actor=world.rc_staff, action="redispatch", to_party=world.company_y
        )
