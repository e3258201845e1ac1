"""Start pages: which desk (kind of staff work) a person has, and the blocks each desk's start page shows.

A *desk* is the kind of work a membership brings: a property handler's queue, a residents' committee's
dispatch queue, the escalations of the 环物会 and the party organisation, a department's summonses, the
street leader's overview. Observers get the same desks, read-only.

Blocks come from a registry so that every app can put its own block on the start pages without
editing portal's templates or the settings: an app's AppConfig names dotted paths of callables
`(request, start: Start) -> StartBlock | None` in its `shequ_start_blocks` attribute (portal's own are in
PortalConfig). A block decides itself whether it applies (by looking at `start.desks`);
`check_start_blocks` (a system check) fails loudly when a path does not import or is not callable.
See docs/start-pages.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core import checks
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from shequ.accounts.selectors import Roles, primary_household, user_roles
from shequ.directory.models import Membership, Party, PartyKind, Role

# The desks, in the order a start page shows them; the first one a person has is their main desk.
STREET = "street"
DEPARTMENT = "department"
SUPERVISOR = "supervisor"  # 环物会 and the community party organisation: escalations, whistles
DISPATCHER = "dispatcher"  # residents' committee: the unrouted queue, verification
HANDLER = "handler"  # any party that receives and handles appeals
DESK_ORDER = (STREET, DEPARTMENT, SUPERVISOR, DISPATCHER, HANDLER)
DESK_LABELS: dict[str, Promise] = {
    STREET: _("街道工作"),
    DEPARTMENT: _("部门报到"),
    SUPERVISOR: _("统筹督办"),
    DISPATCHER: _("派单调度"),
    HANDLER: _("接单办理"),
}

# Resident volunteers are residents, not staff (DESIGN §1): their roles bring no desk.
VOLUNTEER_ROLES = frozenset({Role.BUILDING_LEADER, Role.GRID_WORKER, Role.VOLUNTEER, Role.MEMBER})
DISPATCH_ROLES = frozenset({Role.HEAD, Role.DEPUTY, Role.STAFF, Role.DISPATCHER})
KIND_DESK = {
    PartyKind.STREET_OFFICE: STREET,
    PartyKind.DEPARTMENT: DEPARTMENT,
    PartyKind.PARTY_ORG: SUPERVISOR,
    PartyKind.ENV_PROPERTY_COMMITTEE: SUPERVISOR,
    PartyKind.RESIDENTS_COMMITTEE: DISPATCHER,
}

# Views of the home page: the staff start page or the resident home (for people who are both).
VIEW_SESSION_KEY = "shequ_home_view"
VIEW_STAFF = "staff"
VIEW_RESIDENT = "resident"


def desk_of(membership: Membership) -> str | None:
    if membership.role in VOLUNTEER_ROLES:
        return None
    desk = KIND_DESK.get(PartyKind(membership.party.kind), HANDLER)
    if desk == DISPATCHER and membership.role not in DISPATCH_ROLES | {Role.OBSERVER}:
        return HANDLER
    return desk


@dataclass
class Start:
    """Who is looking at a start page: their desks (main desk first), parties per desk, read-only or not."""

    user: object
    roles: Roles
    desks: list[str] = field(default_factory=list)
    parties: dict[str, list[Party]] = field(default_factory=dict)
    read_only: bool = False
    has_household: bool = False

    @property
    def main_desk(self) -> str | None:
        return self.desks[0] if self.desks else None

    def has(self, desk: str) -> bool:
        return desk in self.desks

    def acting_parties(self, desk: str) -> list[Party]:
        return [p for p in self.parties.get(desk, []) if p.pk in self.roles.party_ids]


def start_for(*, user) -> Start:
    """The desks of a user, from the memberships `user_roles` already loaded (no query of its own)."""
    roles = user_roles(user=user)
    parties: dict[str, dict[int, Party]] = {}
    for m in roles.memberships:
        desk = desk_of(m)
        if desk is not None:
            parties.setdefault(desk, {})[m.party_id] = m.party
    desks = [d for d in DESK_ORDER if d in parties]
    acting = any(p.pk in roles.party_ids for ps in parties.values() for p in ps.values())
    return Start(
        user=user,
        roles=roles,
        desks=desks,
        parties={d: list(ps.values()) for d, ps in parties.items()},
        read_only=bool(desks) and not acting,
        has_household=primary_household(user=user) is not None,
    )


def home_view(request: HttpRequest, start: Start) -> str:
    """Staff land on their start page; people who are also residents may switch to the resident home."""
    if not start.desks:
        return VIEW_RESIDENT
    wanted = request.session.get(VIEW_SESSION_KEY)
    if wanted == VIEW_RESIDENT and start.has_household:
        return VIEW_RESIDENT
    return VIEW_STAFF


# ---------------------------------------------------------------- blocks


@dataclass
class Tile:
    label: str
    value: object
    url: str = ""
    level: str = ""  # ok | warn | bad | overdue | info: the colour of the time-left chips
    note: str = ""


@dataclass
class Item:
    title: str
    url: str
    meta: str = ""
    chip: str = ""
    chip_level: str = ""


@dataclass
class StartBlock:
    """One block of a start page. The generic template shows the main action, tiles and a short list;
    a block may name its own template, which gets the block as `block`."""

    key: str
    title: str
    icon: str = "list"
    action_label: str = ""
    action_url: str = ""
    tiles: list[Tile] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    empty: str = ""
    more_url: str = ""
    more_label: str = ""
    note: str = ""
    order: int = 100
    desk: str = ""  # the desk the block serves: blocks of the person's main desk come first
    template: str = "portal/_start_block.html"


BlockProvider = Callable[[HttpRequest, Start], "StartBlock | None"]


def block_paths() -> list[str]:
    """Every app's `shequ_start_blocks`, in INSTALLED_APPS order."""
    return [path for config in apps.get_app_configs() for path in getattr(config, "shequ_start_blocks", ())]


