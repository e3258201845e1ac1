"""The admin speaks Chinese: section headings, the login guard's pages, Django's newest labels."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from shequ.accounts.models import User


@pytest.fixture
def admin_client(client, db):
    admin = User.objects.create_superuser(phone="13800009999", password="x-admin-pass", real_name="管理员")
    client.force_login(admin)
    return client


def _words(html: str) -> set[str]:
    html = re.sub(r"<script.*?</script>|<style.*?</style>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", "\n", html)
    return {line.strip() for line in text.split("\n") if line.strip()}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/axes/accessattempt/",
        "/admin/axes/accesslog/",
        "/admin/axes/accessfailurelog/",
    ],
)
def test_admin_headings_are_chinese(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    words = _words(response.content.decode())
    english = {
        "Accounts",
        "Axes",
        "Access attempts",
        "Access logs",
        "Access failures",
        "Appeals",
        "Notifications",
        "Forum",
        "Activities",
        "Add link",
        "Change or view list link",
        "Model name",
        "Attempt Time",
        "Path",
    }
    assert not words & english, words & english
    assert "登录防护" in words and "账号与住户" in words


def test_admin_index_url_exists():
    assert reverse("admin:index") == "/admin/"


# Field names of django-axes' own models that are HTTP terms, shown as such (the header and the hash).
AXES_TECHNICAL = {"http_accept", "session_hash"}


def test_every_admin_model_and_field_has_a_chinese_label():
    """Generated over the admin's registry: every registered model's names and every field label the admin
    shows (list columns, filters, forms) contain Chinese — a new field without `verbose_name` fails here."""
    from django.contrib import admin

    cjk = re.compile(r"[\u4e00-\u9fff]")
    english = []
    for model in admin.site._registry:
        meta = model._meta
        for name in (meta.verbose_name, meta.verbose_name_plural):
            if not cjk.search(str(name)):
                english.append(f"{meta.label}: {name}")
        for field in meta.get_fields():
            if (field.auto_created and not field.concrete) or field.name == "id":
                continue
            if field.name in AXES_TECHNICAL and meta.app_label == "axes":
                continue
            if not cjk.search(str(getattr(field, "verbose_name", ""))):
                english.append(f"{meta.label}.{field.name}")
    assert not english, english
