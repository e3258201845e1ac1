"""Shared personas for every app's tests: a tiny community with two compounds and two property companies.

world.resident_a   verified owner in compound A, building A1 (served by property company X)
world.resident_b   verified owner in compound B, building B1 (served by property company Y)
world.handler_x    handler of company X        world.handler_y   handler of company Y
world.rc_staff     residents' committee staff  world.party_secretary  community party organisation head
world.env_director 环物会 director             world.police / world.doctor / world.volunteer
world.building_leader  building leader of A1   world.observer  street-office observer (read-only)
world.outsider     a logged-in user with no household and no membership
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from shequ.accounts.models import Residency, User
from shequ.directory import parties as dparties
from shequ.directory import places as dplaces
from shequ.directory.models import Party, PartyKind, Place, PlaceKind, Role

# Browser tests: Debian's Chromium driven by Playwright (never `playwright install`).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
needs_chromium = pytest.mark.skipif(
    not os.path.exists(CHROMIUM), reason=f"Chromium not found at {CHROMIUM}; browser tests skipped"
)
# Screenshots are for people to look at, not assertions: the default suite takes none (page.screenshot
# does nothing) and skips the tests marked `screenshots`, which only walk pages to photograph them.
# `SHEQU_SCREENSHOTS=1 pytest -m "browser or screenshots"` writes them all under /tmp/shots/; CI runs
# the `screenshots` tests once, on SQLite.
SCREENSHOTS = os.environ.get("SHEQU_SCREENSHOTS") == "1"


@pytest.fixture(scope="session", autouse=True)
def _screenshots_only_when_asked():
    if SCREENSHOTS:
        yield
        return
    try:
        from playwright.sync_api import Page
    except ImportError:  # the browser extra is not installed: nothing to switch off
        yield
        return
    original = Page.screenshot
    Page.screenshot = lambda self, *args, **kwargs: b""  # type: ignore[method-assign]
    try:
        yield
    finally:
        Page.screenshot = original  # type: ignore[method-assign]


class _CspWatchedBrowser:
    """The Chromium browser, with every page it opens watched for Content-Security-Policy violations.

    Chromium reports a blocked script, style or image as a console error ("… violates the following
    Content Security Policy directive …"); the page also fires `securitypolicyviolation`. Both are
    collected, and the test fails at teardown if any page broke the policy.
    """

    WATCH = """document.addEventListener('securitypolicyviolation', function (e) {
      console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI);
    });"""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def _watch(self, context) -> None:
        context.add_init_script(self.WATCH)

        def on_console(message) -> None:
            text = message.text
            if message.type == "error" and ("Content Security Policy" in text or "CSP violation" in text):
                self.violations.append(text)

        context.on("console", on_console)

    def new_context(self, *args, **kwargs):
        context = self._browser.new_context(*args, **kwargs)
        self._watch(context)
        return context

    def new_page(self, *args, **kwargs):
        context = self.new_context(*args, **kwargs)
        page = context.new_page()
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


# ---------------------------------------------------------------- one migrated database per run
# Migrating from nothing takes a minute or more (the migration state is re-rendered model by model).
# Each xdist worker still migrates its own test database (that is what the suite tests on); right after,
# the first worker to finish publishes a copy of the freshly migrated database as the run's template:
# a SQLite file, or a PostgreSQL database to `CREATE DATABASE … TEMPLATE`. Tests that start `shequ`
# in a subprocess on a migrated database of their own copy it (`migrated_template`) instead of
# migrating again; `shequ serve`'s first start from nothing keeps its own test (test_commands).
# A worker that sets up later, or a later pytest run of the same CI job (SHEQU_TEST_TEMPLATES names a
# directory, `.ci/run` sets it), starts from the template instead of migrating: SQLite restores it into
# the in-memory test database, PostgreSQL creates the test database from it. Templates are
# keyed by the migration files, so a changed migration is never skipped.
TEMPLATES_ENV = "SHEQU_TEST_TEMPLATES"
_sqlite_keepers: list = []  # raw connections holding a restored in-memory test database open
_restore_undo = [lambda: None]


def _migrations_key() -> str:
    import django

    digest = hashlib.sha256(django.__version__.encode())
    for path in sorted(Path(__file__).parent.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(Path(__file__).parent)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _templates_dir(tmp_path_factory) -> Path:
    chosen = os.environ.get(TEMPLATES_ENV)
    if chosen:
        path = Path(chosen)
    else:  # the run's temporary root, shared by its xdist workers
        base = tmp_path_factory.getbasetemp()
        path = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
        path = path / "migrated-templates"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def _locked(directory: Path):
    with open(directory / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def pg_template_name() -> str:
    """The run's PostgreSQL template: named after the test database (SHEQU_TEST_DB), without a worker."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    base = os.environ.get("SHEQU_TEST_DB") or f"test_{db['NAME']}"
    return f"{base}_tpl_{_migrations_key()}"[:63]


