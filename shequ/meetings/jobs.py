"""Background work of meetings: the action-item sweep (reminders, overdue, escalation) and the
notifications queued by the services (run after commit; idempotent through the notification key)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from shequ.core.jobs import handler, periodic
from shequ.directory.models import Membership
from shequ.meetings import action_items, rules
from shequ.meetings.models import ActionItemEvent, Invitation, Meeting
from shequ.notifications.services import notify


@periodic("meetings.action_items", every=60)
def sweep(now: datetime) -> int:
    return action_items.sweep_action_items(now=now)


def _staff(party_ids: Sequence[int | None]) -> set[int]:
    ids = [p for p in party_ids if p]
    return set(
        Membership.objects.filter(party_id__in=ids, is_active=True, role__in=rules.STAFF_ROLES).values_list(
            "user_id", flat=True
        )
    )


@handler("meetings.notify_invitation")
def notify_invitation(*, invitation_id: int) -> None:
    inv = Invitation.objects.select_related("meeting", "meeting__convener").filter(pk=invitation_id).first()
    if inv is None:
        return
    m = inv.meeting
    notify(
        recipients=_staff([inv.party_id]),
        verb="meeting.invited",
        title=f"协调会邀请：{m.topic}",
        body=f"{m.convener.name} · {timezone.localtime(m.starts_at):%m-%d %H:%M} · {m.location}",
        url=reverse("meetings:detail", args=[m.pk]),
        key=f"meeting-invite-{inv.pk}",
    )


@handler("meetings.notify_meeting")
def notify_meeting(*, meeting_id: int, action: str) -> None:
    m = Meeting.objects.select_related("convener").filter(pk=meeting_id).first()
    if m is None or action not in ("close", "cancel"):
        return
    invited = list(m.invitations.values_list("party_id", flat=True))
    title = f"协调会已结束，纪要已发布：{m.topic}" if action == "close" else f"协调会已取消：{m.topic}"
    notify(
        recipients=_staff(invited),
        verb=f"meeting.{action}",
        title=title,
        url=reverse("meetings:detail", args=[m.pk]),
        key=f"meeting-{action}-{m.pk}",
    )


TITLES = {
    "remind": "会议任务明天到期：{text}",
    "overdue": "会议任务已超期：{text}",
    "escalate": "会议任务超期升级：{text}",
    "complete": "会议任务已完成：{text}",
    "cancel": "会议任务已撤销：{text}",
}


@handler("meetings.notify_item_event")
def notify_item_event(*, event_id: int) -> None:
    event = ActionItemEvent.objects.select_related("item", "item__meeting").filter(pk=event_id).first()
    if event is None:
        return
    item = event.item
    parties: list[int | None] = [item.responsible_party_id]
    if event.kind == "escalate":
        parties += [event.data.get("to_party"), item.meeting.convener_id]
    if event.kind in ("complete", "overdue"):
        parties += [item.meeting.convener_id, item.escalated_to_id]
    recipients = _staff(parties)
    recipients.discard(event.actor_id)
    notify(
        recipients=recipients,
        verb=f"meeting.item_{event.kind}",
        title=TITLES.get(event.kind, "会议任务有新动态：{text}").format(text=item.description[:40]),
        body=event.text[:300],
        url=reverse("meetings:item", args=[item.pk]),
        key=f"meeting-item-event-{event.pk}",
    )
