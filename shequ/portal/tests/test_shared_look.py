"""The shared look owned by this helper: error pages, large type, partials."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.template import Context, RequestContext, Template
from django.test import RequestFactory


def test_404_page_uses_the_shared_look(client, world):
    client.force_login(world.resident_a)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "没有找到这个页面" in html and "app.css" in html


def test_large_type_toggle_sets_cookie_and_stays_on_site(client, db):
    response = client.post("/prefs/large-type", {"next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies["shequ_large"].value == "1"
    html = client.get("/accounts/login/").content.decode()
    assert 'class="large"' in html and "标准字" in html
    response = client.post("/prefs/large-type", {"next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert response.cookies["shequ_large"].value == "0"


def test_pagination_partial_keeps_filters(db):
    request = RequestFactory().get("/x/", {"status": "open", "page": "2"})
    page = Paginator(list(range(50)), 10).get_page(2)
    html = Template('{% include "core/_pagination.html" with page_obj=page %}').render(
        RequestContext(request, {"page": page})
    )
    assert "status=open&amp;page=1" in html and "status=open&amp;page=3" in html
    assert "第 2 / 5 页" in html


def test_form_field_partial_shows_errors_and_choices(db):
    from shequ.accounts.forms import RelationForm

    form = RelationForm({"relation": "nope"})
    form.is_valid()
    html = Template('{% include "core/_form_field.html" with field=form.relation %}').render(
        Context({"form": form})
    )
    assert "field-error" in html and "errorlist" in html
    assert html.count('class="choice"') == 3 and "业主" in html


def test_empty_partial(db):
    html = Template(
        '{% include "core/_empty.html" with text="暂无" action_url="/a/" action_label="去看看" %}'
    ).render(Context({}))
    assert "暂无" in html and 'href="/a/"' in html and "去看看" in html
