from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shequ.accounts"
    verbose_name = _("账号与住户")
    label = "accounts"

    def ready(self) -> None:
        # Django's own login/logout events name the web session (not domain flow: bookkeeping of
        # the framework's sessions, so that a person can list and end them).
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from shequ.accounts import tokens
        from shequ.accounts.jobs import REGISTER_ATTEMPT_VERB
        from shequ.notifications.models import Channel
        from shequ.notifications.verbs import register

        register(REGISTER_ATTEMPT_VERB, _("有人用我的手机号注册"), (Channel.SMS, Channel.EMAIL))

        def on_login(sender, request, user, **kwargs) -> None:
            if request is not None and hasattr(request, "session"):
                tokens.session_record(user=user, request=request)

        def on_logout(sender, request, user, **kwargs) -> None:
            if request is not None and hasattr(request, "session"):
                tokens.session_forget(session_key=request.session.session_key)

        user_logged_in.connect(on_login, weak=False, dispatch_uid="shequ.accounts.session_record")
        user_logged_out.connect(on_logout, weak=False, dispatch_uid="shequ.accounts.session_forget")
