"""Telling the right people about appeal events: who hears of which event (`recipients_for`, the
audience of a whole batch read in a few queries), the message each is told, and the area alerts —
written with one `notify_many` per batch. Used by the notification jobs (`shequ.appeals.jobs`) and by
the escalation sweep, which fans its batch out in the batch's own transaction (`shequ.appeals.sweeps`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count
from django.urls import reverse

from shequ.appeals.access import claim_ids
from shequ.appeals.area_alerts import area_recipients_many
from shequ.appeals.models import Appeal, AppealEvent, EventKind
from shequ.core.masking import mask_text
from shequ.directory.models import ACTING_ROLES, Membership, Place
from shequ.notifications.services import Message, notify_many

# Events the reporter and followers hear about (public progress and the outcome).
TO_REPORTER = {
    EventKind.ACCEPTED,
    EventKind.REPLIED,
    EventKind.RESOLVED,
    EventKind.CLOSED,
    EventKind.MERGED,
    EventKind.ESCALATED,
    EventKind.WHISTLE_BLOWN,
    EventKind.CALLBACK_REMINDED,
    EventKind.CLOSED_UNRATED,
    EventKind.PAUSED,
    EventKind.RESUMED,
    EventKind.TRANSFERRED,
    EventKind.REPORTED_BACK,
}
# Events the responsible party's staff hear about.
TO_PARTY = {
    EventKind.DISPATCHED,
    EventKind.TRANSFERRED,
    EventKind.REOPENED,
    EventKind.RATED,
    EventKind.CONFIRMED,
    EventKind.HELPER_ASSIGNED,
    EventKind.WHISTLE_BLOWN,
}

TITLES: dict[str, str] = {
    EventKind.SUBMITTED: "新诉求待派单：{number}",
    EventKind.DISPATCHED: "新工单：{number} {category}",
    EventKind.ACCEPTED: "您的诉求已签收：{number}",
    EventKind.RETURNED: "工单被退回，请重新派单：{number}",
    EventKind.TRANSFERRED: "诉求已转办：{number}",
    EventKind.PAUSED: "诉求暂停办理：{number}",
    EventKind.RESUMED: "诉求恢复办理：{number}",
    EventKind.REPLIED: "诉求有新回复：{number}",
    EventKind.RESOLVED: "诉求已办结，请确认并评价：{number}",
    EventKind.CONFIRMED: "居民确认已解决：{number}",
    EventKind.REOPENED: "诉求被重新打开：{number}",
    EventKind.RATED: "居民已评价：{number}",
    EventKind.CLOSED: "诉求已关闭：{number}",
    EventKind.MERGED: "诉求已与同类诉求合并：{number}",
    EventKind.ESCALATED: "诉求已升级：{number}",
    EventKind.WHISTLE_BLOWN: "社区吹哨：{number}",
    EventKind.REPORTED_IN: "部门已报到：{number}",
    EventKind.REPORTED_BACK: "部门已反馈：{number}",
    EventKind.HELPER_ASSIGNED: "大手拉小手协助：{number}",
    EventKind.CALLBACK_REMINDED: "请对已办结的诉求进行评价：{number}",
    EventKind.CLOSED_UNRATED: "诉求超期未评价已关闭：{number}",
}


class Audience:
    """Who can be told about a batch of events, read with a few queries for the whole batch: the
    appeals' followers, the parties' acting members (members assigned to particular places — a 管家's
    buildings, a grid worker's grid — only when the appeal's place is among them), and which appeals are
    claims (`access.claim_ids`)."""

    def __init__(self, events: list[AppealEvent]) -> None:
        appeals = {e.appeal_id: e.appeal for e in events}
        self.followers: dict[int, set[int]] = defaultdict(set)
        for appeal_id, user_id in Appeal.followers.through.objects.filter(appeal_id__in=appeals).values_list(
            "appeal_id", "user_id"
        ):
            self.followers[appeal_id].add(user_id)
        party_ids = {
            p
            for e in events
            for p in (
                e.appeal.responsible_party_id,
                e.appeal.dispatcher_id,
                e.appeal.escalated_to_id,
                e.appeal.helper_party_id,
                e.data.get("to_party") if isinstance(e.data, dict) else None,
            )
            if p
        }
        rows = list(
            Membership.objects.filter(party_id__in=party_ids, is_active=True, role__in=ACTING_ROLES)
            .annotate(n_places=Count("places"))
            .values_list("id", "party_id", "user_id", "n_places")
        )
        self.general: dict[int, set[int]] = defaultdict(set)
        self.scoped: dict[int, dict[int, int]] = defaultdict(dict)  # party → membership → user
        for mid, party_id, user_id, n in rows:
            if n:
                self.scoped[party_id][mid] = user_id
            else:
                self.general[party_id].add(user_id)
        scoped_ids = [mid for members in self.scoped.values() for mid in members]
        self.places: dict[int, set[int]] = defaultdict(set)
        for mid, place_id in Membership.places.through.objects.filter(
            membership_id__in=scoped_ids
        ).values_list("membership_id", "place_id"):
            self.places[mid].add(place_id)
        self.claims = claim_ids(appeals.values())

    def members(self, *, party_ids, place: Place | None) -> set[int]:
        out: set[int] = set()
        ancestors = set(place.ancestor_ids()) if place is not None else None
        for party_id in {p for p in party_ids if p}:
            out |= self.general.get(party_id, set())
            for mid, user_id in self.scoped.get(party_id, {}).items():
                if ancestors is None or self.places[mid] & ancestors:
                    out.add(user_id)
        return out

    def is_claim(self, appeal: Appeal) -> bool:
        """`access.claim_q` (the verified-reporter rule), read for the whole batch at once: a claim
        alerts no party; walk-in and patrol filings by staff, and verified residents' appeals, do."""
        return appeal.pk in self.claims


