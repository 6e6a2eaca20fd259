from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from clipia_console.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("v1/", include("clipia_console.api.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "clipia_console.api.errors.bad_request"
handler403 = "clipia_console.api.errors.permission_denied"
handler404 = "clipia_console.api.errors.page_not_found"
handler500 = "clipia_console.api.errors.server_error"
