"""A realistic appeal history, generated with set-based SQL on PostgreSQL.

`generate(appeals=N)` adds N appeals with their timelines to a database that already holds the demo
community (`demo_load`): one generated resident per household (the demo residents keep their own
homes), appeals spread over three years with more in recent months, categories skewed towards
repairs, routed the way `shequ.appeals.routing` routes them (computed once per compound × category),
and statuses like a real district: nearly everything older than a month closed and rated, the last
fortnight still open in every state, a few per cent of the open ones overdue (and already escalated
to the top of the ladder, as the sweeper would have done).

Every row is written by a handful of INSERT … SELECT statements over generate_series; foreign-key
triggers are switched off (session_replication_role) and the secondary indexes rebuilt afterwards, so
1,000,000 appeals take minutes, not hours. The ids are reserved first so each appeal's number
(YYYYMMDD + id, as `appeal_create` writes it) is computed in the same INSERT.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection

APPEAL_TABLE = "appeals_appeal"
EVENT_TABLE = "appeals_appealevent"
USER_PHONE_PREFIX = "170"  # generated residents: 170 + 8 digits (the demo uses 138/139)

# Share of appeals by status for appeals younger than a fortnight (older ones are closed, see SQL).
RECENT_STATUS = (
    ("submitted", 0.03),
    ("dispatched", 0.12),
    ("accepted", 0.15),
    ("in_progress", 0.20),
    ("paused", 0.02),
    ("resolved", 0.18),
    ("closed", 0.30),
)


@dataclass
class Generated:
    appeals: int
    events: int
    users: int
    seconds: float


def _exec(sql: str, params: list | tuple | None = None) -> int:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.rowcount


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE statement) of every index that backs no constraint."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = %s AND i.schemaname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
            """,
            [table],
        )
        return list(cur.fetchall())


def _routes(compounds: list[int]) -> list[tuple[int, int, int | None, int | None, bool, str]]:
    """(compound_id, category_id, party_id, dispatcher_id, dispatched, kind) per compound × category,
    computed by the product's own routing rules on one household of each compound."""
    from shequ.appeals import routing
    from shequ.appeals.models import Category, Kind
    from shequ.directory.models import Place, PlaceKind

    parents = set(Category.objects.filter(parent__isnull=False).values_list("parent_id", flat=True))
    categories = [c for c in Category.objects.filter(is_active=True) if c.pk not in parents]
    out = []
    for compound_id in compounds:
        household = Place.objects.filter(kind=PlaceKind.HOUSEHOLD, compound_id=compound_id).first()
        for category in categories:
            found = routing.route(category=category, place=household)
            party_id = found.party.pk if found.party else None
            dispatcher_id = found.dispatcher.pk if found.dispatcher else None
            kind = Kind.CONSULT if category.is_consultation else Kind.HELP
            if category.code == "suggestion":
                kind = Kind.SUGGESTION
            elif category.code == "praise":
                kind = Kind.PRAISE
            elif category.code in ("noise", "illegal-building", "property-service"):
                kind = Kind.COMPLAINT
            out.append((compound_id, category.pk, party_id, dispatcher_id, bool(found.dispatched), kind))
    return out


def _compounds(limit: int | None) -> list[int]:
    from shequ.directory.models import Place, PlaceKind

    ids = (
        Place.objects.filter(kind=PlaceKind.HOUSEHOLD, compound_id__isnull=False)
        .order_by("compound_id")
        .values_list("compound_id", flat=True)
        .distinct()
    )
    return list(ids[:limit] if limit else ids)


