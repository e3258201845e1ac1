"""Resident pages and the staff workbench, through the HTTP client on a real database."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from PIL import Image

from shequ.appeals import services
from shequ.appeals.models import Appeal, AppealEvent, Category, EventKind, Status
from shequ.core import clock

pytestmark = pytest.mark.django_db


def cat(code: str) -> Category:
    return Category.objects.get(code=code)


def file_appeal(
    world, *, reporter=None, place=None, code="lift", text="1号楼电梯停了，有老人被困", **kw
) -> Appeal:
    reporter = reporter or world.resident_a
    place = place or world.building_a1
    return services.appeal_create(
        reporter=reporter, kind=kw.pop("kind", "help"), category=cat(code), place=place, text=text, **kw
    )


def png_bytes(name="p.png") -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    buf.seek(0)
    buf.name = name
    return buf


def login(client, user):
    client.force_login(user)
    return client


# ---------------------------------------------------------------- anonymous → login


@pytest.mark.parametrize(
    "name,args,method",
    [
        ("appeals:report", [], "get"),
        ("appeals:report", [], "post"),
        ("appeals:mine", [], "get"),
        ("appeals:public", [], "get"),
        ("appeals:detail", [1], "get"),
        ("appeals:photo", [1, 1, "thumb"], "get"),
        ("appeals:act", [1, "accept"], "post"),
        ("appeals:follow", [1], "post"),
        ("appeals:workbench", [], "get"),
        ("appeals:workbench_queue", [], "get"),
        ("appeals:bulk_accept", [], "post"),
        ("appeals:file", [], "get"),
    ],
)
def test_anonymous_is_sent_to_login(client, world, name, args, method):
    url = reverse(name, args=args)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# ---------------------------------------------------------------- report in three steps


def test_step1_shows_big_category_buttons_and_consultations(client, world):
    login(client, world.resident_a)
    response = client.get(reverse("appeals:report"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-category="lift"' in html
    assert "设施报修" in html and "电梯" in html
    assert "kind=consult&amp;category=health" in html  # 家庭医生
    assert "kind=consult&amp;category=safety" in html  # 警民直通车
    assert 'aria-current="step"' in html


def test_step2_defaults_to_household_and_lists_lift(client, world):
    login(client, world.resident_a)
    response = client.get(reverse("appeals:report"), {"category": "lift"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="p{world.household_a.pk}"' in html
    assert re.search(
        rf'value="s{world.lift_a1.pk}"[^>]*checked', html
    )  # a lift problem: the lift of my building
    assert 'value="urgent"' in html and re.search(
        r'value="urgent"[^>]*checked', html
    )  # the category's default
    assert f'value="p{world.compound_a.pk}"' in html
    assert "1号电梯" in html
    html = client.get(reverse("appeals:report"), {"category": "water"}).content.decode()
    assert re.search(rf'value="p{world.household_a.pk}"[^>]*checked', html)  # otherwise: my home


def test_someone_without_a_home_is_told_how_to_report(client, world):
    login(client, world.outsider)
    html = client.get(reverse("appeals:report"), {"category": "lift"}).content.decode()
    assert 'id="no-household"' in html and "登记" in html
    response = client.post(reverse("appeals:report"), _step3_post(world))
    assert response.status_code in (404, 422)
    assert Appeal.objects.count() == 0


def test_step3_shows_routing_preview_and_token(client, world):
    login(client, world.resident_a)
    response = client.get(
        reverse("appeals:report"),
        {"category": "lift", "place": f"s{world.lift_a1.pk}", "urgency": "emergency", "step": "3"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "将由 甲物业 负责" in html
    assert "30分钟内签收" in html
    assert 'name="token"' in html
    assert 'accept="image/*"' in html and 'capture="environment"' in html


def _step3_post(world, token="tok-1", **extra):
    data = {
        "category": "lift",
        "place": f"s{world.lift_a1.pk}",
        "urgency": "urgent",
        "consult": "False",
        "token": token,
        "kind": "help",
        "text": "1号楼1号电梯停在3楼，门打不开",
    }
    data.update(extra)
    return data


def test_report_submit_creates_one_appeal_even_when_posted_twice(client, world):
    login(client, world.resident_a)
    url = reverse("appeals:report")
    first = client.post(url, _step3_post(world, photos=[png_bytes("a.png"), png_bytes("b.png")]))
    assert first.status_code == 302
    second = client.post(url, _step3_post(world))
    assert second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Appeal.objects.count() == 1
    appeal = Appeal.objects.get()
    assert appeal.spot_id == world.lift_a1.pk
    assert appeal.place_id == world.building_a1.pk
    assert appeal.responsible_party_id == world.company_x.pk
    assert appeal.photos.count() == 2
    # Landing page: who is responsible and the due times at once.
    page = client.get(first["Location"])
    html = page.content.decode()
    assert "甲物业" in html and "010-11110000" in html
    assert "签收剩" in html
    assert "应在" in html
    # A new token files a second appeal.
    client.post(url, _step3_post(world, token="tok-2"))
    assert Appeal.objects.count() == 2


def test_report_private_and_consultation(client, world):
    login(client, world.resident_a)
    url = reverse("appeals:report")
    client.post(url, _step3_post(world, token="p1", private="on"))
    assert Appeal.objects.get().is_public is False
    # Consultation mode skips step 2 and goes to the family doctor, always private.
    page = client.get(url, {"kind": "consult", "category": "health"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "问家庭医生" in html
    assert 'name="consult"' in html and "测试家庭医生团队" in html
    response = client.post(
        url,
        {
            "category": "health",
            "place": f"p{world.household_a.pk}",
            "urgency": "normal",
            "consult": "True",
            "token": "c1",
            "text": "血压偏高需要注意什么？",
        },
    )
    assert response.status_code == 302
    consult = Appeal.objects.get(kind="consult")
    assert consult.is_public is False
    assert consult.responsible_party_id == world.doctors.pk


def test_report_invalid_shows_errors_and_refuses_other_households(client, world):
    login(client, world.resident_a)
    url = reverse("appeals:report")
    response = client.post(url, _step3_post(world, text=""))
    assert response.status_code == 422
    assert "errorlist" in response.content.decode()
    # A place that is not one of mine is not accepted.
    response = client.post(url, _step3_post(world, token="x", place=f"p{world.household_b.pk}"))
    assert response.status_code == 404
    bad = io.BytesIO(b"not an image")
    bad.name = "x.png"
    response = client.post(url, _step3_post(world, token="y", photos=[bad]))
    assert response.status_code == 422
    assert Appeal.objects.count() == 0


# ---------------------------------------------------------------- my appeals, detail, public list


def test_mine_lists_my_appeals_with_chips(client, world, django_assert_max_num_queries):
    for i in range(3):
        file_appeal(world, text=f"问题{i}号")
    file_appeal(world, reporter=world.resident_b, place=world.building_b1, text="别人的问题")
    login(client, world.resident_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("appeals:mine"))
    html = response.content.decode()
    assert html.count('class="appeal-item"') == 3
    assert "别人的问题" not in html
    assert "待签收" in html and "chip-info" in html
    for i in range(12):
        file_appeal(world, text=f"更多问题{i}")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("appeals:mine"))
    assert response.content.decode().count('class="appeal-item"') == 15
    with django_assert_max_num_queries(12):
        client.get(reverse("appeals:mine"), {"page": 2})
    html = client.get(reverse("appeals:mine"), {"show": "done"}).content.decode()
    assert html.count('class="appeal-item"') == 0
    html = client.get(reverse("appeals:mine"), {"show": "open"}).content.decode()
    assert html.count('class="appeal-item"') == 15


def test_private_appeal_of_a_is_404_for_b(client, world):
    appeal = file_appeal(world, place=world.household_a, code="leaks", text="卫生间漏水", is_public=False)
    login(client, world.resident_b)
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
    assert client.post(reverse("appeals:act", args=[appeal.pk, "reply"]), {"text": "hi"}).status_code == 404
    assert client.post(reverse("appeals:follow", args=[appeal.pk]), {"follow": "1"}).status_code == 404
    login(client, world.resident_a)
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 200


def test_public_list_masks_personal_data(client, world, django_assert_max_num_queries):
    for i in range(3):
        file_appeal(world, place=world.household_a, code="leaks", text=f"我家101漏水{i}，请联系13812345678")
    file_appeal(world, text="私密的", is_public=False)
    login(client, world.resident_b)  # a neighbour in the same community
    with django_assert_max_num_queries(12):
        response = client.get(reverse("appeals:public"))
    html = response.content.decode()
    assert html.count('class="appeal-item"') == 3
    assert "张*" in html and "张三" not in html
    assert "13812345678" not in html and "138****5678" in html
    assert "13800000001" not in html
    # no household number in the place, nor anywhere in the text (ids in links and appeal numbers aside:
    # on PostgreSQL the sequences run on across tests, so an id or number may well contain "101")
    places = re.findall(r'<div class="meta">(.*?)</div>', html, flags=re.S)
    assert len(places) == 3 and not any("101" in p for p in places)
    text = re.sub(r'="[^"]*"|\b\d{14}\b|我家101', "", html)
    assert "101" not in text
    assert "私密的" not in html
    # The public page of one appeal is masked too, for a neighbour.
    appeal = Appeal.objects.filter(is_public=True).first()
    page = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "张三" not in page and "13812345678" not in page
    for i in range(10):
        file_appeal(world, text=f"电梯{i}")
    with django_assert_max_num_queries(12):
        client.get(reverse("appeals:public"), {"compound": world.compound_a.pk})


def test_detail_timeline_internal_notes_only_for_staff(client, world):
    appeal = file_appeal(world)
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="note", text="内部：配件周三到")
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="reply", text="师傅已到场")
    login(client, world.resident_a)
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "师傅已到场" in html and "配件周三到" not in html
    login(client, world.handler_x)
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "配件周三到" in html and "师傅已到场" in html


def test_detail_query_count_does_not_grow_with_events(client, world, django_assert_max_num_queries):
    appeal = file_appeal(world, photos=[png_bytes()])
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    login(client, world.handler_x)
    with django_assert_max_num_queries(25) as first:
        client.get(reverse("appeals:detail", args=[appeal.pk]))
    for i in range(10):
        services.appeal_transition(appeal=appeal, actor=world.handler_x, action="note", text=f"备注{i}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("appeals:detail", args=[appeal.pk]))
    assert response.content.decode().count('data-kind="note"') == 10


def test_detail_partial_for_live_refresh(client, world):
    appeal = file_appeal(world)
    login(client, world.resident_a)
    page = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert 'id="appeal-live"' in page and "notifications/live.js" in page
    partial = client.get(
        reverse("appeals:detail", args=[appeal.pk]), {"partial": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and 'id="timeline"' in partial


def test_photo_route_checks_permission(client, world):
    appeal = file_appeal(world, place=world.household_a, code="leaks", is_public=False, photos=[png_bytes()])
    photo = appeal.photos.get()
    login(client, world.resident_a)
    response = client.get(reverse("appeals:photo", args=[appeal.pk, photo.pk, "thumb"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    b"".join(response.streaming_content)
    login(client, world.resident_b)
    assert client.get(reverse("appeals:photo", args=[appeal.pk, photo.pk, "full"])).status_code == 404
    login(client, world.handler_x)
    assert client.get(reverse("appeals:photo", args=[appeal.pk, photo.pk, "full"])).status_code == 200


def test_resident_confirms_and_rates(client, world):
    appeal = file_appeal(world)
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="已更换控制板")
    login(client, world.resident_a)
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert 'id="feedback"' in html and "基本满意" in html
    response = client.post(
        reverse("appeals:act", args=[appeal.pk, "feedback"]),
        {"solved": "yes", "rating": "satisfied", "next": "/evil.example"},
    )
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.rating == "satisfied" and appeal.solved is True
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert EventKind.CONFIRMED in kinds and EventKind.RATED in kinds


def test_not_solved_reopens(client, world):
    appeal = file_appeal(world)
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="已处理")
    login(client, world.resident_a)
    client.post(
        reverse("appeals:act", args=[appeal.pk, "feedback"]), {"solved": "no", "rating": "unsatisfied"}
    )
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS and appeal.rating == "unsatisfied"


def test_follow_a_public_appeal(client, world):
    appeal = file_appeal(world)
    login(client, world.resident_a2)
    html = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "关注进展" in html
    client.post(reverse("appeals:follow", args=[appeal.pk]), {"follow": "1"})
    assert appeal.followers.filter(pk=world.resident_a2.pk).exists()
    assert client.get(reverse("appeals:mine")).content.decode().count('class="appeal-item"') == 1


def test_resident_cannot_do_staff_actions(client, world):
    appeal = file_appeal(world)
    login(client, world.resident_a)
    response = client.post(reverse("appeals:act", args=[appeal.pk, "accept"]))
    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED
    login(client, world.resident_a2)  # a neighbour may see it but not act
    response = client.post(reverse("appeals:act", args=[appeal.pk, "resolve"]), {"text": "x"})
    assert response.status_code == 403


# ---------------------------------------------------------------- workbench


def test_workbench_requires_staff(client, world):
    login(client, world.resident_a)
    assert client.get(reverse("appeals:workbench")).status_code == 403
    assert client.get(reverse("appeals:workbench_queue")).status_code == 403
    assert client.post(reverse("appeals:bulk_accept"), {"ids": [1]}).status_code == 403
    assert client.get(reverse("appeals:file")).status_code == 403


def test_workbench_queue_filters_and_query_count(client, world, django_assert_max_num_queries):
    lift = file_appeal(world, urgency="emergency")
    file_appeal(world, code="water", text="停水了")
    file_appeal(world, reporter=world.resident_b, place=world.building_b1, text="乙小区的事")
    login(client, world.handler_x)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("appeals:workbench"))
    html = response.content.decode()
    assert 'id="workbench-queue"' in html
    assert html.count("data-appeal=") == 2
    assert "乙小区的事" not in html
    assert "签收剩" in html and "chip-ok" in html
    # The most pressing first: the emergency (30 minutes to accept) above the normal ones (2 hours).
    assert html.index(f'data-appeal="{lift.pk}"') < html.index("停水了")
    html = client.get(reverse("appeals:workbench"), {"urgency": "emergency"}).content.decode()
    assert html.count("data-appeal=") == 1 and f'data-appeal="{lift.pk}"' in html
    html = client.get(reverse("appeals:workbench"), {"category": "facilities"}).content.decode()
    assert html.count("data-appeal=") == 2
    html = client.get(reverse("appeals:workbench"), {"overdue": "on"}).content.decode()
    assert html.count("data-appeal=") == 0
    for i in range(20):
        file_appeal(world, text=f"批量{i}")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("appeals:workbench"))
    assert response.content.decode().count("data-appeal=") == 22
    with django_assert_max_num_queries(14):
        response = client.get(reverse("appeals:workbench_queue"), HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith("<section")


def test_time_left_chips_go_green_amber_red_overdue(client, world):
    now = clock.now()
    for minutes, text in ((0, "刚提交"), (70, "过了70分钟"), (100, "过了100分钟"), (180, "过了3小时")):
        with clock.frozen(now - timedelta(minutes=minutes)):
            file_appeal(world, code="water", text=text)
    login(client, world.handler_x)
    html = client.get(reverse("appeals:workbench")).content.decode()

    def chip_for(text):
        row = html[html.index(text) :]
        row = row[: row.index("</tr>")]
        return re.search(r'class="chip (chip-\w+)" title', row).group(1)

    assert chip_for("刚提交") == "chip-ok"
    assert chip_for("过了70分钟") == "chip-warn"
    assert chip_for("过了100分钟") == "chip-bad"
    assert chip_for("过了3小时") == "chip-overdue"
    assert "签收已超时1小时" in html
    # Overdue first, and the overdue filter finds exactly that one.
    assert html.index("过了3小时") < html.index("过了100分钟") < html.index("刚提交")
    html = client.get(reverse("appeals:workbench"), {"overdue": "on"}).content.decode()
    assert html.count("data-appeal=") == 1 and "过了3小时" in html


def test_workbench_selected_appeal_and_htmx_partial(client, world):
    appeal = file_appeal(world)
    login(client, world.handler_x)
    html = client.get(reverse("appeals:workbench"), {"selected": appeal.pk}).content.decode()
    assert 'id="do-accept"' in html and 'id="staff-actions"' in html
    partial = client.get(
        reverse("appeals:workbench"), {"selected": appeal.pk, "pane": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "<html" not in partial and 'id="do-accept"' in partial
    response = client.post(reverse("appeals:act", args=[appeal.pk, "accept"]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "queue-changed"
    appeal.refresh_from_db()
    assert appeal.status == Status.ACCEPTED


def test_every_staff_action_through_the_pages(client, world):
    appeal = file_appeal(world)
    login(client, world.handler_x)
    url = lambda action: reverse("appeals:act", args=[appeal.pk, action])  # noqa: E731
    client.post(url("accept"))
    client.post(url("reply"), {"text": "已安排师傅"})
    client.post(url("note"), {"text": "内部备注"})
    client.post(url("pause"), {"reason": "等配件"})
    appeal.refresh_from_db()
    assert appeal.status == Status.PAUSED
    client.post(url("resume"), {"reason": "配件到了"})
    client.post(url("escalate"), {"reason": "需要环物会协调"})
    appeal.refresh_from_db()
    assert appeal.escalation_level == 1 and appeal.escalated_to_id == world.env_committee.pk
    client.post(url("resolve"), {"text": "已修好", "photos": [png_bytes()]})
    appeal.refresh_from_db()
    assert appeal.status == Status.RESOLVED and appeal.outcome == "已修好"
    assert appeal.photos.filter(stage="resolution").count() == 1
    kinds = list(AppealEvent.objects.filter(appeal=appeal).values_list("kind", flat=True))
    for kind in ("accepted", "replied", "note", "paused", "resumed", "escalated", "resolved"):
        assert kind in kinds


def test_return_and_transfer_need_reason(client, world):
    appeal = file_appeal(world)
    login(client, world.handler_x)
    response = client.post(reverse("appeals:act", args=[appeal.pk, "return"]), {"reason": ""}, follow=True)
    assert "原因" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED
    client.post(reverse("appeals:act", args=[appeal.pk, "return"]), {"reason": "不属于物业范围"})
    appeal.refresh_from_db()
    assert appeal.status == Status.SUBMITTED and appeal.responsible_party_id == world.rc.pk
    # The residents' committee dispatches it on.
    login(client, world.rc_staff)
    client.post(reverse("appeals:act", args=[appeal.pk, "dispatch"]), {"to_party": world.mutual_aid.pk})
    appeal.refresh_from_db()
    assert appeal.responsible_party_id == world.mutual_aid.pk and appeal.status == Status.DISPATCHED


def test_company_y_cannot_act_on_company_x_appeal(client, world):
    appeal = file_appeal(world)
    login(client, world.handler_y)
    assert client.get(reverse("appeals:detail", args=[appeal.pk])).status_code == 404
    assert client.post(reverse("appeals:act", args=[appeal.pk, "accept"])).status_code == 404
    assert client.get(reverse("appeals:workbench"), {"selected": appeal.pk}).status_code == 404
    client.post(reverse("appeals:bulk_accept"), {"ids": [appeal.pk]})
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED


def test_observer_sees_but_cannot_act(client, world):
    appeal = file_appeal(world)
    login(client, world.observer)
    response = client.get(reverse("appeals:detail", args=[appeal.pk]))
    assert response.status_code == 200
    assert 'id="do-accept"' not in response.content.decode()
    assert 'id="observer-note"' in response.content.decode()
    assert client.get(reverse("appeals:workbench")).status_code == 200
    for action in ("accept", "reply", "note", "escalate", "resolve"):
        response = client.post(reverse("appeals:act", args=[appeal.pk, action]), {"text": "x", "reason": "x"})
        assert response.status_code == 403, action
    assert client.post(reverse("appeals:bulk_accept"), {"ids": [appeal.pk]}).status_code == 403
    assert client.get(reverse("appeals:file")).status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED
    assert appeal.events.count() == 2


def test_escalated_appeal_reaches_the_env_committee_workbench(client, world):
    appeal = file_appeal(world)
    login(client, world.handler_x)
    client.post(reverse("appeals:act", args=[appeal.pk, "escalate"]), {"reason": "物业人手不足"})
    login(client, world.env_director)
    html = client.get(reverse("appeals:workbench")).content.decode()
    assert f'data-appeal="{appeal.pk}"' in html
    pane = client.get(
        reverse("appeals:workbench"), {"selected": appeal.pk, "pane": "1"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-action="reply"' in pane and 'id="do-accept"' not in pane
    assert "物业人手不足" in pane


def test_htmx_action_error_comes_back_in_the_pane(client, world):
    appeal = file_appeal(world)
    login(client, world.handler_x)
    response = client.post(
        reverse("appeals:act", args=[appeal.pk, "return"]), {"reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "message error" in html and "<html" not in html
    appeal.refresh_from_db()
    assert appeal.status == Status.DISPATCHED


def test_bulk_accept(client, world):
    mine = [file_appeal(world, text=f"第{i}件") for i in range(3)]
    other = file_appeal(world, reporter=world.resident_b, place=world.building_b1)
    login(client, world.handler_x)
    response = client.post(
        reverse("appeals:bulk_accept"), {"ids": [a.pk for a in mine] + [other.pk]}, follow=True
    )
    html = response.content.decode()
    assert "已签收 3 件" in html
    assert all(Appeal.objects.get(pk=a.pk).status == Status.ACCEPTED for a in mine)
    assert Appeal.objects.get(pk=other.pk).status == Status.DISPATCHED


def test_file_on_behalf_of_a_resident_and_from_patrol(client, world, django_assert_max_num_queries):
    login(client, world.handler_x)
    with django_assert_max_num_queries(16):
        page = client.get(reverse("appeals:file")).content.decode()
    assert "<optgroup" in page and "甲小区 1号楼 1号电梯" in page and "乙小区" not in page
    page = client.get(reverse("appeals:file"), {"q": world.resident_a.phone})
    assert page.status_code == 200 and "找到居民：张三" in page.content.decode()
    page = client.get(
        reverse("appeals:file"), {"q": "张"}
    ).content.decode()  # by name: both Zhangs of compound A
    assert 'id="lookup-matches"' in page and "张小三" in page and "13800000001" in page
    page = client.get(reverse("appeals:file"), {"q": world.resident_b.phone}).content.decode()
    assert "李四" not in page  # compound B is not company X's: no lookup outside one's area
    response = client.post(
        reverse("appeals:file"),
        {
            "source": "staff",
            "category": "water",
            "place": "household",
            "urgency": "normal",
            "kind": "help",
            "resident_phone": world.resident_a.phone,
            "resident_name": "张三",
            "text": "来电：厨房没水",
            "token": "f1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    appeal = Appeal.objects.get()
    assert appeal.reporter_id == world.resident_a.pk and appeal.filed_by_id == world.handler_x.pk
    assert appeal.source == "staff" and appeal.place_id == world.household_a.pk
    response = client.post(
        reverse("appeals:file"),
        {
            "source": "patrol",
            "category": "lift",
            "place": f"s{world.lift_a1.pk}",
            "urgency": "urgent",
            "kind": "report",
            "text": "巡查发现电梯异响",
            "token": "f2",
        },
    )
    assert response.status_code == 302
    patrol = Appeal.objects.get(source="patrol")
    assert patrol.reporter_id == world.handler_x.pk and patrol.spot_id == world.lift_a1.pk
    # Filing it themselves does not hide the staff actions from the handler.
    html = client.get(reverse("appeals:detail", args=[patrol.pk])).content.decode()
    assert 'id="do-accept"' in html and 'id="feedback"' not in html
    # The same token again does not file a second one.
    client.post(
        reverse("appeals:file"),
        {
            "source": "patrol",
            "category": "lift",
            "place": f"s{world.lift_a1.pk}",
            "urgency": "urgent",
            "kind": "report",
            "text": "巡查发现电梯异响",
            "token": "f2",
        },
    )
    assert Appeal.objects.count() == 2
    # A caller without an account: pick the household by its number, keep name and phone on an internal note.
    page = client.get(reverse("appeals:file"), {"q": "201"}).content.decode()
    assert f"?household={world.household_a2.pk}" in page and "302" not in page
    page = client.get(reverse("appeals:file"), {"q": "2号楼 201"}).content.decode()
    assert f"?household={world.household_a2.pk}" in page
    page = client.get(reverse("appeals:file"), {"q": "1号楼 201"}).content.decode()
    assert f"?household={world.household_a2.pk}" not in page
    page = client.get(reverse("appeals:file"), {"household": world.household_a2.pk}).content.decode()
    assert "已选房屋" in page
    response = client.post(
        reverse("appeals:file") + f"?household={world.household_a2.pk}",
        {
            "source": "staff",
            "category": "leaks",
            "place": "household",
            "urgency": "normal",
            "kind": "help",
            "resident_name": "老赵",
            "resident_phone": "13700000000",
            "household": world.household_a2.pk,
            "text": "来访：楼上渗水",
            "token": "f4",
        },
    )
    assert response.status_code == 302
    walkin = Appeal.objects.get(text="来访：楼上渗水")
    assert walkin.place_id == world.household_a2.pk and walkin.reporter_id == world.handler_x.pk
    note = walkin.events.get(kind="note")
    assert note.is_public is False and "老赵" in note.text and "13700000000" in note.text
    login(client, world.resident_a2)  # the household's resident sees it
    assert client.get(reverse("appeals:detail", args=[walkin.pk])).status_code == 200
    login(client, world.handler_x)
    # Company X cannot file for compound B, nor pick a household there.
    page = client.get(reverse("appeals:file"), {"household": world.household_b.pk}).content.decode()
    assert "已选房屋" not in page
    response = client.post(
        reverse("appeals:file"),
        {
            "source": "patrol",
            "category": "lift",
            "place": f"p{world.building_b1.pk}",
            "urgency": "urgent",
            "kind": "report",
            "text": "乙小区",
            "token": "f3",
        },
    )
    assert response.status_code == 422
