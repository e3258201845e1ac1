"""Chinese first: the browser's Accept-Language does not switch the site; the 中文/EN button does."""

import pytest


@pytest.mark.django_db
def test_english_browser_still_gets_chinese(client):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in body


@pytest.mark.django_db
def test_language_switch_is_remembered(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    response = client.get("/accounts/login/")
    assert 'lang="en"' in response.content.decode()
    assert response["Content-Language"] == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/accounts/login/"})
    assert 'lang="zh-hans"' in client.get("/accounts/login/").content.decode()
