"""The developer console, mounted at /developer/. A new tab is a URL here and a template."""

from __future__ import annotations

from django.urls import path

from clipia_console.console import key_list_views, key_page_views, lifecycle_views

app_name = "console"

urlpatterns = [
    path("", key_list_views.console_home, name="console"),
    path("api-keys/", key_list_views.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/", key_page_views.key_page, name="key_page"),
    path("api-keys/<int:key_id>/revoke/", key_list_views.revoke, name="revoke"),
    path("api-keys/<int:key_id>/roll/", lifecycle_views.roll, name="roll"),
    path("api-keys/<int:key_id>/end-grace/", lifecycle_views.end_grace, name="end_grace"),
    path("api-keys/<int:key_id>/edit/", lifecycle_views.edit, name="edit"),
    path(
        "api-keys/<int:key_id>/<slug:setting>/",
        key_page_views.change_setting,
        name="change_setting",
    ),
    path("usage/", key_page_views.usage_tab, name="usage"),
]