def block_providers() -> list[BlockProvider]:
    return [import_string(path) for path in block_paths()]


def start_blocks(request: HttpRequest, start: Start) -> list[StartBlock]:
    blocks = [b for b in (provider(request, start) for provider in block_providers()) if b is not None]
    return sorted(blocks, key=lambda b: (b.desk != start.main_desk, b.order))


@checks.register()
def check_start_blocks(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Every `shequ_start_blocks` entry must import and be callable — fail at start, not on a page."""
    errors: list[checks.CheckMessage] = []
    for path in block_paths():
        try:
            provider = import_string(path)
        except ImportError as exc:
            errors.append(checks.Error(f"shequ_start_blocks: cannot import {path}: {exc}", id="portal.E001"))
            continue
        if not callable(provider):
            errors.append(checks.Error(f"shequ_start_blocks: {path} is not callable", id="portal.E002"))
    return errors


# ---------------------------------------------------------------- where you are: the bottom bar


@dataclass
class Tab:
    key: str
    label: str
    icon: str
    url: str
    primary: bool = False
    current: bool = False


# The tab of each desk's main task, after 首页 and 工作台: (label, icon, url candidates).
DESK_TABS: dict[str, tuple[Promise, str, str, str]] = {
    STREET: (_("排名"), "chart", "analytics:street_dashboard", ""),
    DEPARTMENT: (_("报到"), "whistle", "supervision:summonses", ""),
    SUPERVISOR: (_("升级"), "flag", "supervision:escalated", ""),
    DISPATCHER: (_("派单"), "list", "appeals:workbench", "?status=submitted"),
}


def tabs_for(request: HttpRequest, start: Start) -> list[Tab]:
    """The bottom bar: the resident's four tabs, or the staff's start page, workbench, main task and
    messages. The tab of the page you are on is marked current (an exact match wins over the path)."""
    home = reverse("portal:home")
    tabs: list[Tab] = []
    staff_view = home_view(request, start) == VIEW_STAFF
    if staff_view:
        tabs.append(Tab("home", str(_("首页")), "home", home))
        tabs.append(Tab("workbench", str(_("工作台")), "tools", reverse("appeals:workbench"), primary=True))
        desk_tab = DESK_TABS.get(start.main_desk or "")
        if desk_tab is not None:
            label, icon, name, query = desk_tab
            tabs.append(Tab("desk", str(label), icon, reverse(name) + query))
        tabs.append(Tab("inbox", str(_("消息")), "bell", reverse("notifications:inbox")))
    else:
        tabs.append(Tab("home", str(_("首页")), "home", home))
        if not start.roles.is_observer:
            tabs.append(Tab("report", str(_("我要反映")), "report", reverse("appeals:report"), primary=True))
        tabs.append(Tab("mine", str(_("我的诉求")), "list", reverse("appeals:mine")))
        tabs.append(Tab("who", str(_("找得到")), "people", reverse("portal:who")))
    full = request.get_full_path()
    exact = next((t for t in tabs if t.url == full), None)
    if exact is None:
        exact = next((t for t in tabs if "?" not in t.url and t.url == request.path), None)
    if exact is not None:
        exact.current = True
    return tabs
