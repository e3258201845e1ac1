"""The kinds of message (verbs) people can choose to receive by e-mail, SMS or WeChat.

A verb not listed here still reaches the inbox; its external channels follow the user's
"all other messages" choice (`verb="*"`). Apps may `register()` their own verbs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shequ.notifications.models import Channel

ANY = "*"


@dataclass(frozen=True)
class Verb:
    code: str
    label: str
    # External channels on by default (the in-app inbox is always on).
    defaults: frozenset[str] = frozenset({Channel.EMAIL})


VERBS: dict[str, Verb] = {}


def register(code: str, label, defaults: tuple[str, ...] = (Channel.EMAIL,)) -> Verb:
    verb = Verb(code=code, label=label, defaults=frozenset(defaults))
    VERBS[code] = verb
    return verb


URGENT = (Channel.EMAIL, Channel.SMS)

register("appeal.dispatched", _("有新工单派给我方"), URGENT)
register("appeal.replied", _("诉求有新回复"))
register("appeal.status", _("诉求的其他进展（签收、暂停、关闭等）"))
register("appeal.resolved", _("诉求已办结，请评价"))
register("appeal.escalated", _("诉求超时升级"), URGENT)
register("appeal.whistle_blown", _("吹哨召集部门报到"), URGENT)
register("appeal.summons_overdue", _("部门超时未报到"), URGENT)
register("appeal.callback_reminded", _("回访评价提醒"))
register("appeal.helper_assigned", _("大手拉小手协助"))
register("notice.published", _("新公告"), ())
register("forum.reply", _("邻里交流有人回复"), ())
register("activity", _("活动报名与提醒"), ())
register("area.appeal_new", _("关注的区域有新诉求"), ())
register("area.appeal_resolved", _("关注的区域有诉求办结"), ())
register("area.notice", _("关注的区域有新公告"), ())
register(ANY, _("其他消息"))


def verb_for(code: str) -> Verb:
    """The registered verb whose preferences govern `code`: itself, its family's "<family>.status", or "*"."""
    if code in VERBS:
        return VERBS[code]
    family = code.split(".", 1)[0] + ".status"
    return VERBS.get(family) or VERBS[ANY]
