from __future__ import annotations

from django.urls import reverse

from shequ.accounts import services
from shequ.accounts.models import Residency, User


def test_admin_pages_and_verify_action(client, world):
    admin = User.objects.create_superuser(phone="13000000000", password="admin-pass-1")
    pending = services.user_register(
        phone="13700000001",
        real_name="王五",
        password="huayuan-2024",
        household=world.household_a,
        relation="family",
    )
    client.force_login(admin)
    for url in (
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_user_change", args=[pending.pk]),
        reverse("admin:accounts_residency_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "13700000002",
            "real_name": "新用户",
            "password1": "huayuan-2024",
            "password2": "huayuan-2024",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(phone="13700000002").check_password("huayuan-2024")
    residency = Residency.objects.get(user=pending)
    client.post(
        reverse("admin:accounts_residency_changelist"),
        {"action": "verify_selected", "_selected_action": [residency.pk]},
    )
    residency.refresh_from_db()
    assert residency.status == "verified" and residency.verified_by == admin


def test_admin_needs_staff(client, world):
    client.force_login(world.rc_staff)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
