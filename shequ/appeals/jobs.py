"""Background work of appeals: telling the right people about a timeline event (queued in the
transition's transaction, run after commit; idempotent through the notification key)."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse

from shequ.accounts.selectors import is_verified_reporter
from shequ.appeals.models import AppealEvent, EventKind
from shequ.core.jobs import handler
from shequ.core.masking import mask_text
from shequ.directory.models import ACTING_ROLES, Membership, Place
from shequ.notifications.services import notify

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

TITLES = {
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


def _party_members(party_ids, place: Place | None = None) -> set[int]:
    """Acting members of the parties; members assigned to particular places (a 管家's buildings, a
    grid worker's grid) only when the appeal's place is among them."""
    ids = {p for p in party_ids if p}
    if not ids:
        return set()
    rows = (
        Membership.objects.filter(party_id__in=ids, is_active=True, role__in=ACTING_ROLES)
        .annotate(n_places=Count("places"))
        .values_list("id", "user_id", "n_places")
    )
    general = {user_id for _id, user_id, n in rows if n == 0}
    scoped = {mid: user_id for mid, user_id, n in rows if n}
    if scoped and place is not None:
        hits = Membership.places.through.objects.filter(
            membership_id__in=scoped, place_id__in=place.ancestor_ids()
        ).values_list("membership_id", flat=True)
        general |= {scoped[mid] for mid in hits}
    elif scoped:
        general |= set(scoped.values())
    return general


def _url(appeal_id: int) -> str:
    return reverse("appeals:detail", args=[appeal_id])


def recipients_for(event: AppealEvent) -> set[int]:
    appeal = event.appeal
    kind = event.kind
    out: set[int] = set()
    if not event.is_public:
        return out  # internal notes stay inside the parties' own timeline
    if kind in TO_REPORTER:
        out.add(appeal.reporter_id)
        out |= set(appeal.followers.values_list("id", flat=True))
    if kind == EventKind.REPLIED and event.data.get("by_reporter"):
        out = _party_members(place=appeal.place, party_ids=[appeal.responsible_party_id])
    if kind in TO_PARTY:
        out |= _party_members(place=appeal.place, party_ids=[appeal.responsible_party_id])
    if kind in (EventKind.SUBMITTED, EventKind.RETURNED):
        out |= _party_members(place=appeal.place, party_ids=[appeal.dispatcher_id])
    if kind == EventKind.ESCALATED:
        targets = [event.data.get("to_party") or appeal.escalated_to_id, appeal.responsible_party_id]
        out |= _party_members(place=appeal.place, party_ids=targets)
    if kind == EventKind.HELPER_ASSIGNED:
        out |= _party_members(place=appeal.place, party_ids=[appeal.helper_party_id])
    if kind == EventKind.REOPENED or (kind == EventKind.RATED and event.data.get("reopened")):
        out |= _party_members(place=appeal.place, party_ids=[appeal.responsible_party_id])
    out.discard(event.actor_id)
    out.discard(None)
    return out


@handler("appeals.notify_event")
def notify_event(*, event_id: int) -> None:
    event = (
        AppealEvent.objects.select_related("appeal", "appeal__category", "appeal__place", "party")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return
    recipients = recipients_for(event)
    appeal = event.appeal
    if recipients and not is_verified_reporter(
        reporter_id=appeal.reporter_id, household_id=appeal.household_id
    ):
        # Someone the household has not verified: no SMS or inbox fan-out to parties (issue #9);
        # the reporter still hears what happens to their own appeal.
        recipients = recipients & {appeal.reporter_id}
    if not recipients:
        return
    template = TITLES.get(event.kind, "诉求有新动态：{number}")
    title = template.format(number=appeal.number, category=appeal.category.name)
    body = mask_text(event.text[:500] if event.text else appeal.text[:200])
    notify(
        recipients=recipients,
        verb=f"appeal.{event.kind}",
        title=title,
        body=body,
        url=_url(appeal.pk),
        key=f"appeal-event-{event.pk}",
    )
