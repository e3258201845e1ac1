from __future__ import annotations

from shequ.core.jobs import handler
from shequ.notices.models import Notice


@handler("notices.announce")
def announce(*, notice_id: int) -> None:
    from shequ.notices.services import notice_announce  # noqa: PLC0415

    notice = Notice.objects.select_related("place").filter(pk=notice_id).first()
    if notice is not None:
        notice_announce(notice=notice)
