from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("archive.urls")),
    # The public archive arrives with its own issue; until then the root leads to the admin.
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False), name="home"),
]
