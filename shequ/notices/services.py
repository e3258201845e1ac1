"""Writes of notices: post (with attachments), withdraw, mark read."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from shequ.accounts.models import Residency
from shequ.accounts.selectors import user_roles
from shequ.appeals.area_alerts import area_recipients
from shequ.core import clock
from shequ.core.errors import Forbidden, Invalid
from shequ.core.jobs import enqueue
from shequ.directory.models import Party, Place
from shequ.notices.models import Notice, NoticeAttachment, NoticeRead
from shequ.notices.selectors import can_manage, check_can_post
from shequ.notices.uploads import check_attachments
from shequ.notifications.services import Message, notify_many


def notice_create(
    *,
    author,
    party: Party,
    channel: str,
    place: Place,
    title: str,
    body: str,
    is_pinned: bool = False,
    is_public: bool = True,
    publish_at: datetime | None = None,
    expires_at: datetime | None = None,
    files: list | tuple = (),
) -> Notice:
    check_can_post(user=author, party=party, channel=channel, place=place)
    title, body = (title or "").strip(), (body or "").strip()
    errors = {}
    if not title:
        errors["title"] = "请填写标题。"
    if len(title) > 120:
        errors["title"] = "标题不能超过120个字。"
    if not body:
        errors["body"] = "请填写正文。"
    if errors:
        raise Invalid("公告内容不完整。", "The notice is incomplete.", fields=errors)
    now = clock.now()
    publish_at = publish_at or now
    if expires_at is not None and expires_at <= max(publish_at, now):
        raise Invalid(
            "截止时间必须晚于发布时间。",
            "The expiry must be after the publishing time.",
            fields={"expires_at": "截止时间必须晚于发布时间。"},
        )
    checked = check_attachments(list(files))
    with transaction.atomic():
        notice = Notice.objects.create(
            channel=channel,
            place=place,
            community_id=place.community_id,
            street_id=place.street_id,
            party=party,
            author=author,
            title=title,
            body=body,
            is_pinned=is_pinned,
            is_public=is_public,
            publish_at=publish_at,
            expires_at=expires_at,
        )
        for item in checked:
            NoticeAttachment.objects.create(
                notice=notice,
                file=item.upload,
                kind=item.kind,
                name=(item.upload.name or "")[:200],
                size=item.upload.size or 0,
                content_type=item.content_type,
            )
        # Residents of the place hear of it in their inbox when it goes live (now, or at the scheduled time).
        enqueue(
            "notices.announce",
            run_at=publish_at if publish_at > now else None,
            dedupe_key=f"notices.announce:{notice.pk}",
            notice_id=notice.pk,
        )
    return notice


def notice_attachments_add(*, actor, notice: Notice, files: list | tuple) -> list[NoticeAttachment]:
    """Add files to a notice (publishing party only; at most MAX_FILES in all)."""
    from shequ.notices.uploads import MAX_FILES  # noqa: PLC0415

    if notice.party_id not in user_roles(user=actor).party_ids:
        raise Forbidden("只有发布单位可以添加附件。", "Only the publisher may add attachments.")
    if not files:
        raise Invalid("请选择文件。", "No file given.", fields={"files": "必填"})
    if notice.attachments.count() + len(files) > MAX_FILES:
        raise Invalid(
            f"每条公告最多{MAX_FILES}个附件。",
            f"At most {MAX_FILES} attachments per notice.",
            code="too_many_files",
        )
    checked = check_attachments(list(files))
    with transaction.atomic():
        return [
            NoticeAttachment.objects.create(
                notice=notice,
                file=item.upload,
                kind=item.kind,
                name=(item.upload.name or "")[:200],
                size=item.upload.size or 0,
                content_type=item.content_type,
            )
            for item in checked
        ]


def notice_pin(*, actor, notice: Notice, pinned: bool) -> Notice:
    """Pin or unpin a notice (publishing party only)."""
    if notice.party_id not in user_roles(user=actor).party_ids:
        raise Forbidden("只有发布单位可以置顶公告。", "Only the publisher may pin a notice.")
    if notice.is_pinned != pinned:
        notice.is_pinned = pinned
        notice.save(update_fields=["is_pinned", "updated_at"])
    return notice


def check_may_manage(*, actor, notice: Notice) -> None:
    """Withdrawing and restoring are the publishing party's (one rule for both and the confirm page)."""
    if not can_manage(user=actor, notice=notice):
        raise Forbidden(
            "只有发布单位可以撤回或恢复公告。", "Only the publisher may withdraw or restore a notice."
        )


def notice_withdraw(*, actor, notice: Notice) -> Notice:
    check_may_manage(actor=actor, notice=notice)
    if not notice.is_withdrawn:
        notice.is_withdrawn = True
        notice.save(update_fields=["is_withdrawn", "updated_at"])
    return notice


def notice_restore(*, actor, notice: Notice) -> Notice:
    """Undo a withdrawal. A retried restore changes nothing."""
    check_may_manage(actor=actor, notice=notice)
    if notice.is_withdrawn:
        notice.is_withdrawn = False
        notice.save(update_fields=["is_withdrawn", "updated_at"])
    return notice


def notice_mark_read(*, notice: Notice, user) -> bool:
    """Record that a resident of the notice's place read it (once per person). Staff and passers-by are
    not counted: the read count and the unread-households list are about the households it addresses.
    Returns True the first time."""
    if not user.is_authenticated or not notice.is_live():
        return False
    residencies = sorted(
        user_roles(user=user).residencies, key=lambda r: r.status != Residency.Status.VERIFIED
    )
    household_id = next(
        (
            r.household_id
            for r in residencies
            if r.status != Residency.Status.REJECTED and notice.place_id in r.household.ancestor_ids()
        ),
        None,
    )
    if household_id is None:
        return False
    try:
        with transaction.atomic():
            NoticeRead.objects.create(
                notice=notice, user=user, household_id=household_id, read_at=clock.now()
            )
    except IntegrityError:
        return False
    Notice.objects.filter(pk=notice.pk).update(read_count=F("read_count") + 1)
    notice.read_count += 1
    return True


def notice_url(notice: Notice) -> str:
    return reverse("notices:detail", args=[notice.pk])


# Stored in the inbox as data, like the appeals' event titles (appeals.jobs.TITLES): in Chinese
# whatever language the publisher's page was in.
AREA_NOTICE_TITLE = "{area}有新公告：{title}"


def notice_announce(*, notice: Notice) -> int:
    """Put a live notice into the inbox of every verified resident of its place, and alert the watchers
    of its area (`appeals.area_alerts`; a private notice alerts no watcher)."""
    if not notice.is_live():
        return 0
    recipients = set(
        Residency.objects.filter(
            status=Residency.Status.VERIFIED, **{f"household__{notice.place.kind}_id": notice.place_id}
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    url = notice_url(notice)
    messages = [
        Message(
            recipients=frozenset(recipients),
            verb="notice",
            title=notice.title,
            body=notice.body[:200],
            url=url,
            key=f"notice:{notice.pk}",
        )
    ]
    if notice.is_public:
        exclude = recipients | {notice.author_id}
        for area, users in area_recipients(place=notice.place, topic="notices", exclude=exclude).items():
            messages.append(
                Message(
                    recipients=frozenset(users),
                    verb="area.notice",
                    title=AREA_NOTICE_TITLE.format(area=area.scope_name(), title=notice.title),
                    body=notice.body[:200],
                    url=url,
                    key=f"area-notice:{notice.pk}:{area.pk}",
                )
            )
    return notify_many(messages)
