from __future__ import annotations

from django.urls import path

from clipia_console.docs import views

app_name = "docs"

urlpatterns = [
    path("", views.quickstart, name="quickstart"),
    path("reference/", views.reference, name="reference"),
    path("authentication/", views.authentication, name="authentication"),
    path("sandbox/", views.sandbox_page, name="sandbox"),
]
