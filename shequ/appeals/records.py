"""The low-level writes every appeal service shares: a checked text, an immutable timeline event
(with its notification job, run after commit), photos saved with their event. Only
`shequ.appeals.services` and `shequ.appeals.filing` call these; other apps call those services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shequ.appeals.models import Appeal, AppealEvent, AppealPhoto
from shequ.core import clock, jobs
from shequ.core.errors import Invalid
from shequ.directory.models import Party

TEXT_MAX = 2000


def checked_text(value: Any, *, field_name: str, required: bool, zh: str, en: str) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise Invalid(zh, en, code=f"{field_name}_required", fields={field_name: en})
    if len(text) > TEXT_MAX:
        raise Invalid(
            "内容太长（最多2000字）。",
            "Too long (at most 2000 characters).",
            code="text_too_long",
            fields={field_name: "too long"},
        )
    return text


def notify_job(event: AppealEvent) -> None:
    """The notification job of an event just written (its key names the new event: never used before)."""
    jobs.enqueue(
        "appeals.notify_event",
        event_id=event.pk,
        dedupe_key=f"appeals.notify_event:{event.pk}",
        new_key=True,
    )


def event_new(
    *,
    appeal: Appeal,
    kind: str,
    actor,
    party: Party | None,
    text: str = "",
    is_public: bool = True,
    data: dict | None = None,
    at: datetime | None = None,
) -> AppealEvent:
    """An event of the appeal's timeline, not yet written (`event_write`, `events_write`)."""
    return AppealEvent(
        appeal=appeal,
        kind=kind,
        actor=actor,
        party=party,
        text=text,
        is_public=is_public,
        data=data or {},
        created_at=at or clock.now(),
    )


def event_write(
    *,
    appeal: Appeal,
    kind: str,
    actor,
    party: Party | None,
    text: str = "",
    is_public: bool = True,
    data: dict | None = None,
    at: datetime | None = None,
    notify: bool = True,
) -> AppealEvent:
    event = event_new(
        appeal=appeal, kind=kind, actor=actor, party=party, text=text, is_public=is_public, data=data, at=at
    )
    event.save()
    if notify:
        notify_job(event)
    return event


def events_write(events: list[tuple[AppealEvent, bool]]) -> list[AppealEvent]:
    """Several events of one change (`event_new`), in order, with one INSERT; each pair says whether
    the event notifies (its job queued as `event_write` does)."""
    written = AppealEvent.objects.bulk_create([event for event, _notify in events])
    for event, notify in zip(written, (n for _e, n in events), strict=True):
        if notify:
            notify_job(event)
    return written


def photos_save(
    *, appeal: Appeal, prepared: list, event: AppealEvent | None, user, stage: str
) -> list[AppealPhoto]:
    saved = []
    for item in prepared:
        photo = AppealPhoto(
            appeal=appeal,
            event=event,
            stage=stage,
            uploaded_by=user,
            size=item.size,
            width=item.width,
            height=item.height,
        )
        photo.image.save("photo.jpg", item.image, save=False)
        photo.thumbnail.save("thumb.jpg", item.thumbnail, save=False)
        photo.save()
        saved.append(photo)
    return saved
