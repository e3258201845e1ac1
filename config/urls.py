from django.contrib import admin
from django.urls import include, path

from shequ.api.main import api
from shequ.core import views as core_views

admin.site.site_header = "shequ 社区 · 管理后台"
admin.site.site_title = "shequ 管理后台"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("prefs/large-type", core_views.toggle_large_type, name="toggle_large_type"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("shequ.accounts.urls")),
    path("directory/", include("shequ.directory.urls")),
    path("appeals/", include("shequ.appeals.urls")),
    path("notices/", include("shequ.notices.urls")),
    path("forum/", include("shequ.forum.urls")),
    path("activities/", include("shequ.activities.urls")),
    path("decisions/", include("shequ.decisions.urls")),
    path("elections/", include("shequ.elections.urls")),
    path("funds/", include("shequ.funds.urls")),
    path("notifications/", include("shequ.notifications.urls")),
    path("supervision/", include("shequ.supervision.urls")),
    path("analytics/", include("shequ.analytics.urls")),
    path("", include("shequ.portal.urls")),
]

# Uploaded files are never served from MEDIA_URL directly: each feature serves its
# files through a view that checks who may see them (a private appeal's photos …).
