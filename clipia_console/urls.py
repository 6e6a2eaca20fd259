from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from clipia_console.accounts.signin import AdminSignInView, SignInView
from clipia_console.api.views import EndpointNotFoundView
from clipia_console.favicon import favicon
from clipia_console.health import healthz
from clipia_console.staff.moved_admin import moved_admin_page

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("v1/", include("clipia_console.api.urls")),
    # Bare /v1 is a JSON 404 too, rather than APPEND_SLASH's redirect.
    re_path(r"^v1$", EndpointNotFoundView.as_view()),
    # Ahead of admin.site.urls: the admin's sign-in under the console's failure limits.
    path("admin/login/", AdminSignInView.as_view()),
    # Ahead of admin.site.urls: admin pages of models that moved out of the api app.
    re_path(
        r"^admin/api/(?P<model_name>account|ledgerentry)/(?P<rest>.*)$",
        moved_admin_page,
        {"app_label": "billing"},
    ),
    re_path(
        r"^admin/api/(?P<model_name>generation)/(?P<rest>.*)$",
        moved_admin_page,
        {"app_label": "generations"},
    ),
    path("admin/", admin.site.urls),
    path("developer/", include("clipia_console.console.urls")),
    path("docs/", include("clipia_console.docs.urls")),
    path("accounts/login/", SignInView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("", RedirectView.as_view(url="/developer/"), name="home"),
]

handler400 = "clipia_console.api.handlers.bad_request"
handler403 = "clipia_console.api.handlers.permission_denied"
handler404 = "clipia_console.api.handlers.page_not_found"
handler500 = "clipia_console.api.handlers.server_error"
