"""Defects a new user hits (issue #14): words and states on the pages they open first."""

from __future__ import annotations

from django.urls import reverse

from shequ.appeals import services
from shequ.appeals.models import Category


def _appeal(world, **kw):
    return services.appeal_create(
        reporter=world.resident_a,
        kind="help",
        category=Category.objects.get(code="lift"),
        place=world.household_a,
        text="1号楼电梯困人，请尽快处理",
        **kw,
    )


def test_closed_unrated_appeal_shows_no_rating_form(client, world):
    appeal = services.appeal_transition(appeal=_appeal(world), actor=world.handler_x, action="accept")
    appeal = services.appeal_transition(appeal=appeal, actor=world.handler_x, action="resolve", text="好了")
    client.force_login(world.resident_a)
    assert 'name="rating"' in client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    services.appeal_transition(appeal=appeal, actor=None, action="close_unrated")
    assert 'name="rating"' not in client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()


def test_police_consultation_example_is_not_about_blood_pressure(client, world):
    client.force_login(world.resident_a)
    police = client.get(reverse("appeals:report") + "?category=safety&kind=consult").content.decode()
    doctor = client.get(reverse("appeals:report") + "?category=health&kind=consult").content.decode()
    assert "血压" not in police and "报警" in police
    assert "血压" in doctor


def test_report_error_in_the_active_language_only(client, world):
    client.force_login(world.resident_a)
    page = client.get(
        reverse("appeals:report") + "?category=lift&step=3&urgency=normal&place=p" + str(world.household_a.pk)
    )
    assert page.status_code == 200
    body = page.content.decode()
    import re

    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
    data.update({"text": "", "kind": "help"})
    bad = client.post(reverse("appeals:report"), data).content.decode()
    assert "请写一句话说明问题。" in bad and "Please describe" not in bad
    client.cookies["django_language"] = "en"
    bad = client.post(reverse("appeals:report"), data).content.decode()
    assert "Please describe the problem." in bad and "请写一句话说明问题" not in bad


def test_verify_button_reads_as_a_review_not_a_task(client, world):
    client.force_login(world.rc_staff)
    assert "审核住户认证" in client.get(reverse("accounts:profile")).content.decode()


def test_registration_pages_promise_only_what_exists(client, world):
    """Voting exists only for owners on the owners' register (decisions); the pages must say so."""
    from shequ.accounts.models import Residency  # noqa: PLC0415

    register = client.get(reverse("accounts:register")).content.decode()
    assert "参与投票" not in register and "业主名册" in register
    Residency.objects.create(user=world.outsider, household=world.household_b, relation="tenant")
    client.force_login(world.outsider)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "参与投票" not in profile and "业主表决" not in profile  # a tenant never votes


def test_staff_forms_use_our_own_date_and_file_controls(client, world):
    """No native date picker or bare file control (English in many browsers) on the staff forms."""
    import re  # noqa: PLC0415

    client.force_login(world.rc_staff)
    for url in (reverse("notices:create"), reverse("activities:create")):
        html = client.get(url).content.decode()
        assert client.get(url).status_code == 200, url
        assert 'type="date"' not in html and 'type="datetime-local"' not in html, url
        assert "datetime-pick" in html, url
        for tag in re.findall(r"<input[^>]*type=\"file\"[^>]*>", html):
            assert "accept=" in tag, tag
    notice_form = client.get(reverse("notices:create")).content.decode()
    assert 'class="file-pick"' in notice_form and "选择图片或PDF" in notice_form
    appeal = _appeal(world)
    client.force_login(world.handler_x)
    services.appeal_transition(appeal=appeal, actor=world.handler_x, action="accept")
    detail = client.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert 'type="file"' in detail and "拍照或选照片" in detail and 'class="file-pick"' in detail
