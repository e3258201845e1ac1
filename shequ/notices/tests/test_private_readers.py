"""Who reads a private notice for one building (issue #9, item 5): the building's verified households,
the publisher, the building's leader, and the parties whose job the channel is there — not a school, a
station volunteer, a district department or another building."""

from __future__ import annotations

import pytest

from shequ.conftest import make_user
from shequ.directory import parties as dparties
from shequ.directory.models import PartyKind, Role
from shequ.notices import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(world):
    school = dparties.party_create(
        kind=PartyKind.CO_BUILDER,
        name="测试小学",
        code="t-school",
        home=world.community,
        places=[world.community],
    )
    world.teacher = make_user("13900000031", "王老师")
    dparties.membership_create(user=world.teacher, party=school, role=Role.STAFF)
    world.dept_staff = make_user("13900000032", "住建委科员")
    dparties.membership_create(user=world.dept_staff, party=world.dept_housing, role=Role.STAFF)
    world.env_member = make_user("13900000033", "委员甲")
    dparties.membership_create(user=world.env_member, party=world.env_committee, role=Role.MEMBER)
    return services.notice_create(
        author=world.rc_staff,
        party=world.rc,
        channel="community",
        place=world.building_a1,
        title="1号楼停水通知",
        body="明天9点停水，请家中留人。",
        is_public=False,
    )


READS = {
    "resident_a": 200,  # a verified household of building A1
    "rc_staff": 200,  # the publisher
    "building_leader": 200,  # the building's leader
    "party_secretary": 200,  # may post in this channel there
    "teacher": 403,  # a school serving the community
    "volunteer": 403,  # a mutual-aid station volunteer
    "dept_staff": 403,  # a district department
    "env_member": 403,  # an elected 环物会 owner member (a resident volunteer, not of A1)
    "observer": 200,  # a street-office observer reads what the street office reads (never writes)
    "resident_a2": 403,  # another building of the same compound
    "resident_b": 403,
    "outsider": 403,
}


@pytest.mark.parametrize("who", list(READS))
def test_private_building_notice_readers(client, world, notice, who):
    client.force_login(getattr(world, who))
    api = client.get(f"/api/v1/notices/{notice.pk}")
    page = client.get(f"/notices/{notice.pk}/")
    assert api.status_code == READS[who], api.content
    assert page.status_code == READS[who]
    if READS[who] != 200:
        assert "停水" not in page.content.decode()
