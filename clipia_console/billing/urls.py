"""The key page and the Usage tab, mounted under /developer/ beside apikeys.urls."""

from __future__ import annotations

from django.urls import path

from clipia_console.billing import views

app_name = "billing"

urlpatterns = [
    path("api-keys/<int:key_id>/", views.key_page, name="key_page"),
    path(
        "api-keys/<int:key_id>/<slug:setting>/",
        views.change_setting,
        name="change_setting",
    ),
    path("usage/", views.usage_tab, name="usage"),
]