def pg_admin(sql: str) -> None:
    """One statement on the PostgreSQL server's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        user=db.get("USER") or "postgres",
        password=db.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


def pg_url(name: str) -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


@dataclass
class MigratedTemplate:
    """A migrated, empty database of this run to copy: `sqlite` (a file) or `postgres` (a database)."""

    sqlite: Path | None = None
    postgres: str | None = None

    def copy(self, name: str, directory: Path) -> str:
        """A fresh copy named `name` (a file in `directory`, or a database); returns its DATABASE_URL.
        A PostgreSQL copy is dropped by `drop_copy`."""
        if self.postgres:
            from django.conf import settings

            # after the worker's test database (its name has the worker's suffix): no clash between workers
            database = f"{settings.DATABASES['default']['NAME']}_{name}"[:63]
            pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            pg_admin(f'CREATE DATABASE "{database}" TEMPLATE "{self.postgres}"')
            return pg_url(database)
        assert self.sqlite is not None
        target = directory / f"{name}.sqlite3"
        shutil.copyfile(self.sqlite, target)
        return f"sqlite:///{target}"

    @staticmethod
    def drop_copy(url: str) -> None:
        if url.startswith("postgres"):
            pg_admin(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


def _restore_sqlite_template(template: Path):
    """Patch SQLite's test database creation: an in-memory test database starts as a copy of `template`
    (its migrate then finds nothing to do). Returns the undo."""
    import sqlite3

    from django.db.backends.sqlite3.creation import DatabaseCreation

    original = DatabaseCreation._create_test_db

    def create(self, verbosity, autoclobber, keepdb=False):
        name = original(self, verbosity, autoclobber, keepdb)
        if self.is_in_memory_db(name) and name.startswith("file:"):
            keeper = sqlite3.connect(name, uri=True)
            source = sqlite3.connect(template)
            try:
                source.backup(keeper)
            finally:
                source.close()
            _sqlite_keepers.append(keeper)
        return name

    DatabaseCreation._create_test_db = create  # type: ignore[method-assign]

    def undo() -> None:
        DatabaseCreation._create_test_db = original  # type: ignore[method-assign]

    return undo


def _publish_template(directory: Path) -> None:
    """Right after the test database is migrated: keep a copy as the run's template (once per run)."""
    from django.db import connection

    with _locked(directory):
        if connection.vendor == "sqlite":
            import sqlite3

            target = directory / f"sqlite-{_migrations_key()}.sqlite3"
            if target.exists():
                return
            part = target.with_suffix(".part")
            connection.ensure_connection()
            copy = sqlite3.connect(part)
            try:
                connection.connection.backup(copy)
            finally:
                copy.close()
            os.replace(part, target)
        elif connection.vendor == "postgresql":
            name = pg_template_name()
            marker = directory / f"pg-{name}"
            if marker.exists():
                return
            test_database = connection.settings_dict["NAME"]
            connection.close()  # a template must have no other connection
            pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{test_database}"')
            marker.write_text(name)


@pytest.fixture(scope="session")
def _templates(tmp_path_factory) -> Path:
    return _templates_dir(tmp_path_factory)