def _url(appeal_id: int) -> str:
    return reverse("appeals:detail", args=[appeal_id])


_MARK = 918273645546372819  # an id no appeal has, to reverse the detail URL once per batch


def _urls(appeal_ids: Iterable[int]) -> dict[int, str]:
    """The detail URLs of a batch's appeals with one `reverse` (500 of them cost ≈40 ms)."""
    pattern = _url(_MARK)
    return {pk: pattern.replace(str(_MARK), str(pk)) for pk in appeal_ids}


def recipients_for(event: AppealEvent, audience: Audience | None = None) -> set[int]:
    audience = audience or Audience([event])
    appeal = event.appeal
    kind = event.kind
    out: set[int] = set()
    if not event.is_public:
        return out  # internal notes stay inside the parties' own timeline
    place = appeal.place
    if kind in TO_REPORTER:
        out.add(appeal.reporter_id)
        out |= audience.followers.get(appeal.pk, set())
    if kind == EventKind.REPLIED and event.data.get("by_reporter"):
        out = audience.members(place=place, party_ids=[appeal.responsible_party_id])
    if kind in TO_PARTY:
        out |= audience.members(place=place, party_ids=[appeal.responsible_party_id])
    if kind in (EventKind.SUBMITTED, EventKind.RETURNED):
        out |= audience.members(place=place, party_ids=[appeal.dispatcher_id])
    if kind == EventKind.ESCALATED:
        targets = [event.data.get("to_party") or appeal.escalated_to_id, appeal.responsible_party_id]
        out |= audience.members(place=place, party_ids=targets)
    if kind == EventKind.HELPER_ASSIGNED:
        out |= audience.members(place=place, party_ids=[appeal.helper_party_id])
    if kind == EventKind.REOPENED or (kind == EventKind.RATED and event.data.get("reopened")):
        out |= audience.members(place=place, party_ids=[appeal.responsible_party_id])
    out.discard(event.actor_id)
    if out and audience.is_claim(appeal):
        # A claim (someone the household has not verified): no SMS or inbox fan-out to parties (issue #9);
        # the reporter still hears what happens to their own appeal.
        out &= {appeal.reporter_id}
    return out


