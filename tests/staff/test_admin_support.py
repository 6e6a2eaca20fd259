"""admin_page: the context every page the admin has no view of its own for is built with."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import User
from django.test import RequestFactory

from apikeys.models import ApiKey
from clipia_console.staff.admin.support import admin_page


def test_an_admin_page_has_the_sites_context_and_the_models_breadcrumbs(staff: User) -> None:
    request = RequestFactory().get("/admin/apikeys/apikey/find-leaked/")
    request.user = staff

    response = admin_page(
        admin.site.get_model_admin(ApiKey), request, "admin/clipia/form_page.html", title="A page"
    )

    context = response.context_data
    assert context is not None
    assert context["title"] == "A page"
    assert context["site_header"] == "Clipia staff"
    assert context["opts"] is ApiKey._meta
    assert context["app_label"] == "apikeys"
    assert context["has_view_permission"] is True


def test_an_admin_page_says_when_the_list_may_not_be_linked(db: None) -> None:
    carol = User.objects.create_user("carol", is_staff=True)
    request = RequestFactory().get("/admin/apikeys/apikey/find-leaked/")
    request.user = carol

    response = admin_page(
        admin.site.get_model_admin(ApiKey),
        request,
        "admin/clipia/form_page.html",
        title="A page",
        intro="Its own words.",
    )

    assert response.context_data is not None
    assert response.context_data["has_view_permission"] is False
    assert response.context_data["intro"] == "Its own words."