@pytest.fixture(scope="session")
def migrated_template(django_db_setup, django_db_blocker, _templates) -> MigratedTemplate:
    """The run's migrated template (made when this worker set up its test database)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return MigratedTemplate(postgres=pg_template_name())
    return MigratedTemplate(sqlite=_templates / f"sqlite-{_migrations_key()}.sqlite3")


def sqlite_template(request) -> Path | None:
    """The run's migrated SQLite file for a test that runs `shequ` on SQLite whatever the run's database;
    on a PostgreSQL run only a CI job's (SHEQU_TEST_TEMPLATES), else None."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return request.getfixturevalue("migrated_template").sqlite
    path = request.getfixturevalue("_templates") / f"sqlite-{_migrations_key()}.sqlite3"
    return path if path.exists() else None


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, _templates):
    """pytest-django's test databases, published as the run's migrated template; plus a check before
    they are dropped: on PostgreSQL any other connection still open to the test database (a thread or
    process that outlived its test) is named with its last query, so the leak can be found, and then
    ended, so the database can be dropped."""
    from django.db import connection

    _restore_undo[0]()
    with django_db_blocker.unblock():
        _publish_template(_templates)
    for keeper in _sqlite_keepers:  # Django's own connection holds the in-memory database now
        keeper.close()
    _sqlite_keepers.clear()
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, application_name, state, left(query, 300) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        left_open = cursor.fetchall()
        for pid, app, state, query in left_open:
            sys.__stderr__.write(
                f"\nconnection left open to the test database: pid {pid} {app!r} {state}: {query}\n"
            )
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, _templates):
    """No connection pool in tests (pytest-django's hook, before the test databases are made): a pooled
    PostgreSQL connection left open at teardown would stop the test database from being dropped
    ("being accessed by other users"). Production keeps its pool (config/settings.py). A SQLite
    template from an earlier run of this job is restored instead of migrating (see above)."""
    from django.conf import settings
    from django.db import connections

    for alias, db in settings.DATABASES.items():
        if db.get("OPTIONS", {}).pop("pool", None) is not None:
            connections[alias].close()
    template = _templates / f"sqlite-{_migrations_key()}.sqlite3"
    if connections["default"].vendor == "sqlite" and template.exists():
        _restore_undo[0] = _restore_sqlite_template(template)
    elif connections["default"].vendor == "postgresql" and (_templates / f"pg-{pg_template_name()}").exists():
        # Django's own setting: the test database is created as `CREATE DATABASE … TEMPLATE …`
        settings.DATABASES["default"].setdefault("TEST", {})["TEMPLATE"] = pg_template_name()


def pytest_sessionfinish(session):
    """The run's PostgreSQL template goes with the run (in the controller, after every worker); with
    SHEQU_TEST_TEMPLATES the job that named the directory drops it (`.ci/run`)."""
    if hasattr(session.config, "workerinput") or os.environ.get(TEMPLATES_ENV):
        return
    from django.conf import settings

    if not settings.configured or not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    try:
        pg_admin(f'DROP DATABASE IF EXISTS "{pg_template_name()}" WITH (FORCE)')
    except Exception as error:  # noqa: BLE001 — the server may be gone; the run's result stands
        sys.__stderr__.write(f"\ncould not drop the PostgreSQL template: {error}\n")


def signed_in_context(browser, live_server, user, viewport, *, large: bool = False, timeout_ms: int = 15000):
    """A browser context signed in as `user`: the test client makes the session and its cookie goes into
    the context (no login form typed); Chinese, and large type when asked (the `shequ_large` cookie the
    大字 button sets)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    host = live_server.url.split("//", 1)[1].split(":")[0]
    cookies = [
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "domain": host,
            "path": "/",
        }
    ]
    if large:
        cookies.append({"name": "shequ_large", "value": "1", "domain": host, "path": "/"})
    context.add_cookies(cookies)
    context.set_default_timeout(timeout_ms)
    return context


def pick(page, name: str, when) -> None:
    """Choose `when` in one of our Chinese date-and-time lists (`shequ.core.widgets`) named `name`."""
    local = timezone.localtime(when)
    page.select_option(f"[name={name}_0]", local.date().isoformat())
    page.select_option(f"[name={name}_1]", local.strftime("%H:%M"))


@pytest.fixture
def browser():
    """A headless Chromium for one test (use with `live_server`); fails on any CSP violation."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # sync Playwright runs an event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        watched = _CspWatchedBrowser(instance)
        try:
            yield watched
        finally:
            instance.close()
        assert not watched.violations, "Content-Security-Policy violations:\n" + "\n".join(watched.violations)


