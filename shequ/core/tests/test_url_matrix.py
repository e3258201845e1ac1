"""Every URL pattern and every API operation × every HTTP method × five personas (issues #8 and #9).

The expected answer comes from the table below (URL → required capability) and, for the pages and
operations of one appeal, from the declared role policy `access.POLICY` — never from the code under
test. Path parameters are filled with real ids (`_ids`): a private appeal of household A (building A1,
compound A), a notice, an election, a forum board and topic, a venue of the residents' committee.

Rules checked on every cell:
* any 500 fails;
* "refused" is 401/403/404/405 (a 404 counts as refused) or, for a page, the login redirect; an
  anonymous API call (an operation the schema declares) is exactly 401;
* an anonymous visitor is refused everywhere but "public" URLs;
* an observer never writes: no POST/PUT/PATCH/DELETE of theirs INSERTs, UPDATEs or DELETEs a row of
  the product's tables (the SQL is watched), except on "self" URLs (their own session, language,
  notification marks);
* pages answer PUT/PATCH/DELETE with 405 (`core.middleware`): forms and links use GET and POST;
* a resident and a volunteer are refused on "staff" URLs (every method);
* on one appeal's URLs, a persona whose POLICY grant shows the appeal as "none" is refused for every
  method (an observer, whose grant reads masked, is held by the no-write rule).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver

from shequ.appeals.access import NONE, POLICY
from shequ.appeals.models import Category
from shequ.core.tests.test_every_url import PUBLIC, PUBLIC_PREFIXES

METHODS = ("get", "post", "put", "patch", "delete")
WRITES = ("post", "put", "patch", "delete")
REFUSED = (401, 403, 404, 405)

# URL (route regex, first match wins) → the capability it requires.
#   public — anyone; self — any signed-in user, observers included, writes too (their own settings);
#   login  — any signed-in user (objects and roles are checked inside); observers only read;
#   staff  — acting staff of a party (an organiser's page, a dashboard, an import); residents and
#            volunteers are refused, observers only read;
#   organiser — staff or a volunteer with places (the workbench, a notice or activity of their
#            building); residents are refused;
# Queues that list the viewer's own parties' items (verification, funds review, summonses,
# escalations) and public disclosures (the league table, an election's box and export) are "login":
# what they list is checked by their own tests.
#   appeal — the pages and operations of one appeal: POLICY decides (see the module docstring).
CAPABILITIES: list[tuple[str, str]] = [
    (r"^accounts/(logout|password|logins)/", "self"),
    (r"^api/v1/(auth/logout|me/password|me/logins)", "self"),
    (r"^(i18n/setlang/|prefs/large-type|home/switch)$", "self"),
    (r"^notifications/", "self"),
    (r"^(forum/mute/|api/v1/forum/users/<user_id>/mute)", "self"),  # hiding someone's posts for oneself
    (r"^api/v1/notifications", "self"),
    (r"^api/v1/(auth/login|auth/register)$", "public"),
    (r"^accounts/(login|register|password/reset)/", "public"),
    (r"^appeals/<int:pk>", "appeal"),
    (r"^api/v1/appeals/<int:appeal_id>", "appeal"),
    (r"^supervision/appeals/<int:appeal_id>", "appeal"),
    (r"^appeals/workbench", "organiser"),
    (r"^(activities|notices)/new", "organiser"),
    (r"^activities/approvals", "organiser"),
    (r"^activities/venues/<int:pk>/slots", "staff"),
    (r"^analytics/(community|street|hotline)", "staff"),
    (r"^api/v1/analytics/(community|street|hotline)", "staff"),
    (r"^(elections|decisions|meetings|projects)/new", "staff"),
    (r"^elections/<int:pk>/(roll|paper)", "staff"),
    (r"^api/v1/elections/<election_id>/(roll|paper|appointed|publicise|open|close)", "staff"),
    (r"^decisions/<int:pk>/ballots", "staff"),
    (r"^api/v1/register/<compound_id>/import", "staff"),
    (r"^supervision/summonses/<int:pk>", "staff"),
    (r"", "login"),
]
# Each persona: its row of POLICY and where the appeal under test (private, household A) lies for it.
PERSONAS = {
    "anonymous": (None, None),
    "resident_b": ("resident", "other_building"),
    "building_leader": ("volunteer", "same_building"),  # of building A1: the appeal's own building
    "handler_y": ("staff:property_company", "other_building"),  # company Y serves compound B only
    "observer": ("observer", "same_building"),  # of the street office
}


def _routes(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("admin/"):
                yield from _routes(entry, route)
        elif isinstance(entry, URLPattern):
            yield route


def capability(route: str) -> str:
    bare = route.lstrip("^")
    if bare in PUBLIC or bare.startswith(PUBLIC_PREFIXES):
        return "public"
    return next(cap for pattern, cap in CAPABILITIES if re.search(pattern, bare))


@pytest.fixture
def ids(world):
    """Real ids for every kind of path parameter the URLs take (unknown kinds: the appeal's id)."""
    from shequ.activities import services as activities
    from shequ.appeals import services as appeals
    from shequ.elections import services as elections
    from shequ.forum import services as forum
    from shequ.notices import services as notices

    appeal = appeals.appeal_create(
        reporter=world.resident_a,
        kind="help",
        category=Category.objects.get(code="lift"),
        place=world.household_a,
        text="家里漏水，不公开",
        is_public=False,
    )
    notice = notices.notice_create(
        author=world.rc_staff,
        party=world.rc,
        channel="community",
        place=world.community,
        title="停水通知",
        body="明天停水",
    )
    election = elections.election_create(
        actor=world.rc_staff,
        organiser=world.rc,
        place=world.community,
        kind="env_committee",
        electorate="representatives",
        title="环物会业主委员选举",
        seats=6,
        max_choices=6,
        alternates=1,
    )
    board = forum.board_ensure(place=world.community)
    topic = forum.topic_create(author=world.resident_a, board=board, title="楼道灯", body="灯坏了")
    venue = activities.venue_create(
        actor=world.rc_staff, owner=world.rc, place=world.community, name="活动室", capacity=20
    )
    residency = world.resident_a.residencies.first()
    return {
        "pk": appeal.pk,
        "appeal_id": appeal.pk,
        "notice_id": notice.pk,
        "election_id": election.pk,
        "board_id": board.pk,
        "topic_id": topic.pk,
        "venue_id": venue.pk,
        "user_id": world.resident_a.pk,
        "residency_id": residency.pk,
        "party_id": world.rc.pk,
        "compound_id": world.compound_a.pk,
        "community_id": world.community.pk,
        "building_id": world.building_a1.pk,
        "station_id": world.mutual_aid.pk,
        "_pk_by_prefix": {
            "notices/": notice.pk,
            "elections/": election.pk,
            "forum/board/": board.pk,
            "forum/topic/": topic.pk,
            "activities/venues/": venue.pk,
            "accounts/verify/": residency.pk,
        },
    }


def fill(route: str, ids: dict) -> str | None:
    route = route.lstrip("^").rstrip("$").replace("\\Z", "")
    if "(?P" in route or "\\" in route:
        return None  # static and media: not views of ours
    pk = next((v for p, v in ids["_pk_by_prefix"].items() if route.startswith(p)), ids["pk"])

    def one(m: re.Match) -> str:
        conv, name = m.group(1), m.group(2)
        if name == "pk":
            return str(pk)
        if name in ids:
            return str(ids[name])
        if conv in ("str", "slug") or name in ("kind", "action", "step", "size"):
            return {"kind": "topic", "action": "note", "step": "accept", "size": "thumb"}.get(name, "x")
        return str(ids["appeal_id"])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", one, route)


def _refused(response, *, api: bool, wrote: bool) -> bool:
    """Refused: 401/403/404/405, a page's login redirect, or a body the schema or form rejects (422)
    with nothing written — the same answer for every id, so it reveals nothing either; a page's POST
    redirected back with nothing written."""
    if wrote:
        return False
    if response.status_code in REFUSED or response.status_code == 422:
        return True
    if not api and response.status_code == 302 and response.request["REQUEST_METHOD"] == "POST":
        return True  # a page's form sent back to where it came from, with its error message
    return not api and response.status_code == 302 and "/accounts/login/" in response.get("Location", "")


def _declared_operations(client) -> set[tuple[str, str]]:
    """(path regex, method) for every operation of the OpenAPI schema."""
    schema = client.get("/api/v1/openapi.json").json()
    out = set()
    for path, ops in schema["paths"].items():
        rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
        out |= {(rx, m) for m in ops if m in METHODS}
    return out


# Writes that are not the persona's doing to the product's data: their session, the login lockout's
# records, the rate limiter and the request log.
NOT_A_WRITE = ("django_session", "axes_", "core_idempotency", "django_admin_log")


MAX_QUERIES_PER_CELL = 100


class Writes:
    """Records the tables a request INSERTs into, UPDATEs or DELETEs from (an observer's must stay empty)."""

    def __init__(self) -> None:
        self.tables: set[str] = set()
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        head = sql.lstrip()[:200].upper()
        m = re.match(r'(INSERT INTO|UPDATE|DELETE FROM)\s+"?(\w+)"?', head)
        if m and not m.group(2).lower().startswith(NOT_A_WRITE):
            self.tables.add(m.group(2).lower())
        return execute(sql, params, many, context)


def _expected_refusal(persona: str, route: str, method: str) -> str | None:
    """Why this cell must be refused (None: the table allows it, or says nothing beyond "no 500")."""
    cls, relation = PERSONAS[persona]
    cap = capability(route)
    if cap == "public":
        return None
    if cls is None:
        return "anonymous"
    if cap == "appeal":
        grant = POLICY[cls][relation]
        if grant.private == NONE:
            return f"POLICY[{cls}][{relation}].private is none"
        return None
    if cap == "staff" and cls in ("resident", "volunteer"):
        return "staff only"
    if cap == "organiser" and cls == "resident":
        return "staff or volunteers only"
    return None


@pytest.mark.django_db
@pytest.mark.parametrize("persona", list(PERSONAS))
def test_every_url_and_method_follows_the_capability_table(client, world, ids, persona):
    client.raise_request_exception = False  # a 500 is a failed cell, listed with the others
    user = getattr(world, persona, None)
    if user is not None:
        client.force_login(user)
    declared = _declared_operations(client)
    routes = sorted(set(_routes(get_resolver())))
    assert len(routes) > 250, "the walk found the site's URLs"
    wrong, cells, heaviest = [], 0, (0, "")
    for route in routes:
        path = fill(route, ids)
        if path is None:
            continue
        api = path.startswith("/api/")
        for method in METHODS:
            if route.endswith("notifications/stream") and method == "get":
                continue  # an endless event stream; its login check is in test_every_url
            writes = Writes()
            with connection.execute_wrapper(writes):
                response = getattr(client, method)(path, content_type="application/json")
            cells += 1
            heaviest = max(heaviest, (writes.queries, f"{method.upper()} {path}"))
            code = response.status_code
            if code >= 500:
                wrong.append((persona, method.upper(), path, code, "server error"))
                continue
            is_declared = any(m == method and re.match(rx, path) for rx, m in declared)
            reason = _expected_refusal(persona, route, method)
            if persona == "anonymous" and api and is_declared and reason and code != 401:
                wrong.append((persona, method.upper(), path, code, "anonymous API call must be 401"))
            elif reason and not _refused(response, api=api, wrote=bool(writes.tables)):
                wrong.append((persona, method.upper(), path, code, reason, sorted(writes.tables)))
            elif persona == "observer" and method in WRITES and capability(route) != "self" and writes.tables:
                wrong.append((persona, method.upper(), path, code, f"observer wrote {sorted(writes.tables)}"))
            if user is not None and capability(route) == "self" and method != "get":
                client.force_login(user)  # the cell may have ended the session (logout, password)
    assert cells > 1000
    assert not wrong, f"{len(wrong)} cells read or did more than the table allows:\n" + "\n".join(
        map(str, wrong)
    )
    # Bounded by work, not by the wall clock (a shared machine's load is no test result): no cell
    # may run more than MAX_QUERIES_PER_CELL queries, whatever the persona.
    print(f"{persona}: {cells} cells, heaviest {heaviest}")
    assert heaviest[0] <= MAX_QUERIES_PER_CELL, f"the heaviest cell runs {heaviest[0]} queries: {heaviest[1]}"
