from django.contrib import admin
from django.urls import include, path

from archive.desk import desk_view
from archive.history_admin import site_urls as history_urls
from newsroom.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/history/", include(history_urls(admin.site))),
    # The admin's front page is the editors' desk (archive/desk.py): before the admin's own.
    path("admin/", admin.site.admin_view(lambda request: desk_view(request, admin.site))),
    path("admin/", admin.site.urls),
    path("", include("archive.urls")),
]

handler404 = "archive.views.not_found"
