"""Service behaviour: create checks, return/merge/escalate/rate rules, events, notifications, photos."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from shequ.appeals import photos, services
from shequ.appeals.models import Appeal, AppealEvent, Category, Status
from shequ.core.errors import Conflict, Forbidden, Invalid
from shequ.notifications.models import Notification

pytestmark = pytest.mark.django_db


def jpeg(name: str = "p.jpg", size=(1200, 900), exif: bool = False, fmt: str = "JPEG") -> SimpleUploadedFile:
    img = Image.new("RGB", size, (200, 30, 30))
    buf = io.BytesIO()
    kwargs = {}
    if exif:
        ex = Image.Exif()
        ex[0x010F] = "ShequCam"  # Make
        ex[0x8825] = {1: "N", 2: (39.0, 58.0, 0.0), 3: "E", 4: (116.0, 19.0, 0.0)}  # GPS IFD
        kwargs["exif"] = ex.tobytes()
    img.save(buf, format=fmt, **kwargs)
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


# ---------------------------------------------------------------- create


def test_create_sets_everything(world, file_appeal):
    appeal = file_appeal(spot=world.lift_a1, place=world.building_a1, urgency="urgent")
    assert appeal.number.endswith(f"{appeal.pk:06d}") and len(appeal.number) == 14
    assert (appeal.community_id, appeal.compound_id, appeal.building_id) == (
        world.community.pk,
        world.compound_a.pk,
        world.building_a1.pk,
    )
    assert appeal.street_id == world.street.pk
    assert appeal.household == world.household_a  # the reporter's home, for household visibility
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "dispatched"]


def test_resident_reports_only_own_home_and_community(world, file_appeal):
    with pytest.raises(Forbidden):
        file_appeal(place=world.household_b)
    with pytest.raises(Forbidden):
        file_appeal(reporter=world.outsider, place=world.compound_a)
    # A neighbour's building in the same community is fine.
    assert file_appeal(place=world.building_b1, category="garbage").compound_id == world.compound_b.pk


def test_staff_files_on_behalf(world, file_appeal):
    appeal = file_appeal(place=world.building_a1, filed_by=world.building_leader)
    assert appeal.source == "staff" and appeal.filed_by == world.building_leader
    assert appeal.events.first().actor == world.building_leader
    with pytest.raises(Forbidden):
        file_appeal(place=world.building_a1, filed_by=world.handler_y)
    # A company's staff may file for places it serves (patrol).
    patrol = file_appeal(reporter=world.handler_x, place=world.building_a1, source="patrol")
    assert patrol.responsible_party == world.company_x


def test_create_validation(world, file_appeal):
    with pytest.raises(Invalid):
        file_appeal(text="   ")
    with pytest.raises(Invalid):
        file_appeal(kind="gossip")
    with pytest.raises(Invalid):
        file_appeal(kind="consult", category="lift")
    with pytest.raises(Invalid):
        file_appeal(urgency="whenever")
    with pytest.raises(Invalid):
        file_appeal(place=world.street)
    cat = Category.objects.get(code="noise")
    cat.is_active = False
    cat.save()
    with pytest.raises(Invalid):
        file_appeal(category="noise", place=world.compound_a)
    assert not Appeal.objects.exists()


# ---------------------------------------------------------------- transitions


def test_return_goes_back_to_dispatcher_then_redispatch(world, file_appeal):
    appeal = file_appeal(category="neighbour-dispute")
    with pytest.raises(Invalid):
        services.appeal_transition(appeal=appeal, actor=world.volunteer, action="return")
    appeal = services.appeal_transition(
        appeal=appeal, actor=world.volunteer, action="return", reason="需民警处理"
    )
    assert appeal.status == Status.SUBMITTED
    assert appeal.responsible_party == world.rc
    assert appeal.first_party == world.mutual_aid
    event = appeal.events.last()
    assert event.kind == "returned" and event.text == "需民警处理" and event.party == world.mutual_aid
    # The dispatcher cannot "return" to itself; it dispatches.
    with pytest.raises(Conflict):
        services.appeal_transition(appeal=appeal, actor=world.rc_staff, action="return", reason="x")
    appeal = services.appeal_transition(
        appeal=appeal, actor=world.rc_staff, action="dispatch", to_party_id=world.police.pk
    )
    assert appeal.status == Status.DISPATCHED and appeal.responsible_party == world.police


def test_rc_handles_its_own_queue(world, file_appeal):
    Category.objects.create(code="misc", name="杂项")
    appeal = file_appeal(category="misc")
    assert appeal.status == Status.SUBMITTED
    appeal = services.appeal_transition(appeal=appeal, actor=world.rc_staff, action="accept")
    assert appeal.status == Status.ACCEPTED and appeal.first_party == world.rc
    with pytest.raises(Conflict):
        services.appeal_transition(appeal=appeal, actor=world.rc_staff, action="return", reason="x")


def test_transfer_keeps_first_party(world, file_appeal):
    appeal = file_appeal(category="garbage", place=world.compound_a)
    appeal = services.appeal_transition(appeal=appeal, actor=world.rc_staff, action="accept")
    appeal = services.appeal_transition(
        appeal=appeal,
        actor=world.rc_staff,
        action="transfer",
        to_party=world.dept_housing,
        reason="需区住建委处理",
    )
    assert appeal.status == Status.DISPATCHED
    assert appeal.responsible_party == world.dept_housing
    assert appeal.first_party == world.rc
    assert appeal.accepted_at is None
    with pytest.raises(Conflict):
        services.appeal_transition(
            appeal=appeal, actor=world.rc_staff, action="redispatch", to_party=world.dept_housing
        )


def test_rate_not_solved_reopens(world, file_appeal):
    appeal = file_appeal()
    for action, data in (("accept", {}), ("resolve", {"text": "修好了"})):
        appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action=action, **data)
    with pytest.raises(Invalid):
        services.appeal_transition(appeal=appeal, actor=world.resident_a, action="rate", rating="satisfied")
    with pytest.raises(Invalid):
        services.appeal_transition(
            appeal=appeal, actor=world.resident_a, action="rate", solved=False, rating="great"
        )
    appeal = services.appeal_transition(
        appeal=appeal,
        actor=world.resident_a,
        action="rate",
        solved=False,
        rating="unsatisfied",
        text="还是坏的",
    )
    assert appeal.status == Status.IN_PROGRESS
    assert (appeal.solved, appeal.rating) == (False, "unsatisfied")
    assert appeal.resolved_at is None and appeal.callback_due_at is None
    assert appeal.events.last().data["reopened"] is True
    appeal = services.appeal_transition(
        appeal=appeal, actor=world.handler_x, action="resolve", text="换了新电机"
    )
    appeal = services.appeal_transition(
        appeal=appeal, actor=world.resident_a, action="rate", solved=True, rating="basically"
    )
    assert appeal.status == Status.CLOSED and appeal.rating == "basically" and appeal.solved is True
    with pytest.raises(Conflict):
        services.appeal_transition(
            appeal=appeal, actor=world.resident_a, action="rate", solved=True, rating="satisfied"
        )


def test_confirm_then_rate(world, file_appeal):
    appeal = file_appeal()
    with pytest.raises(Conflict):  # a party accepts before it resolves
        services.appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="好了")
    appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="好了")
    assert appeal.accepted_at is not None
    appeal = services.appeal_transition(appeal=appeal, actor=world.resident_a, action="confirm")
    assert appeal.status == Status.CLOSED and appeal.solved is True and appeal.callback_due_at is None
    appeal = services.appeal_transition(
        appeal=appeal, actor=world.resident_a, action="rate", solved=True, rating="satisfied"
    )
    assert appeal.status == Status.CLOSED and appeal.rated_at is not None


def test_close_unrated_is_system_only_and_never_reopens(world, file_appeal):
    appeal = services.appeal_transition(appeal=file_appeal(), actor=world.handler_x, action="accept")
    appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="好了")
    appeal = services.appeal_transition(appeal=appeal, actor=None, action="close_unrated")
    assert appeal.status == Status.CLOSED and appeal.closed_unrated and appeal.rating is None
    assert appeal.events.last().actor is None
    with pytest.raises(Conflict):
        services.appeal_transition(appeal=appeal, actor=world.resident_a, action="reopen", reason="x")


def test_merge_makes_reporters_follow_original(world, file_appeal):
    original = file_appeal(text="1号楼电梯坏了")
    duplicate = file_appeal(reporter=world.resident_a2, place=world.building_a1, text="1号楼电梯又停了")
    services.appeal_follow(appeal=duplicate, user=world.resident_b)
    with pytest.raises(Invalid):
        services.appeal_transition(
            appeal=duplicate, actor=world.rc_staff, action="merge", into_id=duplicate.pk
        )
    duplicate = services.appeal_transition(
        appeal=duplicate, actor=world.rc_staff, action="merge", into_id=original.pk, reason="同一部电梯"
    )
    assert duplicate.status == Status.MERGED and duplicate.merged_into == original
    assert set(original.followers.all()) == {world.resident_a2, world.resident_b}
    with pytest.raises(Conflict):
        services.appeal_transition(appeal=duplicate, actor=world.handler_x, action="accept")


def test_escalation_ladder_by_hand_and_system(world, file_appeal):
    appeal = file_appeal()
    with pytest.raises(Invalid):
        services.appeal_transition(appeal=appeal, actor=world.handler_x, action="escalate")
    appeal = services.appeal_transition(
        appeal=appeal, actor=world.handler_x, action="escalate", reason="业主不配合"
    )
    assert (appeal.escalation_level, appeal.escalated_to) == (1, world.env_committee)
    appeal = services.appeal_transition(
        appeal=appeal, actor=None, action="escalate", reason_code="accept_overdue"
    )
    assert (appeal.escalation_level, appeal.escalated_to) == (2, world.party_org)
    # The party it reached may act as supervisor (reply, transfer, escalate further).
    appeal = services.appeal_transition(
        appeal=appeal, actor=world.party_secretary, action="reply", text="已协调"
    )
    appeal = services.appeal_transition(
        appeal=appeal, actor=world.party_secretary, action="escalate", reason="需街道协调"
    )
    assert (appeal.escalation_level, appeal.escalated_to) == (3, world.street_office)
    with pytest.raises(Conflict):
        services.appeal_transition(appeal=appeal, actor=None, action="escalate")
    assert appeal.first_party == world.company_x and appeal.responsible_party == world.company_x
    event = appeal.events.filter(kind="escalated").first()
    assert event.data["level"] == 1 and event.party == world.env_committee


def test_only_changed_fields_are_saved(world, file_appeal):
    appeal = file_appeal()
    with CaptureQueriesContext(connection) as ctx:
        services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith('UPDATE "appeals_appeal"')]
    assert len(updates) == 1
    sql = updates[0]
    for column in ('"status"', '"accepted_at"', '"handler_id"', '"updated_at"'):
        assert column in sql
    for column in ('"text"', '"resolve_due_at"', '"responsible_party_id"'):
        assert column not in sql


def test_events_are_immutable(world, file_appeal):
    event = file_appeal().events.first()
    event.text = "changed"
    with pytest.raises(ValueError):
        event.save()


def test_event_add(world, file_appeal, django_capture_on_commit_callbacks):
    appeal = file_appeal()
    with django_capture_on_commit_callbacks(execute=True):
        event = services.appeal_event_add(
            appeal=appeal,
            actor=world.party_secretary,
            kind="whistle_blown",
            text="吹哨：住建委、房管局",
            party=world.party_org,
            data={"kind": "tough"},
        )
    assert event.kind == "whistle_blown" and appeal.status == Status.DISPATCHED
    assert Notification.objects.filter(recipient=world.resident_a, verb="appeal.whistle_blown").exists()
    with pytest.raises(Invalid):
        services.appeal_event_add(appeal=appeal, actor=None, kind="gossip")


# ---------------------------------------------------------------- notifications


def test_notifications_after_commit(world, file_appeal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal()
    assert Notification.objects.filter(recipient=world.handler_x, verb="appeal.dispatched").count() == 1
    services.appeal_follow(appeal=appeal, user=world.resident_a2)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
        appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action="note", text="内部")
        appeal = services.appeal_transition(
            appeal=appeal, actor=world.handler_x, action="reply", text="请联系王师傅13912345678"
        )
    replies = Notification.objects.filter(verb="appeal.replied")
    assert set(replies.values_list("recipient", flat=True)) == {world.resident_a.pk, world.resident_a2.pk}
    assert "139****5678" in replies.first().body
    assert not Notification.objects.filter(verb="appeal.note").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_transition(appeal=appeal, actor=world.handler_x, action="return", reason="非我方")
    assert Notification.objects.filter(recipient=world.rc_staff, verb="appeal.returned").exists()


# ---------------------------------------------------------------- photos


def test_photos_are_reencoded_without_exif(world, file_appeal):
    appeal = file_appeal(photos=[jpeg(exif=True), jpeg(fmt="PNG", name="a.png")])
    stored = list(appeal.photos.all())
    assert len(stored) == 2
    for photo in stored:
        with photo.image.open("rb") as fh:
            img = Image.open(fh)
            assert img.format == "JPEG"
            assert not img.getexif()
            assert "exif" not in img.info
        with photo.thumbnail.open("rb") as fh:
            assert max(Image.open(fh).size) <= photos.THUMB_SIDE
        assert photo.event.kind == "submitted"


def test_photo_rules(world, file_appeal):
    with pytest.raises(Invalid) as err:
        file_appeal(photos=[SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")])
    assert err.value.code == "photo_not_image"
    with pytest.raises(Invalid) as err:
        file_appeal(photos=[jpeg(size=(20, 20)) for _ in range(10)])
    assert err.value.code == "too_many_photos"
    big = SimpleUploadedFile("big.jpg", b"0" * (photos.MAX_BYTES + 1), content_type="image/jpeg")
    with pytest.raises(Invalid) as err:
        file_appeal(photos=[big])
    assert err.value.code == "photo_too_large"
    assert not Appeal.objects.exists()
    appeal = file_appeal(photos=[jpeg(size=(20, 20)) for _ in range(8)])
    services.appeal_photos_add(appeal=appeal, user=world.resident_a, uploads=[jpeg(size=(20, 20))])
    with pytest.raises(Invalid):
        services.appeal_photos_add(appeal=appeal, user=world.resident_a, uploads=[jpeg(size=(20, 20))])


def test_resolve_with_photos(world, file_appeal):
    appeal = services.appeal_transition(appeal=file_appeal(), actor=world.handler_x, action="accept")
    appeal = services.appeal_transition(
        appeal=appeal, actor=world.handler_x, action="resolve", text="修好了", photos=[jpeg(size=(50, 40))]
    )
    photo = appeal.photos.get()
    assert photo.stage == "resolution" and photo.event == AppealEvent.objects.filter(kind="resolved").get()


def test_consultations_stay_private_to_the_consulted_party(world, file_appeal):
    consult = file_appeal(category="health", kind="consult", text="孩子发烧怎么办")
    assert consult.responsible_party == world.doctors
    for action, data in (
        ("redispatch", {"to_party": world.police}),
        ("close", {"reason": "x"}),
        ("note", {"text": "x"}),
        ("reply", {"text": "x"}),
    ):
        with pytest.raises(Forbidden):
            services.appeal_transition(appeal=consult, actor=world.rc_staff, action=action, **data)
    with pytest.raises(Conflict):
        services.appeal_transition(appeal=consult, actor=None, action="escalate", reason="超时")
    consult = services.appeal_transition(
        appeal=consult, actor=world.doctor, action="reply", text="多喝水，观察体温"
    )
    assert consult.status == Status.DISPATCHED
    # Returned to the committee's queue, the committee may dispatch it on (it is then the consulted party).
    consult = services.appeal_transition(appeal=consult, actor=world.doctor, action="accept")
    consult = services.appeal_transition(
        appeal=consult, actor=world.doctor, action="return", reason="请派给民警"
    )
    consult = services.appeal_transition(
        appeal=consult, actor=world.rc_staff, action="dispatch", to_party=world.police
    )
    assert consult.responsible_party == world.police
    other = file_appeal(text="普通诉求")
    with pytest.raises(Invalid):
        services.appeal_transition(appeal=other, actor=world.rc_staff, action="merge", into=consult)


def test_party_notifications_respect_member_places(world, file_appeal, django_capture_on_commit_callbacks):
    """Members assigned to particular places hear only about those places; general staff about all."""
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(reporter=world.resident_b, place=world.household_b, category="neighbour-dispute")
        services.appeal_transition(
            appeal=appeal, actor=world.volunteer, action="return", reason="需居委会协调"
        )
    returned = set(Notification.objects.filter(verb="appeal.returned").values_list("recipient", flat=True))
    assert world.rc_staff.pk in returned
    assert world.building_leader.pk not in returned  # leads building A1, the appeal is in compound B
    with django_capture_on_commit_callbacks(execute=True):
        appeal = file_appeal(category="noise", place=world.building_a1)
        services.appeal_transition(appeal=appeal, actor=world.rc_staff, action="accept")
        services.appeal_transition(appeal=appeal, actor=world.resident_a, action="reply", text="还在吵")
    replied = set(Notification.objects.filter(verb="appeal.replied").values_list("recipient", flat=True))
    assert {world.rc_staff.pk, world.building_leader.pk} <= replied


def test_targets_must_serve_the_place(world, file_appeal):
    from shequ.directory import parties as dparties
    from shequ.directory import places as dplaces
    from shequ.directory.models import PartyKind, PlaceKind

    elsewhere = dplaces.place_create(kind=PlaceKind.COMMUNITY, name="别的社区", parent=world.street)
    other_rc = dparties.party_create(
        kind=PartyKind.RESIDENTS_COMMITTEE,
        name="别的居委会",
        code="t-other-rc",
        home=elsewhere,
        places=[elsewhere],
    )
    appeal = file_appeal(category="garbage", place=world.compound_a)
    for action, data in (("redispatch", {}), ("escalate", {"reason": "x"})):
        with pytest.raises(Invalid):
            services.appeal_transition(
                appeal=appeal, actor=world.rc_staff, action=action, to_party=other_rc, **data
            )
    # Departments can always be brought in (城管, 住建委 …).
    appeal = services.appeal_transition(
        appeal=appeal,
        actor=world.rc_staff,
        action="transfer",
        to_party=world.dept_housing,
        reason="违建需执法",
    )
    assert appeal.responsible_party == world.dept_housing


def test_access_for_action(world, file_appeal):
    from shequ.appeals import selectors

    appeal = file_appeal()
    assert selectors.access_appeal(user=world.handler_x, appeal_id=appeal.pk, for_action=True) == appeal
    with pytest.raises(Forbidden):
        selectors.access_appeal(user=world.observer, appeal_id=appeal.pk, for_action=True)
    with pytest.raises(Forbidden):
        selectors.access_appeal(user=world.resident_a2, appeal_id=appeal.pk, for_action=True)
    from shequ.core.errors import NotFound

    with pytest.raises(NotFound):
        selectors.access_appeal(user=world.handler_y, appeal_id=appeal.pk, for_action=True)
    with pytest.raises(NotFound):
        selectors.access_appeal(user=world.handler_x, appeal_id="nope")
