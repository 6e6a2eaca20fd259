"""The production URLs plus the benchmark-only views under /bench/."""

from __future__ import annotations

from django.urls import path

from bench import views
from clipia_console.urls import urlpatterns as production_urlpatterns

urlpatterns = [
    path("bench/trivial/none", views.TrivialNoAuthView.as_view()),
    path("bench/trivial/token", views.TrivialTokenView.as_view()),
    path("bench/trivial/apikey", views.TrivialApiKeyView.as_view()),
    path("bench/account/token", views.AccountTokenView.as_view()),
    path("bench/account/none", views.AccountNoAuthView.as_view()),
    *production_urlpatterns,
]

handler400 = "clipia_console.api.handlers.bad_request"
handler403 = "clipia_console.api.handlers.permission_denied"
handler404 = "clipia_console.api.handlers.page_not_found"
handler500 = "clipia_console.api.handlers.server_error"