def notify_events_now(event_ids: list[int]) -> int:
    """Tell the right people about each event (the notification jobs): one read of the events with
    their appeals, then `notify_loaded`."""
    events = list(
        AppealEvent.objects.select_related("appeal", "appeal__category", "appeal__place")
        .filter(pk__in=event_ids)
        .order_by("id")
    )
    return notify_loaded(events)


def notify_loaded(events: list[AppealEvent]) -> int:
    """Tell the right people about events whose appeals are loaded (with category and place), in the
    caller's transaction: one audience read and one `notify_many` for the whole batch, so a constant
    number of statements whatever its size. Each message is built once per event; an appeal's link and
    a repeated event text (a sweep's reason) are computed once per batch. Returns the inbox rows written."""
    if not events:
        return 0
    audience = Audience(events)
    messages = []
    told: dict[int, set[int]] = {}
    urls = _urls({e.appeal_id for e in events})
    bodies: dict[str, str] = {}
    for event in events:
        recipients = recipients_for(event, audience)
        told[event.pk] = recipients
        if not recipients:
            continue
        appeal = event.appeal
        template = TITLES.get(event.kind, "诉求有新动态：{number}")
        text = event.text[:500] if event.text else appeal.text[:200]
        if text not in bodies:
            bodies[text] = mask_text(text)
        messages.append(
            Message(
                recipients=frozenset(recipients),
                verb=f"appeal.{event.kind}",
                title=template.format(number=appeal.number, category=appeal.category.name),
                body=bodies[text],
                url=urls[appeal.pk],
                key=f"appeal-event-{event.pk}",
            )
        )
    return notify_many(messages + area_messages(events, audience, told))


# A new appeal is announced by whichever of its first events is notified (an appeal routed at filing
# notifies only its dispatch); the key is per appeal, so a later re-dispatch does not alert again.
AREA_TOPICS: dict[EventKind, str] = {
    EventKind.SUBMITTED: "new_appeals",
    EventKind.DISPATCHED: "new_appeals",
    EventKind.RESOLVED: "resolved",
}
AREA_VERBS = {"new_appeals": "area.appeal_new", "resolved": "area.appeal_resolved"}
AREA_TITLES = {
    "new_appeals": "{area}有新诉求：{category} {number}",
    "resolved": "{area}的诉求已办结：{category} {number}",
}


def area_messages(events: list[AppealEvent], audience: Audience, told: dict[int, set[int]]) -> list[Message]:
    """Alerts for the watchers of an area (`area_alerts`): new and resolved appeals, public ones only —
    never a private appeal, a consultation or the appeal of a reporter the household has not verified."""
    alerting = [
        e
        for e in events
        if e.kind in AREA_TOPICS
        and e.is_public
        and e.appeal.is_public
        and not e.appeal.is_consultation
        and e.appeal.place is not None
        and not audience.is_claim(e.appeal)
    ]
    items: list[tuple[Place, str, set[int]]] = [
        (
            e.appeal.place,
            AREA_TOPICS[EventKind(e.kind)],
            told.get(e.pk, set()) | {uid for uid in (e.actor_id, e.appeal.reporter_id) if uid},
        )
        for e in alerting
    ]
    out = []
    for n, groups in area_recipients_many(items).items():
        event = alerting[n]
        appeal = event.appeal
        topic = AREA_TOPICS[EventKind(event.kind)]
        for area, users in groups.items():
            out.append(
                Message(
                    recipients=frozenset(users),
                    verb=AREA_VERBS[topic],
                    title=AREA_TITLES[topic].format(
                        area=area.scope_name(), category=appeal.category.name, number=appeal.number
                    ),
                    url=_url(appeal.pk),
                    key=f"area-{topic}-{appeal.pk}-{area.pk}",
                )
            )
    return out
