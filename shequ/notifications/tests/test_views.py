"""消息设置 wording."""

from __future__ import annotations

import re

from django.urls import reverse


def test_preferences_promise_only_the_channels_offered(client, world):
    """消息设置 names exactly the channels that have a column (no WeChat promise without a WeChat column)."""
    client.force_login(world.resident_a)
    html = client.get(reverse("notifications:preferences")).content.decode()
    sentence = re.search(r"同时通过(.*?)告诉您", html).group(1)
    headers = re.findall(r'<th scope="col">(.*?)</th>', html)
    for name in ("电子邮件", "短信", "微信"):
        assert (name in sentence) == (name in headers), name
