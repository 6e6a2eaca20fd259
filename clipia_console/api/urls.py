from __future__ import annotations

from django.urls import path, re_path

from clipia_console.api import exposure_views, model_views, views
from clipia_console.api.openapi import view as schema_view

app_name = "api"

urlpatterns = [
    path("account", views.AccountView.as_view(), name="account"),
    path("key", views.KeyView.as_view(), name="key"),
    path("usage", views.UsageView.as_view(), name="usage"),
    path("models", views.ModelListView.as_view(), name="models"),
    # Model ids contain "/" (clipia/motion-v1), hence <path:>.
    path("models/<path:model_id>", model_views.ModelView.as_view(), name="model"),
    path("keys/revoke", exposure_views.RevokeExposedKeysView.as_view(), name="revoke_exposed"),
    path("generations/<str:generation_id>", views.GenerationView.as_view(), name="generation"),
    path("openapi.json", schema_view.OpenApiView.as_view(), name="openapi"),
    # Anything else under /v1 is a JSON 404, in DEBUG too (never Django's HTML page).
    re_path(r"^.*$", views.EndpointNotFoundView.as_view()),
]
