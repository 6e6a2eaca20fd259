"""The admin's pages name no icon, so browsers ask for /favicon.ico: it leads to ours
instead of a 404 in every admin page's console (which failed a browser test now and then)."""

from __future__ import annotations

from django.templatetags.static import static
from django.test import Client


def test_favicon_ico_leads_to_the_consoles_icon(client: Client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == static("console/favicon.svg")
