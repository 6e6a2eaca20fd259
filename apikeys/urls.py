"""The developer console, mounted at /developer/. A new tab is a URL here and a template."""

from __future__ import annotations

from django.urls import path

from apikeys import lifecycle_views, views

app_name = "apikeys"

urlpatterns = [
    path("", views.console_home, name="console"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/revoke/", views.revoke, name="revoke"),
    path("api-keys/<int:key_id>/roll/", lifecycle_views.roll, name="roll"),
    path("api-keys/<int:key_id>/end-grace/", lifecycle_views.end_grace, name="end_grace"),
    path("api-keys/<int:key_id>/edit/", lifecycle_views.edit, name="edit"),
]
