"""Reads of notifications: the inbox, unread counts, who wants which message by which channel."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from shequ.notifications.models import EXTERNAL_CHANNELS, Notification, Preference
from shequ.notifications.verbs import ANY, VERBS, verb_for


def inbox(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def _can_reach(user, channel: str) -> bool:
    if channel == "email":
        return bool(user.email)
    if channel == "sms":
        return bool(user.phone)
    return True


def channels_for_verbs(*, wanted: dict[str, set[int]]) -> dict[tuple[str, int], list[str]]:
    """External channels each user receives each verb by ({verb: user ids} → {(verb, user id):
    channels}): the user's choice for the verb whose choices apply (`verb_for`), else the verb's
    defaults, and only channels the user can be reached by. Two reads whatever the batch size."""
    governing = {verb: verb_for(verb) for verb in wanted}
    all_ids = sorted({uid for ids in wanted.values() for uid in ids})
    codes = sorted({info.code for info in governing.values()})
    prefs: dict[int, dict[tuple[str, str], bool]] = {}
    for uid, v, channel, enabled in Preference.objects.filter(
        user_id__in=all_ids, verb__in=[*codes, ANY]
    ).values_list("user_id", "verb", "channel", "enabled"):
        prefs.setdefault(uid, {})[(v, channel)] = enabled
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=all_ids).only("id", "email", "phone")}
    out: dict[tuple[str, int], list[str]] = {}
    for verb, ids in wanted.items():
        info = governing[verb]
        for uid in sorted(ids):
            user = users.get(uid)
            if user is None:
                continue
            mine = prefs.get(uid, {})
            chosen = []
            for channel in EXTERNAL_CHANNELS:
                channel = str(channel)
                on = mine.get((info.code, channel), channel in info.defaults)
                if on and _can_reach(user, channel):
                    chosen.append(channel)
            out[(verb, uid)] = chosen
    return out


@dataclass
class PreferenceRow:
    verb: str
    label: str
    channels: list[tuple[str, str, bool]]  # (channel, label, enabled)


def preference_matrix(*, user) -> list[PreferenceRow]:
    """Every verb with the user's effective choice per external channel (for the preferences page)."""
    stored = {(p.verb, p.channel): p.enabled for p in Preference.objects.filter(user=user)}
    rows = []
    for code, verb in VERBS.items():
        cells = []
        for channel in EXTERNAL_CHANNELS:
            enabled = stored.get((code, str(channel)), str(channel) in verb.defaults)
            cells.append((str(channel), str(channel.label), enabled))
        rows.append(PreferenceRow(verb=code, label=str(verb.label), channels=cells))
    return rows
