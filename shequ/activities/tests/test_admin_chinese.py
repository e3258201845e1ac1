"""The 社区服务 admin pages speak Chinese: no English field label left (issue #14, admin fully in Chinese)."""

from __future__ import annotations

import re

import pytest

from shequ.accounts.models import User


@pytest.mark.parametrize("model", ["activity", "booking", "venue", "venueslot"])
def test_activities_admin_forms_have_chinese_labels(client, db, model):
    admin = User.objects.create_superuser(phone="13800009999", password="x-admin-pass", real_name="管理员")
    client.force_login(admin)
    html = client.get(f"/admin/activities/{model}/add/").content.decode()
    labels = re.findall(r"<label[^>]*>([^<]+)</label>", html)
    english = [t for t in labels if re.fullmatch(r"[A-Za-z][A-Za-z ]+:?", t.strip())]
    assert not english, english