def pytest_collection_modifyitems(items):
    """Every transactional test restores the database it found (serialized rollback); slow tests first.

    A plain transactional test ends with a flush that re-creates content types and drops the rows our
    data migrations seed (categories, routing rules, holidays, time limits); the next test would miss
    them, or a later serialized-rollback test would collide with the re-created rows.
    """
    slow_first: set[str] = set()
    skip_shots = pytest.mark.skip(reason="screenshots only: run with SHEQU_SCREENSHOTS=1 -m screenshots")
    for item in items:
        if not SCREENSHOTS and item.get_closest_marker("screenshots"):
            item.add_marker(skip_shots)
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        transactional = (marker is not None and marker.kwargs.get("transaction")) or (
            "transactional_db" in fixtures or "live_server" in fixtures
        )
        if transactional and not (marker is not None and marker.kwargs.get("serialized_rollback")):
            kwargs = dict(marker.kwargs) if marker is not None else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
        if item.get_closest_marker("slow") and not transactional:
            slow_first.add(item.nodeid)
    # The slow tests (subprocesses: `shequ serve`, worker drills) first, in pytest-django's order
    # otherwise: xdist hands them out round-robin at the start, so they overlap the rest of the suite
    # instead of ending it on one worker while the other waits.
    items.sort(key=lambda item: item.nodeid not in slow_first)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path_factory):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Never the checkout's collected files (they may be older than the code): plain names from the finders.
    settings.STATIC_ROOT = str(tmp_path_factory.getbasetemp() / "no-static-root")
    settings.SHEQU_JOBS_INLINE = True
    settings.AXES_ENABLED = True
    # Abuse limits count in the cache: off for the suite (tests file many appeals as one person);
    # shequ/core/tests/test_ratelimit.py turns them on.
    settings.SHEQU_RATE_LIMITS_ENABLED = False
    # The demo's year of history takes seconds; shequ/demo/tests/test_history.py turns it on.
    settings.SHEQU_DEMO_HISTORY = False
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    # Every test starts in Chinese: a test (or a request in this thread) that switched to English must not
    # change the language of the next test on the same worker.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def make_user(phone: str, name: str, password: str = "shequ-test-pass") -> User:
    return User.objects.create_user(phone=phone, password=password, real_name=name)


@dataclass
class World:
    district: Place
    street: Place
    community: Place
    compound_a: Place
    compound_b: Place
    building_a1: Place
    building_a2: Place
    building_b1: Place
    household_a: Place
    household_a2: Place
    household_b: Place
    lift_a1: object
    street_office: Party
    party_org: Party
    rc: Party
    env_committee: Party
    company_x: Party
    company_y: Party
    police: Party
    doctors: Party
    mutual_aid: Party
    owners_committee: Party
    dept_housing: Party
    resident_a: User
    resident_a2: User
    resident_b: User
    handler_x: User
    handler_y: User
    rc_staff: User
    party_secretary: User
    env_director: User
    police_officer: User
    doctor: User
    volunteer: User
    building_leader: User
    observer: User
    outsider: User
    street_leader: User


def _household(unit: Place, name: str, area: str) -> Place:
    return dplaces.place_create(kind=PlaceKind.HOUSEHOLD, name=name, parent=unit, floor_area=Decimal(area))


