"""The developer console, mounted at /developer/. A new tab is a URL here and a template."""

from __future__ import annotations

from django.urls import path

from apikeys import views

app_name = "apikeys"

urlpatterns = [
    path("", views.console_home, name="console"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:key_id>/revoke/", views.revoke, name="revoke"),
]
