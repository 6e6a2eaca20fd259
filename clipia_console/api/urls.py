from __future__ import annotations

from django.urls import path, re_path

from clipia_console.api import schema, views

app_name = "api"

urlpatterns = [
    path("account", views.AccountView.as_view(), name="account"),
    path("models", views.ModelListView.as_view(), name="models"),
    # Model ids contain "/" (clipia/motion-v1), hence <path:>.
    path("models/<path:model_id>", views.ModelView.as_view(), name="model"),
    path("generations/<str:generation_id>", views.GenerationView.as_view(), name="generation"),
    path("openapi.json", schema.OpenApiView.as_view(), name="openapi"),
    # Anything else under /v1 is a JSON 404, in DEBUG too (never Django's HTML page).
    re_path(r"^.*$", views.EndpointNotFoundView.as_view()),
]