@pytest.fixture
def world(db) -> World:
    P = PlaceKind
    district = dplaces.place_create(kind=P.DISTRICT, name="测试区", parent=None)
    street = dplaces.place_create(kind=P.STREET, name="测试街道", parent=district)
    community = dplaces.place_create(kind=P.COMMUNITY, name="测试社区", parent=street)
    compound_a = dplaces.place_create(kind=P.COMPOUND, name="甲小区", parent=community)
    compound_b = dplaces.place_create(kind=P.COMPOUND, name="乙小区", parent=community)
    building_a1 = dplaces.place_create(kind=P.BUILDING, name="1号楼", parent=compound_a)
    building_a2 = dplaces.place_create(kind=P.BUILDING, name="2号楼", parent=compound_a)
    building_b1 = dplaces.place_create(kind=P.BUILDING, name="1号楼", parent=compound_b)
    unit_a1 = dplaces.place_create(kind=P.UNIT, name="1单元", parent=building_a1)
    unit_a2 = dplaces.place_create(kind=P.UNIT, name="1单元", parent=building_a2)
    unit_b1 = dplaces.place_create(kind=P.UNIT, name="1单元", parent=building_b1)
    household_a = _household(unit_a1, "101", "88.5")
    household_a2 = _household(unit_a2, "201", "75")
    household_b = _household(unit_b1, "302", "102.3")
    lift_a1 = dplaces.spot_create(place=building_a1, kind="lift", name="1号电梯", install_year=2005)

    K = PartyKind
    street_office = dparties.party_create(
        kind=K.STREET_OFFICE, name="测试街道办事处", code="t-street", home=street, places=[street]
    )
    party_org = dparties.party_create(
        kind=K.PARTY_ORG, name="测试社区党委", code="t-party", home=community, places=[community]
    )
    rc = dparties.party_create(
        kind=K.RESIDENTS_COMMITTEE,
        name="测试社区居委会",
        code="t-rc",
        home=community,
        places=[community],
        phone="010-12345678",
    )
    env = dparties.party_create(
        kind=K.ENV_PROPERTY_COMMITTEE, name="测试社区环物会", code="t-env", home=community, places=[community]
    )
    company_x = dparties.party_create(
        kind=K.PROPERTY_COMPANY, name="甲物业", code="t-x", home=community, phone="010-11110000"
    )
    company_y = dparties.party_create(kind=K.PROPERTY_COMPANY, name="乙物业", code="t-y", home=community)
    dparties.contract_create(company=company_x, places=[compound_a], starts_on=date(2020, 1, 1))
    dparties.contract_create(company=company_y, places=[compound_b], starts_on=date(2020, 1, 1))
    police = dparties.party_create(
        kind=K.POLICE_STATION, name="测试派出所", code="t-police", home=street, places=[community]
    )
    doctors = dparties.party_create(
        kind=K.FAMILY_DOCTOR_TEAM,
        name="测试家庭医生团队",
        code="t-doctor",
        home=community,
        places=[community],
    )
    mutual = dparties.party_create(
        kind=K.MUTUAL_AID_STATION, name="测试互助站", code="t-aid", home=community, places=[community]
    )
    owners = dparties.party_create(
        kind=K.OWNERS_COMMITTEE, name="甲小区业委会", code="t-owners", home=community, places=[compound_a]
    )
    housing = dparties.party_create(
        kind=K.DEPARTMENT, name="区住建委", code="t-zjw", home=district, places=[district]
    )

    def person(phone, name, party=None, role=None, places=()):
        user = make_user(phone, name)
        if party is not None:
            dparties.membership_create(user=user, party=party, role=role, places=places)
        return user

    resident_a = person("13800000001", "张三")
    resident_a2 = person("13800000011", "张小三")
    resident_b = person("13800000002", "李四")
    for user, hh in ((resident_a, household_a), (resident_a2, household_a2), (resident_b, household_b)):
        Residency.objects.create(user=user, household=hh, relation="owner", status=Residency.Status.VERIFIED)
    return World(
        district=district,
        street=street,
        community=community,
        compound_a=compound_a,
        compound_b=compound_b,
        building_a1=building_a1,
        building_a2=building_a2,
        building_b1=building_b1,
        household_a=household_a,
        household_a2=household_a2,
        household_b=household_b,
        lift_a1=lift_a1,
        street_office=street_office,
        party_org=party_org,
        rc=rc,
        env_committee=env,
        company_x=company_x,
        company_y=company_y,
        police=police,
        doctors=doctors,
        mutual_aid=mutual,
        owners_committee=owners,
        dept_housing=housing,
        resident_a=resident_a,
        resident_a2=resident_a2,
        resident_b=resident_b,
        handler_x=person("13900000001", "王师傅", company_x, Role.HANDLER),
        handler_y=person("13900000002", "赵师傅", company_y, Role.HANDLER),
        rc_staff=person("13900000003", "陈主任", rc, Role.STAFF),
        party_secretary=person("13900000004", "刘书记", party_org, Role.HEAD),
        env_director=person("13900000005", "周主任", env, Role.HEAD),
        police_officer=person("13900000006", "孙警官", police, Role.POLICE_OFFICER, [community]),
        doctor=person("13900000007", "吴医生", doctors, Role.DOCTOR, [community]),
        volunteer=person("13900000008", "郑阿姨", mutual, Role.VOLUNTEER),
        building_leader=person("13900000009", "钱楼长", rc, Role.BUILDING_LEADER, [building_a1]),
        observer=person("13900000010", "冯观察", street_office, Role.OBSERVER),
        outsider=person("13900000012", "路人甲"),
        street_leader=person("13900000013", "街道领导", street_office, Role.HEAD),
    )