def generate(
    *, appeals: int, years: int = 3, seed: float = 0.42, compounds: int | None = None, verbose: bool = True
) -> Generated:
    """Add `appeals` appeals with their events. PostgreSQL only. `compounds` limits the history to the
    first N compounds that have households (the smoke test uses 2; routing them is what takes time)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the generator writes PostgreSQL SQL (generate_series, setseed)")
    from shequ.appeals import routing

    t0 = time.perf_counter()

    def say(msg: str) -> None:
        if verbose:
            print(f"  [{time.perf_counter() - t0:6.1f}s] {msg}", flush=True)

    compound_ids = _compounds(compounds)
    routes = _routes(compound_ids)
    say(f"{len(routes)} routes")
    top = int(getattr(routing, "LADDER_TOP", 3))
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(%s)", [seed])
        # Households with their ancestry, one generated resident per household without a demo resident.
        cur.execute("DROP TABLE IF EXISTS bench_hh, bench_route, bench_cat")
        cur.execute(
            """
            INSERT INTO accounts_user (password, phone, real_name, email, lives_alone, is_active,
                                       is_staff, is_superuser, date_joined)
            SELECT '!', %s || lpad(p.id::text, 8, '0'), '居民' || p.id, '', false, true, false, false, now()
            FROM directory_place p
            WHERE p.kind = 'household'
              AND NOT EXISTS (SELECT 1 FROM accounts_residency r WHERE r.household_id = p.id)
              AND NOT EXISTS (SELECT 1 FROM accounts_user u WHERE u.phone = %s || lpad(p.id::text, 8, '0'))
            """,
            [USER_PHONE_PREFIX, USER_PHONE_PREFIX],
        )
        users = cur.rowcount
        cur.execute(
            """
            INSERT INTO accounts_residency (created_at, updated_at, relation, status, verified_at,
                                            reject_reason, household_id, user_id)
            SELECT now(), now(), 'owner', 'verified', now(), '', p.id, u.id
            FROM directory_place p JOIN accounts_user u ON u.phone = %s || lpad(p.id::text, 8, '0')
            WHERE p.kind = 'household'
              AND NOT EXISTS (SELECT 1 FROM accounts_residency r WHERE r.household_id = p.id)
            """,
            [USER_PHONE_PREFIX],
        )
        cur.execute(
            """
            CREATE UNLOGGED TABLE bench_hh AS
            SELECT (row_number() OVER (ORDER BY p.id) - 1)::int AS idx, p.id, p.street_id,
                   p.community_id, p.compound_id, p.building_id,
                   (SELECT r.user_id FROM accounts_residency r WHERE r.household_id = p.id
                    ORDER BY r.id LIMIT 1) AS reporter_id
            FROM directory_place p
            WHERE p.kind = 'household' AND p.compound_id = ANY(%s)
            """,
            [compound_ids],
        )
        cur.execute("SELECT count(*) FROM bench_hh")
        n_hh = cur.fetchone()[0]
        cur.execute(
            "CREATE UNLOGGED TABLE bench_route (compound_id bigint, category_id bigint, party_id bigint,"
            " dispatcher_id bigint, dispatched boolean, kind text)"
        )
        cur.executemany("INSERT INTO bench_route VALUES (%s, %s, %s, %s, %s, %s)", routes)
        # Categories in a skewed order (repairs and environment first): idx drawn as floor(r^2 * n).
        cur.execute(
            """
            CREATE UNLOGGED TABLE bench_cat AS
            SELECT (row_number() OVER (ORDER BY (c.time_class = 'utility') DESC, c.is_consultation,
                                        c.sort, c.id) - 1)::int AS idx,
                   c.id, c.time_class
            FROM appeals_category c
            WHERE c.is_active AND NOT EXISTS (SELECT 1 FROM appeals_category k WHERE k.parent_id = c.id)
            """
        )
        cur.execute("ANALYZE bench_hh")
        cur.execute("ANALYZE bench_route")
        cur.execute("ANALYZE bench_cat")
        cur.execute("SELECT count(*) FROM bench_cat")
        n_cat = cur.fetchone()[0]
        cur.execute(
            "SELECT id FROM directory_party WHERE kind IN ('street_office', 'party_org') ORDER BY kind DESC, id"
        )
        supervisor = cur.fetchone()[0]
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {APPEAL_TABLE}")
        base = cur.fetchone()[0]
        say(f"{n_hh} households, {users} generated residents, {len(routes)} routes, {n_cat} categories")

        # Reserve the ids so the number can be computed in the INSERT.
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{APPEAL_TABLE}', 'id'), %s)", [base + appeals + 1]
        )

        indexes = _secondary_indexes(APPEAL_TABLE) + _secondary_indexes(EVENT_TABLE)
        for name, _sql in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute("SET session_replication_role = replica")  # no FK triggers while loading
        say(f"dropped {len(indexes)} secondary indexes")

        recent_cases = []
        acc = 0.0
        for status, share in RECENT_STATUS:
            acc += share
            recent_cases.append(f"WHEN r_s < {acc:.4f} THEN '{status}'")
        recent_case = "CASE " + " ".join(recent_cases) + " ELSE 'closed' END"
        days = 365 * years
        cur.execute(
            f"""
            INSERT INTO {APPEAL_TABLE} (
                id, number, kind, urgency, street_id, community_id, compound_id, building_id, text,
                source, is_public, status, created_at, updated_at, dispatched_at, accepted_at,
                resolved_at, closed_at, accept_due_at, resolve_due_at, paused_at, paused_seconds,
                escalation_level, callback_due_at, outcome, rating, solved, rated_at, closed_unrated,
                fee_waived, dispatcher_id, escalated_to_id, filed_by_id, first_party_id, handler_id,
                helper_party_id, household_id, merged_into_id, place_id, reporter_id,
                responsible_party_id, spot_id, category_id)
            SELECT id, to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad(id::text, 6, '0'),
                   kind, urgency, street_id, community_id, compound_id, building_id,
                   '生成的历史诉求 #' || id, source, kind <> 'consult', status, created_at,
                   coalesce(closed_at, resolved_at, accepted_at, created_at),
                   CASE WHEN dispatched THEN created_at END,
                   accepted_at, resolved_at, closed_at,
                   created_at + accept_limit, created_at + resolve_limit,
                   CASE WHEN status = 'paused' THEN accepted_at + interval '1 hour' END, 0,
                   CASE WHEN status IN ('submitted', 'dispatched') AND created_at + accept_limit < now()
                          OR status IN ('accepted', 'in_progress') AND created_at + resolve_limit < now()
                        THEN {top} ELSE 0 END,
                   CASE WHEN status = 'resolved' THEN resolved_at + interval '7 days' END,
                   CASE WHEN resolved_at IS NOT NULL THEN '已处理完毕。' ELSE '' END,
                   rating, CASE WHEN rating IS NOT NULL THEN rating <> 'unsatisfied' END,
                   CASE WHEN rating IS NOT NULL THEN closed_at END,
                   status = 'closed' AND rating IS NULL, false,
                   dispatcher_id,
                   CASE WHEN status IN ('submitted', 'dispatched') AND created_at + accept_limit < now()
                          OR status IN ('accepted', 'in_progress') AND created_at + resolve_limit < now()
                        THEN {supervisor} END,
                   NULL, CASE WHEN dispatched THEN party_id END, NULL, NULL, hh_id, NULL, hh_id,
                   reporter_id, coalesce(party_id, dispatcher_id), NULL, category_id
            FROM (
                SELECT y.*,
                       CASE WHEN status IN ('accepted', 'in_progress', 'paused', 'resolved', 'closed')
                            THEN created_at + accept_limit * (0.1 + 0.85 * r_a) END AS accepted_at,
                       CASE WHEN status IN ('resolved', 'closed')
                            THEN created_at + resolve_limit * (0.15 + 0.9 * r_r) END AS resolved_at,
                       CASE WHEN status = 'closed'
                            THEN created_at + resolve_limit * (0.15 + 0.9 * r_r) + interval '2 days' * r_c
                       END AS closed_at,
                       CASE WHEN status = 'closed' AND r_c < 0.97
                            THEN CASE WHEN r_q < 0.86 THEN 'satisfied' WHEN r_q < 0.95 THEN 'basically'
                                      ELSE 'unsatisfied' END END AS rating
                FROM (
                    SELECT x.*,
                           CASE WHEN NOT rt.dispatched THEN 'submitted'
                                WHEN age > interval '30 days' THEN 'closed'
                                WHEN age > interval '14 days' THEN
                                     CASE WHEN r_s < 0.9 THEN 'closed' WHEN r_s < 0.96 THEN 'resolved'
                                          ELSE 'in_progress' END
                                ELSE {recent_case} END AS status,
                           rt.kind, rt.party_id, rt.dispatcher_id, rt.dispatched,
                           CASE WHEN x.urgency = 'emergency' THEN interval '30 minutes'
                                ELSE interval '2 hours' END AS accept_limit,
                           CASE WHEN x.urgency = 'emergency' THEN interval '2 hours'
                                WHEN c.time_class = 'utility' THEN interval '24 hours'
                                WHEN c.time_class = 'complex' THEN interval '15 days'
                                ELSE interval '7 days' END AS resolve_limit
                    FROM (
                        SELECT g AS n, {base} + g AS id, r_s, r_a, r_r, r_c, r_q,
                               now() - interval '1 day' * ({days} * (1 - sqrt(r_t))) AS created_at,
                               now() - (now() - interval '1 day' * ({days} * (1 - sqrt(r_t)))) AS age,
                               h.id AS hh_id, h.street_id, h.community_id, h.compound_id, h.building_id,
                               h.reporter_id,
                               (SELECT id FROM bench_cat WHERE idx = floor(r_k * r_k * {n_cat})::int)
                                   AS category_id,
                               CASE WHEN r_u < 0.02 THEN 'emergency' WHEN r_u < 0.15 THEN 'urgent'
                                    ELSE 'normal' END AS urgency,
                               CASE WHEN r_u2 < 0.7 THEN 'app' WHEN r_u2 < 0.85 THEN 'hotline'
                                    WHEN r_u2 < 0.95 THEN 'staff' ELSE 'patrol' END AS source
                        FROM (
                            SELECT g, random() r_t, random() r_s, random() r_a, random() r_r, random() r_c,
                                   random() r_q, random() r_k, random() r_u, random() r_u2,
                                   floor(random() * {n_hh})::int AS hh_idx
                            FROM generate_series(1, {appeals}) g
                        ) raw JOIN bench_hh h ON h.idx = raw.hh_idx
                    ) x
                    JOIN bench_cat c ON c.id = x.category_id
                    JOIN bench_route rt ON rt.compound_id = x.compound_id AND rt.category_id = x.category_id
                ) y
            ) z
            """
        )
        n_appeals = cur.rowcount
        say(f"inserted {n_appeals} appeals")

        # The timeline: one event per step each appeal has passed, at the step's time.
        event_cols = "appeal_id, kind, actor_id, party_id, created_at, is_public, text, data"
        steps = [
            ("submitted", "reporter_id", "NULL", "created_at", "true", "", "'{}'::jsonb", "true"),
            (
                "dispatched",
                "NULL",
                "first_party_id",
                "created_at",
                "true",
                "",
                "jsonb_build_object('from', 'submitted', 'to', 'dispatched', 'auto', true)",
                "dispatched_at IS NOT NULL",
            ),
            (
                "accepted",
                "NULL",
                "responsible_party_id",
                "accepted_at",
                "true",
                "",
                "'{}'::jsonb",
                "accepted_at IS NOT NULL",
            ),
            (
                "replied",
                "NULL",
                "responsible_party_id",
                "accepted_at + (coalesce(resolved_at, now()) - accepted_at) / 2",
                "true",
                "已安排人员上门处理。",
                "'{}'::jsonb",
                "accepted_at IS NOT NULL AND status <> 'accepted'",
            ),
            (
                "resolved",
                "NULL",
                "responsible_party_id",
                "resolved_at",
                "true",
                "已处理完毕。",
                "'{}'::jsonb",
                "resolved_at IS NOT NULL",
            ),
            (
                "rated",
                "reporter_id",
                "NULL",
                "rated_at",
                "true",
                "",
                "jsonb_build_object('rating', rating)",
                "rating IS NOT NULL",
            ),
            (
                "closed",
                "NULL",
                "NULL",
                "closed_at",
                "true",
                "",
                "'{}'::jsonb",
                "closed_at IS NOT NULL AND NOT closed_unrated",
            ),
            ("closed_unrated", "NULL", "NULL", "closed_at", "true", "", "'{}'::jsonb", "closed_unrated"),
            (
                "escalated",
                "NULL",
                "escalated_to_id",
                "coalesce(accepted_at, created_at) + interval '3 hours'",
                "true",
                "超过时限，系统自动升级。",
                f"jsonb_build_object('level', {top})",
                "escalated_to_id IS NOT NULL",
            ),
        ]
        unions = " UNION ALL ".join(
            f"SELECT id, '{kind}', {actor}, {party}, {at}, {public}, '{text}', {data} "
            f"FROM {APPEAL_TABLE} WHERE id > {base} AND {cond}"
            for kind, actor, party, at, public, text, data, cond in steps
        )
        cur.execute(f"INSERT INTO {EVENT_TABLE} ({event_cols}) {unions}")
        n_events = cur.rowcount
        say(f"inserted {n_events} events")
        from shequ.appeals.sweeps import next_due_refresh  # noqa: PLC0415

        say(f"next_due_at set on {next_due_refresh()} appeals")

        cur.execute("SET session_replication_role = DEFAULT")
        for _name, sql in indexes:
            cur.execute(sql)
        say(f"rebuilt {len(indexes)} indexes")
        cur.execute("DROP TABLE IF EXISTS bench_hh, bench_route, bench_cat")
        cur.execute(f"ANALYZE {APPEAL_TABLE}")
        cur.execute(f"ANALYZE {EVENT_TABLE}")
        cur.execute("ANALYZE accounts_user")
        cur.execute("ANALYZE accounts_residency")
        say("analyzed")
    return Generated(appeals=n_appeals, events=n_events, users=users, seconds=time.perf_counter() - t0)
